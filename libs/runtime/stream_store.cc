#include "libs/runtime/stream_store.h"

#include <algorithm>
#include <limits>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "libs/core/hash_chain.h"

namespace rentstream::runtime {
namespace {

// Key spaces. Big-endian integers keep RocksDB's byte order equal to numeric order.
constexpr char kStream = 's';
constexpr char kOutcome = 'o';
constexpr char kApplied = 'a';
constexpr char kReview = 'r';
constexpr char kHistory = 'h';
constexpr char kKeyed = 'k';
constexpr char kMeta = 'm';

// The key layout this code writes: 1 = stream, outcome, review, applied and history records;
// 2 = also keyed records; 3 = outcomes stored without the command id and tenancy their key
// already holds (a store written at 1 or 2 is read as it is: its outcomes carry both); 4 = the
// same keys, with states a release before would misread (the ledger's charged rent periods as
// runs of days: a binary at 3 would see none and charge every period again). A store written
// by a newer layout is refused: this code would misread what it does not know.
constexpr uint64_t kLayout = 4;
const std::string kLayoutKey = std::string(1, kMeta) + "layout";

void PutBE(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetBE(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string PartitionPrefix(char space, int32_t partition) {
  std::string k(1, space);
  PutBE(k, static_cast<uint32_t>(partition), 4);
  return k;
}
std::string StreamKey(int32_t partition, const std::string& tenancy) {
  return PartitionPrefix(kStream, partition) + tenancy;
}
std::string OutcomeKey(int32_t partition, const std::string& tenancy,
                       const std::string& command_id) {
  return absl::StrCat(PartitionPrefix(kOutcome, partition), tenancy, std::string(1, '\0'),
                      command_id);
}
// h | partition | tenancy | NUL | sequence | index: a stream's history in folding order (a
// tenancy reference never contains NUL, so one stream's keys are never a prefix of another's).
std::string HistoryPrefix(int32_t partition, const std::string& tenancy) {
  return absl::StrCat(PartitionPrefix(kHistory, partition), tenancy, std::string(1, '\0'));
}
// k | partition | tenancy | NUL | key: a stream's keyed records in key order.
std::string KeyedPrefix(int32_t partition, const std::string& tenancy) {
  return absl::StrCat(PartitionPrefix(kKeyed, partition), tenancy, std::string(1, '\0'));
}
std::string ReviewKey(int32_t partition, int64_t day, const std::string& tenancy) {
  std::string k = PartitionPrefix(kReview, partition);
  PutBE(k, static_cast<uint64_t>(day), 8);
  return k + tenancy;
}

absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// An outcome's stored bytes: its result alone (the key holds its command id and tenancy), as the
// wire form of a CommandOutcome without fields 1 and 2 — 32 of a payment outcome's 113 bytes.
std::string StoredOutcome(const common::v1::CommandOutcome& outcome) {
  const google::protobuf::MessageLite* result = nullptr;
  int field = 0;
  // No default: a result kind added to the oneof fails to compile here (-Wswitch, -Werror).
  switch (outcome.result_case()) {
    case common::v1::CommandOutcome::kAccepted:
      result = &outcome.accepted();
      field = common::v1::CommandOutcome::kAcceptedFieldNumber;
      break;
    case common::v1::CommandOutcome::kRejected:
      result = &outcome.rejected();
      field = common::v1::CommandOutcome::kRejectedFieldNumber;
      break;
    case common::v1::CommandOutcome::kBatch:
      result = &outcome.batch();
      field = common::v1::CommandOutcome::kBatchFieldNumber;
      break;
    case common::v1::CommandOutcome::RESULT_NOT_SET:
      return "";
  }
  const std::string body = result->SerializeAsString();
  std::string out;
  out.reserve(body.size() + 6);
  out.push_back(static_cast<char>(field << 3 | 2));  // length-delimited
  for (uint64_t n = body.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  out += body;
  return out;
}

// Reads stored outcome bytes: either form (layout 3's, or an older one's that carries both).
absl::Status ParseStoredOutcome(std::string_view bytes, const std::string& tenancy,
                                const std::string& command_id, common::v1::CommandOutcome& out) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("outcome of ", command_id, " does not parse"));
  }
  if (out.command_id().empty()) out.set_command_id(command_id);
  if (out.tenancy_ref().empty()) out.set_tenancy_ref(tenancy);
  return absl::OkStatus();
}

}  // namespace

StreamStore::StreamStore(rocksdb::DB* db) : db_(db) {}
StreamStore::~StreamStore() = default;

absl::StatusOr<std::unique_ptr<StreamStore>> StreamStore::Open(const std::string& dir,
                                                               size_t cache_bytes,
                                                               size_t memtable_bytes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = memtable_bytes;
  options.IncreaseParallelism(2);
  // Most outcome lookups miss (a command seen for the first time): Bloom filters on the tables
  // and on the memtable answer those without a search.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  // RocksDB's default is 8 MiB: a projection of many accounts then reads and decompresses most
  // blocks again for every batch of commands.
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  // LZ4 (Debian's RocksDB is built with it): measured as the default Snappy at 1,000,000
  // accounts and cheaper at 200,000 (docs/performance.md, session 8).
  options.compression = rocksdb::kLZ4Compression;
  // Batches written without the write-ahead log (Durability::kFromBus) are flushed to tables
  // when the store closes (RocksDB's default, relied on: a clean stop refolds nothing).
  options.avoid_flush_during_shutdown = false;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) return FromRocks(s, absl::StrCat("open state store ", dir));
  std::unique_ptr<StreamStore> store(new StreamStore(db));
  std::string layout;
  s = db->Get(rocksdb::ReadOptions(), kLayoutKey, &layout);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "state store layout");
  const uint64_t written = s.ok() && layout.size() == 8 ? GetBE(layout, 8) : 0;
  if (s.ok() && layout.size() != 8) {
    return absl::DataLossError(absl::StrCat("state store ", dir, ": its layout marker is ",
                                            layout.size(), " bytes, not 8"));
  }
  if (written > kLayout) {
    return absl::FailedPreconditionError(
        absl::StrCat("state store ", dir, " was written by a newer release (layout ", written,
                     "; this one knows up to ", kLayout,
                     "): run that release, or rebuild the projection into an empty directory"));
  }
  if (written < kLayout) {
    std::string value;
    PutBE(value, kLayout, 8);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (s = db->Put(wo, kLayoutKey, value); !s.ok()) return FromRocks(s, "state store layout");
  }
  return store;
}

