#pragma once
// A service instance's RocksDB projection (architecture §3 step 4): per tenancy stream its
// StreamRecord (hash-chain head + service state) with its history and keyed records
// (stream_side.h), the remembered command outcomes, an index of streams by next review day (for
// clock ticks), and per partition "own events applied up to".
// Every change of a batch is written in ONE WriteBatch (Write: whether through RocksDB's own
// write-ahead log, synced, or — the processors' default — without it, the bus being the log).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/runtime/stream_side.h"
#include "rentstream/common/v1/command.pb.h"
#include "rentstream/runtime/v1/stream.pb.h"

namespace rocksdb {
class DB;
class Iterator;
class Snapshot;
class WriteBatch;
}  // namespace rocksdb

namespace rentstream::runtime {

class StreamStore {
 public:
  // `cache_bytes`: this store's RocksDB block cache (uncompressed blocks read from the tables),
  // shared by the processing loops that share the store; it fills as blocks are read, up to
  // that size.
  // `memtable_bytes`: the size of a memtable (RocksDB's write buffer; it keeps up to two), past
  // which it is flushed to a table — with Durability::kFromBus also the most a crash can take.
  static constexpr size_t kDefaultCacheBytes = size_t{256} << 20;
  // Fewer, larger level-0 files than RocksDB's 64 MiB: each level-0 compaction rewrites all of
  // level 1, so a projection written as fast as an import writes it spent a fifth of a core
  // compacting at 64 MiB and half that at 128 (docs/performance.md, session 10).
  static constexpr size_t kDefaultMemtableBytes = size_t{128} << 20;
  static absl::StatusOr<std::unique_ptr<StreamStore>> Open(
      const std::string& dir, size_t cache_bytes = kDefaultCacheBytes,
      size_t memtable_bytes = kDefaultMemtableBytes);
  ~StreamStore();

  // With `side`: also the stream's history records (in the order folded) and its keyed records
  // (StreamLogic::EvolveStream) — all of them, or those `wanted` names — read from the same
  // snapshot as the record.
  absl::StatusOr<std::optional<v1::StreamRecord>> LoadStream(int32_t partition,
                                                             const std::string& tenancy,
                                                             SideRecords* side = nullptr,
                                                             const SideWanted& wanted = {});
  // Several streams of a partition at once (one batched lookup): nullopt for those with none.
  absl::StatusOr<std::vector<std::optional<v1::StreamRecord>>> LoadStreams(
      int32_t partition, const std::vector<std::string>& tenancies);
  // Several remembered outcomes of a partition at once, by (tenancy, command id).
  absl::StatusOr<std::vector<std::optional<common::v1::CommandOutcome>>> LoadOutcomes(
      int32_t partition, const std::vector<std::pair<std::string, std::string>>& commands);
  // Keyed records of several streams of a partition at once, by (tenancy, key).
  absl::StatusOr<std::vector<std::optional<std::string>>> LoadKeyedOf(
      int32_t partition, const std::vector<std::pair<std::string, std::string>>& tenancy_keys);
  // Adds to `out` the stream's keyed records under `keys` that exist (one batched lookup; or,
  // for kKeysCheckedBySeek keys or more, first one seek for any record under their common
  // prefix — none, nothing to look up).
  static constexpr size_t kKeysCheckedBySeek = 16;
  absl::Status LoadKeyed(int32_t partition, const std::string& tenancy,
                         const std::vector<std::string>& keys, KeyedRecords& out);
  absl::StatusOr<std::optional<common::v1::CommandOutcome>> LoadOutcome(
      int32_t partition, const std::string& tenancy, const std::string& command_id);
  // Next offset of the own events topic partition to fold (0 = nothing folded yet).
  absl::StatusOr<int64_t> AppliedOffset(int32_t partition);
  // A position in the review index: (review day, tenancy), in index order.
  struct DueCursor {
    int64_t day = 0;
    std::string tenancy;
  };
  struct DueStream {
    int64_t day = 0;
    std::string tenancy;
  };
  // Streams of a partition whose next review day is in (0, day], in (day, tenancy) order, at
  // most `limit`, starting after `after` when given (paging through a large tick).
  absl::StatusOr<std::vector<DueStream>> DueStreamsAfter(int32_t partition, int64_t day,
                                                         size_t limit,
                                                         const std::optional<DueCursor>& after);
  // The tenancies alone, from the start of the index.
  absl::StatusOr<std::vector<std::string>> DueStreams(int32_t partition, int64_t day, size_t limit);

