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
using local_log::FromRocks;
using local_log::GroupKey;
using local_log::NowMs;
using local_log::ReadRange;
using local_log::RecordKey;
using local_log::RecordPrefix;
using local_log::ResolvePartition;

namespace local_log {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsIOError()) return absl::UnavailableError(absl::StrCat(what, ": ", s.ToString()));
  if (s.IsCorruption()) return absl::DataLossError(absl::StrCat(what, ": ", s.ToString()));
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// Validates an outgoing record and fixes its partition.
absl::StatusOr<int32_t> ResolvePartition(const std::map<std::string, TopicSpec>& topics,
                                         const OutgoingRecord& r, size_t max_bytes) {
  auto it = topics.find(r.topic);
  if (it == topics.end())
    return absl::NotFoundError(absl::StrCat("topic ", r.topic, ": not declared"));
  const int32_t n = it->second.partitions;
  size_t bytes = r.key.size() + r.value.size();
  for (const auto& [k, v] : r.headers) bytes += k.size() + v.size();
  if (bytes > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("record for topic ", r.topic, " is ", bytes,
                                                   " bytes, more than the limit of ", max_bytes));
  }
  if (r.partition.has_value()) {
    if (*r.partition < 0 || *r.partition >= n) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", r.topic, ": partition ", *r.partition, " outside 0..", n - 1));
    }
    return *r.partition;
  }
  return PartitionForKey(r.key, n);
}

// Reads records of one partition in [from, end) into `out` (at most `max`); returns the
// position after the last record read.
absl::StatusOr<int64_t> ReadRange(rocksdb::Iterator& it, const TopicPartition& tp, int64_t from,
                                  int64_t end, size_t max, std::vector<Record>& out) {
  const std::string prefix = RecordPrefix(tp);
  int64_t position = from;
  size_t taken = 0;
  for (it.Seek(RecordKey(tp, from)); it.Valid() && taken < max; it.Next()) {
    const rocksdb::Slice key = it.key();
    if (!key.starts_with(prefix)) break;
    const int64_t offset = local_log::OffsetOfKey(key);
    if (offset >= end) break;
    Record r;
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = offset;
    if (!DecodeRecord(absl::string_view(it.value().data(), it.value().size()), r)) {
      return absl::DataLossError(absl::StrCat("local log: record ", tp.topic, "/", tp.partition,
                                              "@", offset, " cannot be decoded"));
    }
    out.push_back(std::move(r));
    position = offset + 1;
    ++taken;
  }
  if (!it.status().ok()) return FromRocks(it.status(), "local log read");
  return position;
}

}  // namespace local_log

// ---------------------------------------------------------------------------------------------
// Readers, tails, appenders

class LocalBus::Reader : public LogReader {
 public:
  Reader(rocksdb::DB& db,
         std::vector<std::pair<TopicPartition, std::pair<int64_t, int64_t>>> ranges)
      : ranges_(std::move(ranges)), it_(db.NewIterator(rocksdb::ReadOptions())) {}

  absl::StatusOr<std::vector<Record>> Next(size_t max_records) override {
    std::vector<Record> out;
    while (current_ < ranges_.size() && out.size() < max_records) {
      auto& [tp, range] = ranges_[current_];
      if (range.first >= range.second) {
        ++current_;
        continue;
      }
      const size_t before = out.size();
      auto pos = ReadRange(*it_, tp, range.first, range.second, max_records - out.size(), out);
      if (!pos.ok()) return pos.status();
      range.first = *pos;
      if (out.size() == before) {
        return absl::DataLossError(absl::StrCat("local log: records of ", tp.topic, "/",
                                                tp.partition, " below ", range.second,
                                                " are missing from offset ", range.first));
      }
    }
    return out;
  }

 private:
  std::vector<std::pair<TopicPartition, std::pair<int64_t, int64_t>>> ranges_;
  size_t current_ = 0;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class LocalBus::LocalTail : public Tail {
 public:
  LocalTail(LocalBus& bus, std::map<TopicPartition, int64_t> positions)
      : bus_(bus), positions_(std::move(positions)) {}

  absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                           std::chrono::milliseconds timeout) override {
    State& st = *bus_.state_;
    std::map<TopicPartition, int64_t> readable;
    {
      std::unique_lock lock(st.mu);
      auto ready = [&] {
        readable.clear();
        for (const auto& [tp, pos] : positions_) {
          if (const int64_t end = st.EndLocked(tp); pos < end) readable[tp] = end;
        }
        return !readable.empty();
      };
      if (!st.changed.wait_for(lock, timeout, ready)) return std::vector<Record>{};
    }
    std::vector<Record> out;
    std::unique_ptr<rocksdb::Iterator> it(bus_.db_->NewIterator(rocksdb::ReadOptions()));
    for (const auto& [tp, end] : readable) {
      if (out.size() >= max_records) break;
      auto pos = ReadRange(*it, tp, positions_[tp], end, max_records - out.size(), out);
      if (!pos.ok()) return pos.status();
      positions_[tp] = *pos;
    }
    return out;
  }

