#include "libs/eventlog/local_bus.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
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
using local_log::OffsetKey;
using local_log::ReadRange;
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

absl::StatusOr<int64_t> ReadRange(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                  const TopicPartition& tp, int64_t from, int64_t end, size_t max,
                                  std::vector<Record>& out) {
  if (from >= end || max == 0) return from;
  auto missing = [&](int64_t position) {
    return absl::DataLossError(absl::StrCat("local log: records of ", tp.topic, "/", tp.partition,
                                            " below ", end, " are missing from offset ", position));
  };
  if (family == nullptr) return missing(from);
  const std::string upper = OffsetKey(end);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options, family));
  int64_t position = from;
  size_t taken = 0;
  for (it->Seek(OffsetKey(from)); it->Valid() && taken < max; it->Next()) {
    // Offsets are contiguous: a gap is a lost record, not the end of the range.
    if (it->key().size() != 8 || local_log::OffsetOfKey(it->key()) != position) break;
    Record r;
    r.topic = tp.topic;
    r.partition = tp.partition;
    r.offset = position;
    if (!DecodeRecord(absl::string_view(it->value().data(), it->value().size()), r)) {
      return absl::DataLossError(absl::StrCat("local log: record ", tp.topic, "/", tp.partition,
                                              "@", position, " cannot be decoded"));
    }
    out.push_back(std::move(r));
    ++position;
    ++taken;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "local log read");
  if (taken < max && position < end) return missing(position);
  return position;
}

}  // namespace local_log

// ---------------------------------------------------------------------------------------------
// Readers, tails, appenders

class LocalBus::Reader : public LogReader {
 public:
  Reader(LocalBus& bus, std::vector<std::pair<TopicPartition, std::pair<int64_t, int64_t>>> ranges)
      : bus_(bus), ranges_(std::move(ranges)) {}

  absl::StatusOr<std::vector<Record>> Next(size_t max_records) override {
    std::vector<Record> out;
    while (current_ < ranges_.size() && out.size() < max_records) {
      auto& [tp, range] = ranges_[current_];
      if (range.first >= range.second) {
        ++current_;
        continue;
      }
      rocksdb::ColumnFamilyHandle* family;
      {
        std::lock_guard lock(bus_.state_->mu);
        family = bus_.state_->FamilyLocked(tp);
      }
      auto pos = ReadRange(*bus_.db_, family, tp, range.first, range.second,
                           max_records - out.size(), out);
      if (!pos.ok()) return pos.status();
      range.first = *pos;
    }
    return out;
  }

 private:
  LocalBus& bus_;
  std::vector<std::pair<TopicPartition, std::pair<int64_t, int64_t>>> ranges_;
  size_t current_ = 0;
};

class LocalBus::LocalTail : public Tail {
 public:
  LocalTail(LocalBus& bus, std::map<TopicPartition, int64_t> positions)
      : bus_(bus), positions_(std::move(positions)) {}

  absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                           std::chrono::milliseconds timeout) override {
    State& st = *bus_.state_;
    std::map<TopicPartition, std::pair<int64_t, rocksdb::ColumnFamilyHandle*>> readable;
    {
      std::unique_lock lock(st.mu);
      auto ready = [&] {
        readable.clear();
        for (const auto& [tp, pos] : positions_) {
          if (const int64_t end = st.EndLocked(tp); pos < end)
            readable[tp] = {end, st.FamilyLocked(tp)};
        }
        return !readable.empty();
      };
      if (!st.changed.wait_for(lock, timeout, ready)) return std::vector<Record>{};
    }
    std::vector<Record> out;
    for (const auto& [tp, where] : readable) {
      if (out.size() >= max_records) break;
      auto pos = ReadRange(*bus_.db_, where.second, tp, positions_[tp], where.first,
                           max_records - out.size(), out);
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
    std::vector<TopicPartition> written;
    for (const auto& [tp, end] : ends) written.push_back(tp);
    if (absl::Status s = bus_.EnsureFamilies(written); !s.ok()) return s;
    rocksdb::WriteBatch batch;
    const int64_t now = NowMs();
    for (size_t i = 0; i < records.size(); ++i) {
      batch.Put(st.families.at(where[i]), OffsetKey(ends[where[i]]++),
                EncodeRecord(records[i], now));
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

LocalBus::~LocalBus() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  db_.reset();
}

absl::Status LocalBus::Write(rocksdb::WriteBatch& batch, absl::string_view what) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync_commits;
  return FromRocks(db_->Write(wo, &batch), absl::StrCat("local log ", what));
}

namespace {

// Options of a partition's column family. Its memtable is bounded by the database's shared
// write buffer budget (below) long before its own size.
rocksdb::ColumnFamilyOptions PartitionFamilyOptions() {
  rocksdb::ColumnFamilyOptions o;
  o.write_buffer_size = 64 << 20;
  return o;
}

rocksdb::DBOptions LogDbOptions() {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  // All memtables together: when they pass it, the family with the oldest one is flushed.
  o.db_write_buffer_size = 128 << 20;
  // A family written to rarely would otherwise keep old write-ahead logs alive.
  o.max_total_wal_size = 256 << 20;
  // A partition's files are moved down, never merged, so a long-lived log holds many of them
  // (~4 MB each at 1,000,000 payments); keep the open file descriptors bounded. A tailing read
  // only opens the newest.
  o.max_open_files = 512;
  return o;
}

}  // namespace

absl::Status LocalBus::EnsureFamilies(const std::vector<TopicPartition>& tps) {
  std::vector<rocksdb::ColumnFamilyDescriptor> missing;
  std::vector<TopicPartition> which;
  for (const TopicPartition& tp : tps) {
    if (state_->families.count(tp) != 0) continue;
    missing.emplace_back(local_log::PartitionFamily(tp), PartitionFamilyOptions());
    which.push_back(tp);
  }
  if (missing.empty()) return absl::OkStatus();
  std::vector<rocksdb::ColumnFamilyHandle*> made;
  absl::Status s = FromRocks(db_->CreateColumnFamilies(missing, &made),
                             "local log: create a partition's column family");
  // Some may have been made before a failure; keep those.
  handles_.insert(handles_.end(), made.begin(), made.end());
  std::lock_guard lock(state_->mu);
  for (size_t i = 0; i < made.size(); ++i) state_->families[which[i]] = made[i];
  return s;
}

absl::StatusOr<std::unique_ptr<LocalBus>> LocalBus::Open(const std::string& dir,
                                                         LocalBusOptions options) {
  if (dir.empty()) return absl::InvalidArgumentError("local bus: directory is empty");
  std::unique_ptr<LocalBus> bus(new LocalBus(dir, options));
  const rocksdb::DBOptions db_options = LogDbOptions();
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    names.clear();
    if (absl::Status s = FromRocks(rocksdb::DB::ListColumnFamilies(db_options, dir, &names),
                                   "local log open " + dir);
        !s.ok()) {
      return s;
    }
  } else if (ec) {
    return absl::UnavailableError(absl::StrCat("local log open ", dir, ": ", ec.message()));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions o = PartitionFamilyOptions();
    if (name == rocksdb::kDefaultColumnFamilyName) o.write_buffer_size = 16 << 20;
    families.emplace_back(name, o);
  }
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (absl::Status s = FromRocks(rocksdb::DB::Open(db_options, dir, families, &handles, &raw),
                                 "local log open " + dir);
      !s.ok()) {
    return s;
  }
  bus->db_.reset(raw);
  bus->handles_ = handles;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != rocksdb::kDefaultColumnFamilyName) by_name[names[i]] = handles[i];
  }
  // Nothing else runs on the bus yet; the lock keeps EnsureFamilies' contract.
  std::lock_guard write(bus->state_->write_mu);
  if (absl::Status s = bus->RecoverTopics(by_name); !s.ok()) return s;

  std::string layout;
  const rocksdb::Status got = raw->Get(rocksdb::ReadOptions(), local_log::kLayoutKey, &layout);
  if (got.IsNotFound()) {
    // Layout 1 (or a new log): move its records, then mark the layout.
    if (absl::Status s = bus->MoveLayout1Records(); !s.ok()) return s;
  } else if (!got.ok()) {
    return FromRocks(got, "local log open " + dir);
  } else if (layout != local_log::kLayout) {
    return absl::FailedPreconditionError(
        absl::StrCat("local log ", dir, ": layout ", layout, " is not one this version reads (",
                     local_log::kLayout, "); was it written by a newer Rentstream?"));
  }
  if (absl::Status s = bus->RecoverPositions(); !s.ok()) return s;
  return bus;
}

absl::Status LocalBus::RecoverTopics(
    std::map<std::string, rocksdb::ColumnFamilyHandle*> partition_families) {
  State& st = *state_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(local_log::kTopicTag); it->Valid() && it->key().starts_with(local_log::kTopicTag);
       it->Next()) {
    TopicSpec spec;
    if (!local_log::DecodeTopic(absl::string_view(it->value().data(), it->value().size()), spec)) {
      return absl::DataLossError(
          absl::StrCat("local log: topic entry ", it->key().ToString(), " cannot be decoded"));
    }
    st.topics[spec.name] = spec;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "local log recovery");
  // Each declared partition's family by its exact name; any other is not ours to guess about.
  for (const auto& [name, spec] : st.topics) {
    for (int32_t p = 0; p < spec.partitions; ++p) {
      const TopicPartition tp{name, p};
      auto found = partition_families.find(local_log::PartitionFamily(tp));
      if (found == partition_families.end()) continue;
      st.families[tp] = found->second;
      partition_families.erase(found);
    }
  }
  if (!partition_families.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("local log ", dir_, ": column family \"",
                                                      partition_families.begin()->first,
                                                      "\" is no declared topic partition's"));
  }
  return absl::OkStatus();
}

