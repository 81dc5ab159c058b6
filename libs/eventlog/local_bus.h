#pragma once
// LocalBus: the embedded EventBus for a landlord running the whole suite as one process. A
// durable log in one RocksDB database with the same semantics as KafkaBus (architecture §7):
//
// - A topic partition is a sequence of records at contiguous offsets from 0.
// - A transaction's records are buffered in the member and written, together with the consumed
//   positions, as ONE synced WriteBatch at commit: committed means on disk, an aborted or
//   crashed transaction leaves nothing, and there is never an undecided transaction in the log.
// - Consumer groups are coordinated in process: members of a group share the partitions by range
//   assignment (partition i of every subscribed topic together), rebalances revoke everything
//   and assign anew (eager), and a member must have seen the current generation to commit
//   positions — a stale member's commit is ABORTED, as Kafka's is.
// - A member joining with a transactional id already in use fences the older one: its next
//   transactional call fails with the "fenced" error.
//
// Each topic partition's records are kept in a column family of their own (local_log_codec.h),
// so the store's compactions move an append-only log's files down instead of rewriting them.
// A log written before that layout is moved into it once, when it is first opened.
//
// Retention and compaction are not applied: the embedded log keeps every record (it is the
// audit trail of a small landlord). Topic configs are recorded but not interpreted.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/eventlog/event_bus.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace rentstream::eventlog {

struct LocalBusOptions {
  // fsync every commit and append (the durability promise). Off only for benchmarks of the
  // in-memory path.
  bool sync_commits = true;
  // Largest key + value + headers accepted for one record (Kafka's default message.max.bytes).
  size_t max_record_bytes = 1 << 20;
  // Largest number of records in one transaction or one Append call.
  size_t max_transaction_records = 100000;
};

class LocalBus : public EventBus {
 public:
  // Opens (creating if needed) the log in `dir`. Only one process may hold it open.
  static absl::StatusOr<std::unique_ptr<LocalBus>> Open(const std::string& dir,
                                                        LocalBusOptions options = {});
  ~LocalBus() override;

  absl::Status DeclareTopics(const std::vector<TopicSpec>& topics) override;
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic) override;
  absl::StatusOr<int64_t> EndOffset(const TopicPartition& tp) override;
  absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(const std::vector<ReadFrom>& from) override;
  absl::StatusOr<std::unique_ptr<Appender>> NewAppender(const std::string& client_id) override;
  absl::StatusOr<std::unique_ptr<Tail>> Follow(const std::vector<ReadFrom>& from) override;
  absl::StatusOr<std::unique_ptr<GroupMember>> JoinGroup(const MemberConfig& config) override;

  const std::string& dir() const { return dir_; }

 private:
  class Member;
  class Reader;
  class LocalTail;
  class LocalAppender;
  struct Group;
  struct State;

  LocalBus(std::string dir, LocalBusOptions options);
  static std::unique_ptr<GroupMember> NewMember(LocalBus& bus, const MemberConfig& config,
                                                uint64_t id);
  absl::Status Write(rocksdb::WriteBatch& batch, absl::string_view what);
  // Creates the column families of those of `tps` that have none yet. Under write_mu.
  absl::Status EnsureFamilies(const std::vector<TopicPartition>& tps);
  // Moves a layout-1 log's records into their partitions' column families (Open).
  absl::Status MoveLayout1Records();
  // Open's recovery: topics and their partitions' families, then ends and group positions.
  absl::Status RecoverTopics(
      std::map<std::string, rocksdb::ColumnFamilyHandle*> partition_families);
  absl::Status RecoverPositions();

  std::string dir_;
  LocalBusOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Every handle Open and EnsureFamilies made (the default family's too): destroyed first.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<State> state_;
};

}  // namespace rentstream::eventlog