 private:
  LocalBus& bus_;
  std::map<TopicPartition, int64_t> positions_;
};

class LocalBus::LocalAppender : public Appender {
 public:
  explicit LocalAppender(LocalBus& bus) : bus_(bus) {}

  absl::Status Append(const std::vector<OutgoingRecord>& records) override {
    if (records.size() > bus_.options_.max_transaction_records) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "append: at most ", bus_.options_.max_transaction_records, " records per call"));
    }
    State& st = *bus_.state_;
    std::lock_guard write(st.write_mu);
    std::map<TopicPartition, int64_t> ends;
    std::vector<TopicPartition> where;
    {
      std::lock_guard lock(st.mu);
      for (const OutgoingRecord& r : records) {
        auto p = ResolvePartition(st.topics, r, bus_.options_.max_record_bytes);
        if (!p.ok()) return p.status();
        where.push_back({r.topic, *p});
        if (!ends.count(where.back())) ends[where.back()] = st.EndLocked(where.back());
      }
    }
    rocksdb::WriteBatch batch;
    const int64_t now = NowMs();
    for (size_t i = 0; i < records.size(); ++i) {
      batch.Put(RecordKey(where[i], ends[where[i]]++), EncodeRecord(records[i], now));
    }
    if (absl::Status s = bus_.Write(batch, "append"); !s.ok()) return s;
    {
      std::lock_guard lock(st.mu);
      for (const auto& [tp, end] : ends) st.ends[tp] = end;
    }
    st.changed.notify_all();
    return absl::OkStatus();
  }

 private:
  LocalBus& bus_;
};

// ---------------------------------------------------------------------------------------------
// The bus

LocalBus::LocalBus(std::string dir, LocalBusOptions options)
    : dir_(std::move(dir)), options_(options), state_(std::make_unique<State>()) {}

LocalBus::~LocalBus() = default;

absl::Status LocalBus::Write(rocksdb::WriteBatch& batch, absl::string_view what) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_commits;
  return FromRocks(db_->Write(wo, &batch), absl::StrCat("local log ", what));
}

absl::StatusOr<std::unique_ptr<LocalBus>> LocalBus::Open(const std::string& dir,
                                                         LocalBusOptions options) {
  if (dir.empty()) return absl::InvalidArgumentError("local bus: directory is empty");
  std::unique_ptr<LocalBus> bus(new LocalBus(dir, options));
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 20;
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::DB::Open(o, dir, &raw), "local log open " + dir);
      !s.ok()) {
    return s;
  }
  bus->db_.reset(raw);
  State& st = *bus->state_;

  // Recover topics, partition ends and committed group positions.
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(local_log::kTopicTag); it->Valid() && it->key().starts_with(local_log::kTopicTag);
       it->Next()) {
    TopicSpec spec;
    if (!local_log::DecodeTopic(absl::string_view(it->value().data(), it->value().size()), spec)) {
      return absl::DataLossError(
          absl::StrCat("local log: topic entry ", it->key().ToString(), " cannot be decoded"));
    }
    st.topics[spec.name] = spec;
  }
  for (const auto& [name, spec] : st.topics) {
    for (int32_t p = 0; p < spec.partitions; ++p) {
      const TopicPartition tp{name, p};
      it->SeekForPrev(RecordKey(tp, std::numeric_limits<int64_t>::max()));
      if (it->Valid() && it->key().starts_with(RecordPrefix(tp))) {
        st.ends[tp] = local_log::OffsetOfKey(it->key()) + 1;
      } else {
        st.ends[tp] = 0;
      }
    }
  }
  for (it->Seek(local_log::kGroupTag); it->Valid() && it->key().starts_with(local_log::kGroupTag);
       it->Next()) {
    std::string group;
    TopicPartition tp;
    int64_t offset = 0;
    if (!local_log::DecodeGroupEntry(it->key(), it->value(), group, tp, offset)) {
      return absl::DataLossError("local log: a committed position cannot be decoded");
    }
    st.committed[group][tp] = offset;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "local log recovery");
  return bus;
}