absl::Status LocalBus::MoveLayout1Records() {
  // A name the new layout cannot hold stops the move before it changes anything (the log then
  // still opens with the release before).
  for (const auto& [name, spec] : state_->topics) {
    if (!local_log::IsValidTopicName(name)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "local log ", dir_, ": topic \"", name,
          "\" has a name Kafka would refuse (1 to 249 of [a-zA-Z0-9._-]); its records cannot be "
          "moved to this release's layout"));
    }
  }
  // Copy every record to its partition's family (a Put of the same bytes again is harmless, so
  // a move cut short by a crash is simply redone), then remove the old keys and mark the layout
  // in one synced batch.
  const std::string first = local_log::kLayout1RecordTag;
  const std::string past = "s";  // the tag after "r"
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  rocksdb::WriteBatch batch;
  bool any = false;
  for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) {
    TopicPartition tp;
    int64_t offset = 0;
    if (!local_log::DecodeLayout1RecordKey(it->key(), tp, offset)) {
      return absl::DataLossError(absl::StrCat("local log ", dir_, ": a layout-1 record key (",
                                              it->key().ToString(true), ") cannot be decoded"));
    }
    if (absl::Status s = state_->CheckPartitionLocked(tp); !s.ok()) {
      return absl::DataLossError(absl::StrCat("local log ", dir_, ": a record of ", tp.topic, "/",
                                              tp.partition, "@", offset,
                                              " is of no declared partition: ", s.message()));
    }
    if (absl::Status s = EnsureFamilies({tp}); !s.ok()) return s;
    batch.Put(state_->families.at(tp), OffsetKey(offset), it->value());
    any = true;
    if (batch.GetDataSize() >= (8u << 20)) {
      if (absl::Status s =
              FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "local log: move to layout 2");
          !s.ok()) {
        return s;
      }
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "local log: move to layout 2");
  it.reset();
  if (any) {
    if (absl::Status s = FromRocks(batch.DeleteRange(first, past), "local log: move"); !s.ok())
      return s;
  }
  if (absl::Status s = FromRocks(batch.Put(local_log::kLayoutKey, local_log::kLayout),
                                 "local log: mark the layout");
      !s.ok()) {
    return s;
  }
  rocksdb::WriteOptions synced;
  synced.sync = true;
  if (absl::Status s = FromRocks(db_->Write(synced, &batch), "local log: move to layout 2");
      !s.ok()) {
    return s;
  }
  if (any) {
    // Give the old records' space back now rather than at some later compaction. Best effort:
    // the move is done, and a compaction that fails here is retried by RocksDB in time.
    const rocksdb::Slice begin(first), end(past);
    db_->CompactRange(rocksdb::CompactRangeOptions(), &begin, &end).PermitUncheckedError();
  }
  return absl::OkStatus();
}

absl::Status LocalBus::RecoverPositions() {
  State& st = *state_;
  for (const auto& [name, spec] : st.topics) {
    for (int32_t p = 0; p < spec.partitions; ++p) {
      const TopicPartition tp{name, p};
      st.ends[tp] = 0;
      rocksdb::ColumnFamilyHandle* family = st.FamilyLocked(tp);
      if (family == nullptr) continue;
      std::unique_ptr<rocksdb::Iterator> last(db_->NewIterator(rocksdb::ReadOptions(), family));
      last->SeekToLast();
      if (!last->status().ok()) return FromRocks(last->status(), "local log recovery");
      if (last->Valid()) st.ends[tp] = local_log::OffsetOfKey(last->key()) + 1;
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(local_log::kGroupTag); it->Valid() && it->key().starts_with(local_log::kGroupTag);
       it->Next()) {
    std::string group;
    TopicPartition tp;
    int64_t offset = 0;
    if (!local_log::DecodeGroupEntry(it->key(), it->value(), group, tp, offset)) {
      return absl::DataLossError("local log: a committed position cannot be decoded");
    }
    // A group consumed records up to its position: a partition ending below it lost its end.
    if (const int64_t end = st.EndLocked(tp); offset > end) {
      return absl::DataLossError(absl::StrCat(
          "local log ", dir_, ": group ", group, " has consumed ", tp.topic, "/", tp.partition,
          " up to offset ", offset, " but the partition ends at ", end, ": records were lost"));
    }
    st.committed[group][tp] = offset;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "local log recovery");
  return absl::OkStatus();
}

absl::Status LocalBus::DeclareTopics(const std::vector<TopicSpec>& topics) {
  std::lock_guard write(state_->write_mu);
  rocksdb::WriteBatch batch;
  std::vector<TopicSpec> added;
  {
    std::lock_guard lock(state_->mu);
    for (const TopicSpec& spec : topics) {
      if (!local_log::IsValidTopicName(spec.name)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "topic \"", spec.name,
            "\": invalid name (1 to 249 of the letters, digits, '.', '_' and '-', not . or ..)"));
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
  // Records below the ends taken are never changed: reading them later sees them all.
  return std::unique_ptr<LogReader>(new Reader(*this, std::move(ranges)));
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
