// LocalBus's group member: polls assigned partitions, takes rebalances inside Poll, buffers a
// transaction's records and commits them with the consumed positions in one synced WriteBatch.
#include "libs/eventlog/local_bus.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/bus_errors.h"
#include "libs/eventlog/local_bus_internal.h"
#include "libs/eventlog/local_log_codec.h"

namespace rentstream::eventlog {

using local_log::DecodeRecord;
using local_log::EncodeRecord;
using local_log::GroupKey;
using local_log::NowMs;
using local_log::OffsetKey;
using local_log::ReadRange;
using local_log::ResolvePartition;

// ---------------------------------------------------------------------------------------------
// Group member

class LocalBus::Member : public GroupMember {
 public:
  Member(LocalBus& bus, MemberConfig config, uint64_t id)
      : bus_(bus), st_(*bus.state_), config_(std::move(config)), id_(id) {}
  ~Member() override { Close(); }

  absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                           std::chrono::milliseconds timeout) override {
    if (closed_) return absl::FailedPreconditionError("poll: member closed");
    if (in_transaction_) {
      return absl::FailedPreconditionError("poll: commit or abort the open transaction first");
    }
    if (absl::Status st = CheckNotFenced(); !st.ok()) return st;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (absl::Status st = MaybeRebalance(); !st.ok()) return st;
      std::map<TopicPartition, int64_t> readable;
      bool rebalance = false;
      {
        std::unique_lock lock(st_.mu);
        auto ready = [&] {
          readable.clear();
          for (const TopicPartition& tp : assignment_) {
            const int64_t end = st_.EndLocked(tp);
            if (positions_[tp] < end) readable[tp] = end;
          }
          return !readable.empty() || GenerationChangedLocked();
        };
        if (!st_.changed.wait_until(lock, deadline, ready)) return std::vector<Record>{};
        rebalance = GenerationChangedLocked();
      }
      // A rebalance first (nothing is read under an assignment the group has replaced), then
      // look again.
      if (rebalance || readable.empty()) continue;
      return Read(readable, max_records);
    }
  }

  std::vector<TopicPartition> Assignment() const override { return assignment_; }

  bool AssignmentSuperseded() const override {
    std::lock_guard lock(st_.mu);
    return GenerationChangedLocked();
  }

  absl::StatusOr<std::optional<int64_t>> CommittedPosition(const TopicPartition& tp) override {
    std::lock_guard lock(st_.mu);
    if (absl::Status s = st_.CheckPartitionLocked(tp); !s.ok()) return s;
    auto g = st_.committed.find(config_.group_id);
    if (g == st_.committed.end()) return std::optional<int64_t>();
    auto it = g->second.find(tp);
    if (it == g->second.end()) return std::optional<int64_t>();
    return std::optional<int64_t>(it->second);
  }

  absl::Status BeginTransaction() override {
    if (closed_) return absl::FailedPreconditionError("begin: member closed");
    if (in_transaction_) return absl::FailedPreconditionError("begin: a transaction is open");
    if (absl::Status st = CheckNotFenced(); !st.ok()) return st;
    in_transaction_ = true;
    pending_.clear();
    return absl::OkStatus();
  }

  absl::Status Append(OutgoingRecord record) override {
    if (!in_transaction_) return absl::FailedPreconditionError("append: no open transaction");
    if (pending_.size() >= bus_.options_.max_transaction_records) {
      return absl::ResourceExhaustedError(absl::StrCat("append: a transaction holds at most ",
                                                       bus_.options_.max_transaction_records,
                                                       " records"));
    }
    absl::StatusOr<int32_t> partition;
    {
      std::lock_guard lock(st_.mu);
      partition = ResolvePartition(st_.topics, record, bus_.options_.max_record_bytes);
    }
    if (!partition.ok()) return partition.status();
    record.partition = *partition;
    pending_.push_back(std::move(record));
    return absl::OkStatus();
  }

  absl::Status CommitTransaction(const std::vector<ConsumedPosition>& consumed) override {
    if (!in_transaction_) return absl::FailedPreconditionError("commit: no open transaction");
    std::lock_guard write(st_.write_mu);
    std::map<TopicPartition, int64_t> next;
    {
      std::lock_guard lock(st_.mu);
      if (!OwnsTransactionalIdLocked()) {
        in_transaction_ = false;
        pending_.clear();
        return FencedError(absl::StrCat("commit: transactional id ", config_.transactional_id,
                                        " was taken over by a newer member"));
      }
      if (!consumed.empty()) {
        if (GenerationChangedLocked()) {
          return AbortableError("commit: the group is rebalancing; abort and poll again");
        }
        for (const ConsumedPosition& c : consumed) {
          if (std::find(assignment_.begin(), assignment_.end(), c.tp) == assignment_.end()) {
            return AbortableError(absl::StrCat("commit: ", c.tp.topic, "/", c.tp.partition,
                                               " is not assigned to this member"));
          }
        }
      }
      for (const OutgoingRecord& r : pending_) {
        const TopicPartition tp{r.topic, *r.partition};
        if (!next.count(tp)) next[tp] = st_.EndLocked(tp);
      }
    }
    std::vector<TopicPartition> written;
    for (const auto& [tp, end] : next) written.push_back(tp);
    if (absl::Status s = bus_.EnsureFamilies(written); !s.ok()) return s;  // still open: abort
    rocksdb::WriteBatch batch;
    const int64_t now = NowMs();
    std::map<TopicPartition, int64_t> ends = next;
    for (const OutgoingRecord& r : pending_) {
      const TopicPartition tp{r.topic, *r.partition};
      batch.Put(st_.families.at(tp), OffsetKey(ends[tp]++), EncodeRecord(r, now));
    }
    for (const ConsumedPosition& c : consumed) {
      batch.Put(GroupKey(config_.group_id, c.tp), local_log::EncodeOffset(c.next_offset));
    }
    if (absl::Status s = bus_.Write(batch, "commit"); !s.ok()) return s;  // still open: abort
    {
      std::lock_guard lock(st_.mu);
      for (const auto& [tp, end] : ends) st_.ends[tp] = end;
      auto& positions = st_.committed[config_.group_id];
      for (const ConsumedPosition& c : consumed) positions[c.tp] = c.next_offset;
    }
    st_.changed.notify_all();
    last_commit_ends_ = std::move(ends);
    pending_.clear();
    in_transaction_ = false;
    return absl::OkStatus();
  }

  absl::Status AbortTransaction() override {
    pending_.clear();
    in_transaction_ = false;
    Rewind();
    return absl::OkStatus();
  }

  std::map<TopicPartition, int64_t> LastCommitAppendEnds() const override {
    return last_commit_ends_;
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    pending_.clear();
    in_transaction_ = false;
    if (!assignment_.empty() && config_.listener != nullptr)
      config_.listener->OnRevoked(assignment_);
    assignment_.clear();
    {
      std::lock_guard write(st_.write_mu);
      std::lock_guard lock(st_.mu);
      auto g = st_.groups.find(config_.group_id);
      if (g != st_.groups.end()) {
        auto& members = g->second.members;
        members.erase(std::remove(members.begin(), members.end(), id_), members.end());
        if (members.empty()) {
          st_.groups.erase(g);
        } else {
          g->second.Reassign();
        }
      }
      if (OwnsTransactionalIdLocked()) st_.transactional_owner.erase(config_.transactional_id);
    }
    st_.changed.notify_all();
  }

 private:
  bool OwnsTransactionalIdLocked() const {
    auto it = st_.transactional_owner.find(config_.transactional_id);
    return it != st_.transactional_owner.end() && it->second == id_;
  }

  bool GenerationChangedLocked() const {
    auto g = st_.groups.find(config_.group_id);
    return g != st_.groups.end() && g->second.generation != seen_generation_;
  }

  absl::Status CheckNotFenced() {
    std::lock_guard lock(st_.mu);
    if (OwnsTransactionalIdLocked()) return absl::OkStatus();
    return FencedError(absl::StrCat("transactional id ", config_.transactional_id,
                                    " was taken over by a newer member"));
  }

  // Takes a new group generation: revoke everything, assign the new range (eager protocol, as
  // KafkaBus), and start each partition at the group's committed position. Listener callbacks
  // run without any bus lock held, so they may call back into the bus.
  absl::Status MaybeRebalance() {
    std::vector<TopicPartition> next;
    int64_t generation = 0;
    {
      std::lock_guard lock(st_.mu);
      auto g = st_.groups.find(config_.group_id);
      if (g == st_.groups.end()) return absl::InternalError("local bus: group vanished");
      if (g->second.generation == seen_generation_) return absl::OkStatus();
      generation = g->second.generation;
      for (const std::string& topic : g->second.topics) {
        for (int32_t p : g->second.assignment[id_]) next.push_back({topic, p});
      }
    }
    std::sort(next.begin(), next.end());
    if (!assignment_.empty() && config_.listener != nullptr)
      config_.listener->OnRevoked(assignment_);
    assignment_ = next;
    seen_generation_ = generation;
    if (config_.listener != nullptr) config_.listener->OnAssigned(assignment_);
    Rewind();
    return absl::OkStatus();
  }

  void Rewind() {
    std::lock_guard lock(st_.mu);
    positions_.clear();
    auto g = st_.committed.find(config_.group_id);
    for (const TopicPartition& tp : assignment_) {
      int64_t from = 0;  // auto.offset.reset = earliest
      if (g != st_.committed.end()) {
        if (auto it = g->second.find(tp); it != g->second.end()) from = it->second;
      }
      positions_[tp] = from;
    }
  }

  absl::StatusOr<std::vector<Record>> Read(const std::map<TopicPartition, int64_t>& readable,
                                           size_t max_records) {
    std::vector<std::pair<TopicPartition, rocksdb::ColumnFamilyHandle*>> order;
    {
      std::lock_guard lock(st_.mu);
      for (const auto& [tp, end] : readable) order.emplace_back(tp, st_.FamilyLocked(tp));
    }
    std::rotate(order.begin(), order.begin() + static_cast<long>(rotation_++ % order.size()),
                order.end());
    std::vector<Record> out;
    for (const auto& [tp, family] : order) {
      if (out.size() >= max_records) break;
      auto pos = ReadRange(*bus_.db_, family, tp, positions_[tp], readable.at(tp),
                           max_records - out.size(), out);
      if (!pos.ok()) return pos.status();
      positions_[tp] = *pos;
    }
    return out;
  }

  LocalBus& bus_;
  State& st_;
  const MemberConfig config_;
  const uint64_t id_;
  int64_t seen_generation_ = -1;
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, int64_t> positions_;
  std::vector<OutgoingRecord> pending_;
  std::map<TopicPartition, int64_t> last_commit_ends_;
  size_t rotation_ = 0;
  bool in_transaction_ = false;
  bool closed_ = false;
};

std::unique_ptr<GroupMember> LocalBus::NewMember(LocalBus& bus, const MemberConfig& config,
                                                 uint64_t id) {
  return std::make_unique<Member>(bus, config, id);
}

}  // namespace rentstream::eventlog