absl::Status LocalBus::DeclareTopics(const std::vector<TopicSpec>& topics) {
  std::lock_guard write(state_->write_mu);
  rocksdb::WriteBatch batch;
  std::vector<TopicSpec> added;
  {
    std::lock_guard lock(state_->mu);
    for (const TopicSpec& spec : topics) {
      if (spec.name.empty() || spec.name.find('\0') != std::string::npos ||
          spec.name.size() > 249) {
        return absl::InvalidArgumentError(absl::StrCat("topic \"", spec.name, "\": invalid name"));
      }
      if (spec.partitions < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("topic ", spec.name, ": partitions must be at least 1"));
      }
      auto existing = state_->topics.find(spec.name);
      if (existing != state_->topics.end()) {
        if (existing->second.partitions != spec.partitions) {
          return absl::FailedPreconditionError(
              absl::StrCat("topic ", spec.name, " exists with ", existing->second.partitions,
                           " partitions, declared with ", spec.partitions));
        }
        continue;
      }
      batch.Put(local_log::TopicKey(spec.name), local_log::EncodeTopic(spec));
      added.push_back(spec);
    }
  }
  if (added.empty()) return absl::OkStatus();
  if (absl::Status s = Write(batch, "declare topics"); !s.ok()) return s;
  std::lock_guard lock(state_->mu);
  for (const TopicSpec& spec : added) {
    state_->topics[spec.name] = spec;
    for (int32_t p = 0; p < spec.partitions; ++p) state_->ends[{spec.name, p}] = 0;
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> LocalBus::PartitionCount(const std::string& topic) {
  std::lock_guard lock(state_->mu);
  return state_->PartitionsLocked(topic);
}

absl::StatusOr<int64_t> LocalBus::EndOffset(const TopicPartition& tp) {
  std::lock_guard lock(state_->mu);
  if (absl::Status s = state_->CheckPartitionLocked(tp); !s.ok()) return s;
  return state_->EndLocked(tp);
}

absl::StatusOr<std::unique_ptr<LogReader>> LocalBus::OpenReader(const std::vector<ReadFrom>& from) {
  std::vector<std::pair<TopicPartition, std::pair<int64_t, int64_t>>> ranges;
  {
    std::lock_guard lock(state_->mu);
    for (const ReadFrom& f : from) {
      if (absl::Status s = state_->CheckPartitionLocked(f.tp); !s.ok()) return s;
      ranges.push_back({f.tp, {std::max<int64_t>(f.offset, 0), state_->EndLocked(f.tp)}});
    }
  }
  // The iterator is created after the ends were taken, so it sees every record below them.
  return std::unique_ptr<LogReader>(new Reader(*db_, std::move(ranges)));
}

absl::StatusOr<std::unique_ptr<Appender>> LocalBus::NewAppender(const std::string& /*client_id*/) {
  return std::unique_ptr<Appender>(new LocalAppender(*this));
}

absl::StatusOr<std::unique_ptr<Tail>> LocalBus::Follow(const std::vector<ReadFrom>& from) {
  std::map<TopicPartition, int64_t> positions;
  std::lock_guard lock(state_->mu);
  for (const ReadFrom& f : from) {
    if (absl::Status s = state_->CheckPartitionLocked(f.tp); !s.ok()) return s;
    positions[f.tp] = std::max<int64_t>(f.offset, 0);
  }
  return std::unique_ptr<Tail>(new LocalTail(*this, std::move(positions)));
}

absl::StatusOr<std::unique_ptr<GroupMember>> LocalBus::JoinGroup(const MemberConfig& config) {
  std::lock_guard write(state_->write_mu);
  std::lock_guard lock(state_->mu);
  auto partitions = CheckMemberConfig(
      config, [&](const std::string& topic) { return state_->PartitionsLocked(topic); });
  if (!partitions.ok()) return partitions.status();
  std::vector<std::string> topics = config.topics;
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  Group& group = state_->groups[config.group_id];
  if (!group.members.empty() && group.topics != topics) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topics: group ", config.group_id, " is subscribed to other topics by its members"));
  }
  group.topics = topics;
  group.partitions = *partitions;
  const uint64_t id = state_->next_member_id++;
  group.members.push_back(id);
  group.Reassign();
  // A newer member with the same transactional id fences the older one.
  state_->transactional_owner[config.transactional_id] = id;
  state_->changed.notify_all();
  return NewMember(*this, config, id);
}

}  // namespace rentstream::eventlog