absl::StatusOr<std::optional<v1::StreamRecord>> StreamStore::LoadStream(int32_t partition,
                                                                        const std::string& tenancy,
                                                                        SideRecords* side,
                                                                        const SideWanted& wanted) {
  // With its side records: all read from one snapshot, so they agree.
  const rocksdb::Snapshot* snapshot = side != nullptr ? db_->GetSnapshot() : nullptr;
  absl::Cleanup release = [&] {
    if (snapshot != nullptr) db_->ReleaseSnapshot(snapshot);
  };
  if (side != nullptr) *side = SideRecords();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(ro, StreamKey(partition, tenancy), &value);
  if (s.IsNotFound()) return std::optional<v1::StreamRecord>();
  if (!s.ok()) return FromRocks(s, "load stream");
  v1::StreamRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("stream record of ", tenancy, " does not parse"));
  }
  if (side != nullptr) {
    if (absl::Status st = ReadSide(snapshot, partition, tenancy, *side, wanted); !st.ok()) {
      return st;
    }
  }
  return std::optional<v1::StreamRecord>(std::move(record));
}

absl::Status StreamStore::ReadSide(const rocksdb::Snapshot* snapshot, int32_t partition,
                                   const std::string& tenancy, SideRecords& side,
                                   const SideWanted& wanted) {
  // Each iterator bounded to its stream's key range (no reads past it).
  std::string history_end = HistoryPrefix(partition, tenancy);
  history_end.back() = '\1';
  std::string keyed_end = KeyedPrefix(partition, tenancy);
  keyed_end.back() = '\1';
  const rocksdb::Slice history_upper(history_end), keyed_upper(keyed_end);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> history;
  if (wanted.history) {
    ro.iterate_upper_bound = &history_upper;
    history.reset(db_->NewIterator(ro));
  }
  ro.iterate_upper_bound = &keyed_upper;
  std::unique_ptr<rocksdb::Iterator> keyed(db_->NewIterator(ro));
  return ReadSideAt(history.get(), *keyed, partition, tenancy, side, wanted.keyed_prefix);
}

