#pragma once
// The in-memory view of streams and outcomes over the StreamStore: entries touched by the
// current batch are "dirty" (the overlay of architecture §3 step 2); clean entries are a bounded
// cache. Abort drops the dirty ones; Flush turns them into one store batch; a revoked partition's
// entries are dropped whole.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <google/protobuf/arena.h>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/runtime/stream_logic.h"
#include "libs/runtime/stream_store.h"

namespace rentstream::runtime {

struct StreamEntry {
  // Head and next review day. A clean entry keeps its state as the record's `state` bytes, with
  // `state` null: parsed when the entry is next used (Touch, Peek), the bytes then cleared. A
  // clean cache of bytes, not of parsed messages: less memory, and evicting an entry frees a
  // string — destroying parsed states long out of the CPU's caches was ~6% of the processing
  // loops' samples in a payment import, where each account is touched once (they are now
  // destroyed at the flush, while still cached). A stream used again in a later transaction is
  // parsed again (a few µs; a miss also reads the store).
  v1::StreamRecord record;
  std::unique_ptr<google::protobuf::Message> state;
  // The logic's decoded `state` while the entry is dirty (empty when loaded; dropped at flush,
  // so the clean cache holds only the states' bytes).
  std::unique_ptr<StreamMemo> memo;
  int64_t stored_review_day = 0;  // what the store's review index holds
  bool dirty = false;
  uint64_t last_used = 0;  // the cache's use counter when last loaded or touched (eviction order)
  // The command id of the stream's last event, when this process knows it (a new stream, or
  // one it has decided or folded since loading). A command's events are contiguous in its
  // stream, so an event with another command id starts a new outcome: no store lookup needed.
  std::string last_command_id;
  bool last_command_known = false;
  // History records of events folded since the last flush: (event sequence, records).
  std::vector<std::pair<uint64_t, std::vector<std::string>>> pending_history;
  // Keyed records set since the last flush (read before the store's: they are newer).
  KeyedRecords pending_keyed;
  // The store's keyed records under keys read or prefetched in this transaction (nullopt:
  // none), so a fold does not look up again what its decision just read. Forgotten when the
  // transaction ends (flushed or dropped).
  std::map<std::string, std::optional<std::string>> keyed_read;
};

class StreamCache {
 public:
  StreamCache(StreamStore& store, const StreamLogic& logic, size_t max_clean_entries);

  // The stream's entry (loaded from the store, or new and empty); marks it dirty.
  absl::StatusOr<StreamEntry*> Touch(int32_t partition, const std::string& tenancy);
  // Reads without marking dirty.
  absl::StatusOr<const StreamEntry*> Peek(int32_t partition, const std::string& tenancy);

  // Adds to `out` the stream's keyed records under `keys` that exist: this transaction's writes
  // first, then the store's.
  absl::Status LoadKeyed(int32_t partition, StreamEntry& entry,
                         const std::vector<std::string>& keys, KeyedRecords& out);

  // A command about to be decided: its stream, id and the keyed records its decision reads.
  struct Upcoming {
    std::string tenancy;
    std::string command_id;
    std::vector<std::string> keys;
  };
  // Loads, in one batched lookup each, the streams not cached yet, the remembered outcomes and
  // the keyed records of the commands about to be decided (a command batch): what Touch,
  // FindOutcome and LoadKeyed would otherwise look up one at a time. Prefetched outcomes are
  // forgotten at the transaction's end.
  absl::Status Prefetch(int32_t partition, const std::vector<Upcoming>& commands);

  absl::StatusOr<std::optional<common::v1::CommandOutcome>> FindOutcome(
      int32_t partition, const std::string& tenancy, const std::string& command_id);
  // Records (or extends, for a command's later events) a command's outcome in the overlay.
  // `known_new`: the caller knows the store has no outcome for it (skips the lookup).
  absl::StatusOr<common::v1::CommandOutcome*> TouchOutcome(int32_t partition,
                                                           const std::string& tenancy,
                                                           const std::string& command_id,
                                                           bool known_new = false);

  // Dirty streams of a partition whose review day is in (0, day].
  std::vector<std::string> DirtyDue(int32_t partition, int64_t day) const;

  // Adds every dirty entry to `batch` and marks them clean (call after the bus commit).
  void Flush(StreamStore::Batch& batch);
  // Forgets every dirty entry (the transaction was aborted).
  void DropDirty();
  void DropPartition(int32_t partition);
  void Clear();
  size_t dirty_count() const { return dirty_.size(); }

 private:
  using Key = std::pair<int32_t, std::string>;
  struct OutcomeKey {
    int32_t partition;
    std::string tenancy;
    std::string command_id;
    friend auto operator<=>(const OutcomeKey&, const OutcomeKey&) = default;
  };
  absl::StatusOr<StreamEntry*> Load(int32_t partition, const std::string& tenancy);
  // Forgets the transaction's outcomes (written, or dropped with it).
  void ClearOutcomes();
  // Forgets the keyed records prefetched into entries (the transaction ended).
  void ForgetPrefetchedKeyed();
  // A cache entry for a stream as the store has it (nullopt: no stream yet).
  absl::StatusOr<StreamEntry*> Insert(int32_t partition, const std::string& tenancy,
                                      std::optional<v1::StreamRecord> stored);
  void EvictIfFull();

  StreamStore& store_;
  const StreamLogic& logic_;
  size_t max_clean_;
  bool state_has_maps_ = true;
  uint64_t uses_ = 0;
  // Hashed (a cache of ~10^5-10^6 streams: a lookup per command); node-based, so an entry's
  // address holds while others come and go. Nothing here depends on the entries' order.
  absl::node_hash_map<Key, StreamEntry> entries_;
  std::vector<Key> dirty_;
  // The transaction's outcomes (overlay only: written at Flush), on an arena the transaction's
  // end resets — thousands per transaction, built once, serialized once and then all dropped.
  google::protobuf::Arena outcome_arena_;
  std::map<OutcomeKey, common::v1::CommandOutcome*> outcomes_;
  // The store's outcomes of prefetched commands (nullopt: none), until the transaction ends.
  std::map<OutcomeKey, std::optional<common::v1::CommandOutcome>> prefetched_;
  // Entries whose keyed records were prefetched (maybe never touched): forgotten with the
  // transaction like the dirty ones'.
  std::vector<Key> prefetched_keyed_;
};

// Deterministic protobuf bytes (stable map order), so equal states have equal digests.
std::string DeterministicBytes(const google::protobuf::Message& message);

}  // namespace rentstream::runtime