  // The changes of one batch; applied atomically by Write. Built straight into a RocksDB write
  // batch (a transaction's is megabytes: no second copy), whose buffer a thread reuses.
  class Batch {
   public:
    Batch();
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // `previous_review_day` is what the stored record had (0 if none), to move the index entry.
    void PutStream(int32_t partition, const v1::StreamRecord& record, int64_t previous_review_day);
    void PutOutcome(int32_t partition, const std::string& tenancy,
                    const common::v1::CommandOutcome& outcome);
    // The history records one event of the stream added (append-only; keyed by its sequence,
    // so folding the event again writes the same keys).
    void PutHistory(int32_t partition, const std::string& tenancy, uint64_t sequence,
                    const std::vector<std::string>& records);
    // A keyed record of the stream, set (or replaced) under its key.
    void PutKeyed(int32_t partition, const std::string& tenancy, const std::string& key,
                  const std::string& record);
    void SetApplied(int32_t partition, int64_t next_offset);
    bool empty() const;

   private:
    friend class StreamStore;
    void Put(std::string_view key, std::string_view value);
    void Delete(std::string_view key);
    std::unique_ptr<rocksdb::WriteBatch> wb_;
    absl::Status status_;  // the first change RocksDB refused (a key or value over 4 GiB)
  };
  // How a batch is made to last.
  enum class Durability {
    // Through RocksDB's write-ahead log, synced: the batch survives a crash of the process or
    // the machine once Write returns.
    kSynced,
    // Without the write-ahead log (Kafka Streams keeps its RocksDB stores so, its changelog
    // topic being the log): the batch lasts once RocksDB flushes its memtable (in the
    // background, and when the store closes). A crash loses the batches written since the last
    // flush — whole batches, oldest kept, so the store is as it was after an earlier batch,
    // "applied up to" included — and the processor's catch-up folds those events again from
    // the topic (architecture §3).
    kFromBus,
  };
  // One store is written with one durability: a kSynced batch replayed from the write-ahead log
  // after kFromBus batches before it were lost would leave a later "applied up to" without
  // their records, and the catch-up would skip their events.
  absl::Status Write(const Batch& batch, Durability durability = Durability::kSynced);
  // Starts flushing what kFromBus batches left in memory to tables (not waiting): bounds how
  // much a crash can take, and so how long the restart's catch-up folds, on a quiet service
  // whose memtable would not fill for days.
  absl::Status StartFlush();
  // Changes held only in memory (not yet in a table): entries of the memtables.
  absl::StatusOr<uint64_t> UnflushedEntries();

  // SHA-256 over every stream record, history record and keyed record in key order: two
  // projections with equal digests hold the same state (used to compare a live projection with a
  // rebuild from the topic).
  absl::StatusOr<std::string> StreamsDigest();
  // Calls `visit` for every stream record (all partitions, or those in `only`, key order) until
  // it returns false.
  absl::Status ForEachStream(const std::function<bool(const v1::StreamRecord&)>& visit,
                             const std::vector<int32_t>* only = nullptr);
  // The same, with a loader of each record's history and keyed records (read from the scan's
  // snapshot, only when the visitor asks: a scan that filters reads little).
  using SideLoader = std::function<absl::Status(SideRecords&)>;
  absl::Status ForEachStreamWithSide(
      const std::function<bool(const v1::StreamRecord&, const SideLoader&)>& visit,
      const std::vector<int32_t>* only = nullptr);
  // Number of stream records (all partitions).
  absl::StatusOr<uint64_t> StreamCount();

 private:
  // Whether any key of the store starts with `key_prefix`.
  absl::StatusOr<bool> AnyKeyUnder(const std::string& key_prefix);
  explicit StreamStore(rocksdb::DB* db);
  // Point lookups of `keys` in one batched MultiGet: `values[i]` is nullopt when absent.
  absl::Status GetMany(const std::vector<std::string>& keys,
                       std::vector<std::optional<std::string>>& values);
  absl::Status ReadSide(const rocksdb::Snapshot* snapshot, int32_t partition,
                        const std::string& tenancy, SideRecords& side, const SideWanted& wanted);
  // Reads the stream's history records with `history` (none when null) and its keyed records
  // under `keyed_prefix` with `keyed`, each iterator seeking forward (a scan in stream order
  // reuses them).
  static absl::Status ReadSideAt(rocksdb::Iterator* history, rocksdb::Iterator& keyed,
                                 int32_t partition, const std::string& tenancy, SideRecords& side,
                                 const std::string& keyed_prefix = "");
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace rentstream::runtime