absl::Status StreamStore::ReadSideAt(rocksdb::Iterator* history, rocksdb::Iterator& keyed,
                                     int32_t partition, const std::string& tenancy,
                                     SideRecords& side, const std::string& keyed_prefix) {
  side.history.clear();
  side.keyed.clear();
  if (history != nullptr) {
    const std::string history_prefix = HistoryPrefix(partition, tenancy);
    for (history->Seek(history_prefix);
         history->Valid() && history->key().starts_with(history_prefix); history->Next()) {
      side.history.push_back(history->value().ToString());
    }
    if (!history->status().ok()) return FromRocks(history->status(), "history of " + tenancy);
  }
  const std::string stream_prefix = KeyedPrefix(partition, tenancy);
  const std::string prefix = stream_prefix + keyed_prefix;
  for (keyed.Seek(prefix); keyed.Valid() && keyed.key().starts_with(prefix); keyed.Next()) {
    side.keyed.emplace_hint(side.keyed.end(), keyed.key().ToString().substr(stream_prefix.size()),
                            keyed.value().ToString());
  }
  return FromRocks(keyed.status(), "keyed records of " + tenancy);
}

absl::Status StreamStore::GetMany(const std::vector<std::string>& keys,
                                  std::vector<std::optional<std::string>>& values) {
  values.assign(keys.size(), std::nullopt);
  if (keys.empty()) return absl::OkStatus();
  if (keys.size() == 1) {  // a plain lookup costs less than a batch of one
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), keys[0], &value);
    if (s.ok()) values[0] = std::move(value);
    return s.ok() || s.IsNotFound() ? absl::OkStatus() : FromRocks(s, "lookup");
  }
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> found(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(), slices.data(),
                found.data(), statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "lookup");
    values[i] = found[i].ToString();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::optional<v1::StreamRecord>>> StreamStore::LoadStreams(
    int32_t partition, const std::vector<std::string>& tenancies) {
  std::vector<std::string> keys;
  keys.reserve(tenancies.size());
  for (const std::string& t : tenancies) keys.push_back(StreamKey(partition, t));
  std::vector<std::optional<std::string>> values;
  if (absl::Status st = GetMany(keys, values); !st.ok()) return st;
  std::vector<std::optional<v1::StreamRecord>> out(tenancies.size());
  for (size_t i = 0; i < tenancies.size(); ++i) {
    if (!values[i].has_value()) continue;
    out[i].emplace();
    if (!out[i]->ParseFromString(*values[i])) {
      return absl::DataLossError(
          absl::StrCat("stream record of ", tenancies[i], " does not parse"));
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<common::v1::CommandOutcome>>> StreamStore::LoadOutcomes(
    int32_t partition, const std::vector<std::pair<std::string, std::string>>& commands) {
  std::vector<std::string> keys;
  keys.reserve(commands.size());
  for (const auto& [tenancy, id] : commands) keys.push_back(OutcomeKey(partition, tenancy, id));
  std::vector<std::optional<std::string>> values;
  if (absl::Status st = GetMany(keys, values); !st.ok()) return st;
  std::vector<std::optional<common::v1::CommandOutcome>> out(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!values[i].has_value()) continue;
    out[i].emplace();
    if (absl::Status st =
            ParseStoredOutcome(*values[i], commands[i].first, commands[i].second, *out[i]);
        !st.ok()) {
      return st;
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<std::string>>> StreamStore::LoadKeyedOf(
    int32_t partition, const std::vector<std::pair<std::string, std::string>>& tenancy_keys) {
  std::vector<std::string> keys;
  keys.reserve(tenancy_keys.size());
  for (const auto& [tenancy, key] : tenancy_keys)
    keys.push_back(KeyedPrefix(partition, tenancy) + key);
  std::vector<std::optional<std::string>> values;
  if (absl::Status st = GetMany(keys, values); !st.ok()) return st;
  return values;
}

absl::Status StreamStore::LoadKeyed(int32_t partition, const std::string& tenancy,
                                    const std::vector<std::string>& keys, KeyedRecords& out) {
  if (keys.empty()) return absl::OkStatus();
  const std::string prefix = KeyedPrefix(partition, tenancy);
  // Many keys of a stream that holds nothing under their common prefix — an import's lines
  // checked against a suspense stream with no payment held, the usual case — are answered by
  // one seek instead of a lookup each (~0.45 µs a line at the gRPC edge).
  if (keys.size() >= kKeysCheckedBySeek) {
    std::string_view common = keys.front();
    for (const std::string& k : keys) {
      size_t n = 0;
      while (n < common.size() && n < k.size() && common[n] == k[n]) ++n;
      common = common.substr(0, n);
    }
    auto any = AnyKeyUnder(prefix + std::string(common));
    if (!any.ok()) return any.status();
    if (!*any) return absl::OkStatus();
  }
  std::vector<std::string> full;
  full.reserve(keys.size());
  for (const std::string& k : keys) full.push_back(prefix + k);
  std::vector<std::optional<std::string>> values;
  if (absl::Status st = GetMany(full, values); !st.ok()) return st;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (values[i].has_value()) out[keys[i]] = *std::move(values[i]);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> StreamStore::AnyKeyUnder(const std::string& key_prefix) {
  rocksdb::ReadOptions ro;
  // Bounded to the prefix's range: the key after every key that starts with it (a prefix of
  // bytes 0xff only has none, and is read unbounded).
  std::string upper = key_prefix;
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  rocksdb::Slice upper_slice;
  if (!upper.empty()) {
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    upper_slice = rocksdb::Slice(upper);
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  it->Seek(key_prefix);
  const bool any = it->Valid() && it->key().starts_with(key_prefix);
  if (!it->status().ok()) return FromRocks(it->status(), "keyed records");
  return any;
}

absl::StatusOr<std::optional<common::v1::CommandOutcome>> StreamStore::LoadOutcome(
    int32_t partition, const std::string& tenancy, const std::string& command_id) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), OutcomeKey(partition, tenancy, command_id), &value);
  if (s.IsNotFound()) return std::optional<common::v1::CommandOutcome>();
  if (!s.ok()) return FromRocks(s, "load outcome");
  common::v1::CommandOutcome outcome;
  if (absl::Status st = ParseStoredOutcome(value, tenancy, command_id, outcome); !st.ok()) {
    return st;
  }
  return std::optional<common::v1::CommandOutcome>(std::move(outcome));
}

absl::StatusOr<int64_t> StreamStore::AppliedOffset(int32_t partition) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), PartitionPrefix(kApplied, partition), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocks(s, "load applied offset");
  if (value.size() != 8) return absl::DataLossError("applied offset: bad length");
  return static_cast<int64_t>(GetBE(value, 8));
}

absl::StatusOr<std::vector<StreamStore::DueStream>> StreamStore::DueStreamsAfter(
    int32_t partition, int64_t day, size_t limit, const std::optional<DueCursor>& after) {
  const std::string prefix = PartitionPrefix(kReview, partition);
  std::vector<DueStream> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string start = after.has_value() ? ReviewKey(partition, after->day, after->tenancy)
                                              : ReviewKey(partition, 1, "");
  it->Seek(start);
  if (after.has_value() && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();
  for (; it->Valid() && out.size() < limit; it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(prefix)) break;
    const std::string_view rest(key.data() + prefix.size(), key.size() - prefix.size());
    const int64_t review = static_cast<int64_t>(GetBE(rest, 8));
    if (review > day) break;
    out.push_back({review, std::string(rest.substr(8))});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "due streams");
  return out;
}

absl::StatusOr<std::vector<std::string>> StreamStore::DueStreams(int32_t partition, int64_t day,
                                                                 size_t limit) {
  auto due = DueStreamsAfter(partition, day, limit, std::nullopt);
  if (!due.ok()) return due.status();
  std::vector<std::string> out;
  for (DueStream& d : *due) out.push_back(std::move(d.tenancy));
  return out;
}

namespace {

// The write batch buffer a thread used last, for its next batch: a transaction's batch is
// megabytes, and growing a fresh one means copying it and faulting in new pages every time.
std::unique_ptr<rocksdb::WriteBatch>& SpareWriteBatch() {
  thread_local std::unique_ptr<rocksdb::WriteBatch> spare;
  return spare;
}

}  // namespace

StreamStore::Batch::Batch()
    : wb_(SpareWriteBatch() ? std::move(SpareWriteBatch())
                            : std::make_unique<rocksdb::WriteBatch>()) {}

StreamStore::Batch::~Batch() {
  // Kept unless exceptionally large, or the thread already has one (a second batch at once).
  std::unique_ptr<rocksdb::WriteBatch>& spare = SpareWriteBatch();
  if (wb_ && wb_->GetDataSize() <= (64u << 20) && !spare) {
    wb_->Clear();
    spare = std::move(wb_);
  }
}

bool StreamStore::Batch::empty() const { return wb_->Count() == 0; }

void StreamStore::Batch::Put(std::string_view key, std::string_view value) {
  rocksdb::Status s =
      wb_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  if (!s.ok() && status_.ok()) status_ = FromRocks(s, "batch");
}

void StreamStore::Batch::Delete(std::string_view key) {
  rocksdb::Status s = wb_->Delete(rocksdb::Slice(key.data(), key.size()));
  if (!s.ok() && status_.ok()) status_ = FromRocks(s, "batch");
}

void StreamStore::Batch::PutStream(int32_t partition, const v1::StreamRecord& record,
                                   int64_t previous_review_day) {
  if (previous_review_day != record.next_review_day()) {
    if (previous_review_day > 0) {
      Delete(ReviewKey(partition, previous_review_day, record.tenancy_ref()));
    }
    if (record.next_review_day() > 0) {
      Put(ReviewKey(partition, record.next_review_day(), record.tenancy_ref()), "");
    }
  }
  Put(StreamKey(partition, record.tenancy_ref()), record.SerializeAsString());
}

void StreamStore::Batch::PutOutcome(int32_t partition, const std::string& tenancy,
                                    const common::v1::CommandOutcome& outcome) {
  Put(OutcomeKey(partition, tenancy, outcome.command_id()), StoredOutcome(outcome));
}

void StreamStore::Batch::PutHistory(int32_t partition, const std::string& tenancy,
                                    uint64_t sequence, const std::vector<std::string>& records) {
  const std::string prefix = HistoryPrefix(partition, tenancy);
  for (size_t i = 0; i < records.size(); ++i) {
    std::string key = prefix;
    PutBE(key, sequence, 8);
    PutBE(key, i, 4);
    Put(key, records[i]);
  }
}

void StreamStore::Batch::PutKeyed(int32_t partition, const std::string& tenancy,
                                  const std::string& key, const std::string& record) {
  Put(KeyedPrefix(partition, tenancy) + key, record);
}

void StreamStore::Batch::SetApplied(int32_t partition, int64_t next_offset) {
  std::string v;
  PutBE(v, static_cast<uint64_t>(next_offset), 8);
  Put(PartitionPrefix(kApplied, partition), v);
}

absl::Status StreamStore::Write(const Batch& batch, Durability durability) {
  if (!batch.status_.ok()) return batch.status_;
  // Loops never wait for each other here, so RocksDB can group their writes.
  rocksdb::WriteOptions wo;
  wo.sync = durability == Durability::kSynced;
  wo.disableWAL = durability == Durability::kFromBus;
  return FromRocks(db_->Write(wo, batch.wb_.get()), "write state batch");
}

absl::Status StreamStore::StartFlush() {
  rocksdb::FlushOptions fo;
  fo.wait = false;
  fo.allow_write_stall = true;  // never block the caller's loop
  return FromRocks(db_->Flush(fo), "flush state store");
}

absl::StatusOr<uint64_t> StreamStore::UnflushedEntries() {
  uint64_t active = 0;
  uint64_t immutable = 0;
  if (!db_->GetIntProperty(rocksdb::DB::Properties::kNumEntriesActiveMemTable, &active) ||
      !db_->GetIntProperty(rocksdb::DB::Properties::kNumEntriesImmMemTables, &immutable)) {
    return absl::InternalError("state store: memtable entry counts unavailable");
  }
  return active + immutable;
}

absl::Status StreamStore::ForEachStream(const std::function<bool(const v1::StreamRecord&)>& visit,
                                        const std::vector<int32_t>* only) {
  return ForEachStreamWithSide(
      [&](const v1::StreamRecord& record, const SideLoader&) { return visit(record); }, only);
}

absl::Status StreamStore::ForEachStreamWithSide(
    const std::function<bool(const v1::StreamRecord&, const SideLoader&)>& visit,
    const std::vector<int32_t>* only) {
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  absl::Cleanup release = [&] { db_->ReleaseSnapshot(snapshot); };
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  // One history and one keyed-record iterator for the whole scan, moving forward with the
  // stream records (all three key spaces are ordered by partition, then tenancy): a seek per
  // account, not new iterators.
  std::unique_ptr<rocksdb::Iterator> history_it, keyed_it;
  const std::string first(1, kStream);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) {
    v1::StreamRecord record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("stream record ", it->key().ToString(), " does not parse"));
    }
    const int32_t partition = static_cast<int32_t>(GetBE(it->key().ToStringView().substr(1), 4));
    if (only != nullptr && std::find(only->begin(), only->end(), partition) == only->end()) {
      continue;  // another replica's (or an old copy of one this instance served once)
    }
    const SideLoader load = [&](SideRecords& side) {
      if (!history_it) history_it.reset(db_->NewIterator(ro));
      if (!keyed_it) keyed_it.reset(db_->NewIterator(ro));
      return ReadSideAt(history_it.get(), *keyed_it, partition, record.tenancy_ref(), side);
    };
    if (!visit(record, load)) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "streams");
  return absl::OkStatus();
}

absl::StatusOr<std::string> StreamStore::StreamsDigest() {
  std::string all;
  // One snapshot for both key spaces: a digest of one state of the store.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  absl::Cleanup release = [&] { db_->ReleaseSnapshot(snapshot); };
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (const char space : {kStream, kHistory, kKeyed}) {
    const std::string first(1, space);
    for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) {
      all.append(core::Sha256(absl::StrCat(it->key().ToString(), "=", it->value().ToString())));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "digest");
  return core::ToHex(core::Sha256(all));
}

absl::StatusOr<uint64_t> StreamStore::StreamCount() {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string first(1, kStream);
  for (it->Seek(first); it->Valid() && it->key().starts_with(first); it->Next()) ++n;
  if (!it->status().ok()) return FromRocks(it->status(), "count");
  return n;
}

}  // namespace rentstream::runtime
