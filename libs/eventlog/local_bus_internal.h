#pragma once
// LocalBus internals shared by its source files: the in-process group coordinator's state and
// the read helpers. Not part of the bus interface.

#include <rocksdb/db.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "libs/eventlog/local_bus.h"

namespace rentstream::eventlog {

struct LocalBus::Group {
  std::vector<std::string> topics;
  int32_t partitions = 0;
  int64_t generation = 0;
  std::vector<uint64_t> members;  // in join order
  std::map<uint64_t, std::vector<int32_t>> assignment;

  // Range assignment: member i of m gets a contiguous run of partition numbers, the same run
  // for every subscribed topic.
  void Reassign() {
    ++generation;
    assignment.clear();
    const int32_t m = static_cast<int32_t>(members.size());
    if (m == 0) return;
    const int32_t per = partitions / m, extra = partitions % m;
    int32_t next = 0;
    for (int32_t i = 0; i < m; ++i) {
      const int32_t count = per + (i < extra ? 1 : 0);
      std::vector<int32_t>& mine = assignment[members[i]];
      for (int32_t k = 0; k < count; ++k) mine.push_back(next++);
    }
  }
};

struct LocalBus::State {
  // Serializes writers (commits, appends, declarations) and membership changes, so offsets are
  // handed out in order and a commit's fencing check holds until its write is published.
  std::mutex write_mu;
  // Guards the fields below; held only briefly (never across a disk write or a callback).
  std::mutex mu;
  std::condition_variable changed;
  std::map<std::string, TopicSpec> topics;
  std::map<TopicPartition, int64_t> ends;  // next offset per partition (everything below visible)
  std::map<std::string, std::map<TopicPartition, int64_t>> committed;  // group → positions
  std::map<std::string, Group> groups;
  std::map<std::string, uint64_t> transactional_owner;  // transactional id → member id
  uint64_t next_member_id = 1;
  // The column family of each topic partition that has one (created at its first write, under
  // write_mu and mu; read under either). Owned by the bus, destroyed before the database.
  std::map<TopicPartition, rocksdb::ColumnFamilyHandle*> families;

  absl::StatusOr<int32_t> PartitionsLocked(const std::string& topic) const {
    auto it = topics.find(topic);
    if (it == topics.end())
      return absl::NotFoundError(absl::StrCat("topic ", topic, ": not declared"));
    return it->second.partitions;
  }

  absl::Status CheckPartitionLocked(const TopicPartition& tp) const {
    auto n = PartitionsLocked(tp.topic);
    if (!n.ok()) return n.status();
    if (tp.partition < 0 || tp.partition >= *n) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", tp.topic, ": partition ", tp.partition, " outside 0..", *n - 1));
    }
    return absl::OkStatus();
  }

  int64_t EndLocked(const TopicPartition& tp) const {
    auto it = ends.find(tp);
    return it == ends.end() ? 0 : it->second;
  }

  rocksdb::ColumnFamilyHandle* FamilyLocked(const TopicPartition& tp) const {
    auto it = families.find(tp);
    return it == families.end() ? nullptr : it->second;
  }
};

namespace local_log {

int64_t NowMs();
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);
// Validates an outgoing record and fixes its partition.
absl::StatusOr<int32_t> ResolvePartition(const std::map<std::string, TopicSpec>& topics,
                                         const OutgoingRecord& r, size_t max_bytes);
// Reads records of one partition, from its column family `family`, in [from, end) into `out`
// (at most `max`); returns the position after the last record read. A range that is not empty
// must have a family and records (DATA_LOSS otherwise).
absl::StatusOr<int64_t> ReadRange(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                  const TopicPartition& tp, int64_t from, int64_t end, size_t max,
                                  std::vector<Record>& out);

}  // namespace local_log
}  // namespace rentstream::eventlog
