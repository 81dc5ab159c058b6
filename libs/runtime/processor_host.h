#pragma once
// The service host's processing loop — architecture §3 exactly:
//   1. consume a batch from the inputs (own commands + subscribed events), read_committed;
//   2. decide/evolve each input purely, on an in-memory overlay (StreamCache);
//   3. ONE bus transaction: the events, the outcomes, the dead letters AND the input positions;
//   4. then ONE RocksDB WriteBatch: the overlay + "own events applied up to" per partition.
// On assignment, own events are folded from the applied offset to the end before any input is
// consumed. Fencing and fatal bus errors restart this state machine, not the process.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "libs/core/uuid.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/partition_locks.h"
#include "libs/runtime/processor_metrics.h"
#include "libs/runtime/projection_watermark.h"
#include "libs/runtime/served_partitions.h"
#include "libs/runtime/stream_cache.h"
#include "libs/runtime/stream_logic.h"
#include "libs/runtime/stream_store.h"
#include "libs/runtime/topics.h"

namespace rentstream::runtime {

struct ProcessorOptions {
  std::string service;            // "ledger"
  std::string instance_id = "0";  // stable per replica (StatefulSet ordinal)
  // Other services' events topics this service decides on (co-partitioned with its own).
  std::vector<std::string> subscriptions;
  size_t max_batch_records = 500;  // input records per poll
  // Commands per transaction: a poll is split into transactions of at most this many commands
  // (a command batch counts as the commands it carries; a record alone counts as one).
  size_t max_transaction_commands = 4000;
  // Records a transaction appends, about: it ends after the input that reaches this many, and a
  // clock tick stops reviewing streams at it (continuing in the next transaction). Keeps a tick
  // over accounts with months of periods due — the first business day after an outage — from
  // growing one transaction past what the bus takes (LocalBus: 100,000 records).
  size_t max_transaction_outputs = 20000;
  std::chrono::milliseconds poll_timeout{100};
  // Clean (committed) streams the loop's cache keeps, least recently used forgotten first. A
  // hit saves a store lookup and a parse; every entry costs memory and its churn. Runs over
  // every account (charge runs, imports, ticks) touch each stream once, so no cache smaller
  // than the accounts helps them, and 200,000 a loop (the default until session 16) cost them
  // 8-12% more CPU a posting than 20,000 and ~650 MB more resident (docs/performance.md).
  size_t max_cached_streams = 20000;
  // Streams a clock tick reviews per transaction. A tick with more due streams continues in the
  // next transaction (a continuation record on the same partition, appended atomically), so a
  // tick over a million accounts never becomes one huge transaction.
  size_t tick_page_streams = 1000;
  // Kafka static membership: a restarted replica takes its partitions back without a rebalance.
  bool static_membership = true;
  // How each transaction's projection write is made to last (StreamStore::Durability): by
  // default without RocksDB's write-ahead log — the events topic is the log, and the catch-up
  // folds again whatever a crash took from the store.
  StreamStore::Durability state_durability = StreamStore::Durability::kFromBus;
  // With kFromBus: how often the loop asks RocksDB to flush what it wrote (a memtable fills
  // only every few tens of MB of writes), bounding what a crash takes and the catch-up after it.
  std::chrono::milliseconds state_flush_interval{std::chrono::minutes(5)};
  // Several loops sharing one state store (`--processors`): who holds which partition, and how
  // long a newly assigned partition may wait for its previous holder before this loop gives up
  // and rejoins the group. Null: this loop is the store's only writer.
  PartitionLocks* partition_locks = nullptr;
  std::chrono::milliseconds partition_lock_timeout{30000};
  // Where the loop marks the partitions it owns and has caught up with, for the process's
  // queries (null: nobody asks).
  ServedPartitions* served_partitions = nullptr;
  // Where the loop marks how far the process's projection reflects each partition's outcome
  // records, for the gateway's answers (null: nobody asks).
  ProjectionWatermark* projection_watermark = nullptr;
  // Tests only: runs after each transaction's commit, before its projection write.
  std::function<void()> after_commit_for_tests;
  // Wall clock for recorded_at and event ids only; never used for business decisions.
  std::function<int64_t()> wall_clock_us;
};

class ProcessorHost : private eventlog::RebalanceListener {
 public:
  ProcessorHost(eventlog::EventBus& bus, StreamStore& store, StreamLogic& logic,
                ProcessorOptions options, ProcessorMetrics* metrics = nullptr);
  ~ProcessorHost() override;

  // Processes until `stop` becomes true, then finishes the transaction in flight (commits it and
  // writes the store) and leaves the group; records polled but not yet in a transaction are left
  // for the next owner. Returns only on stop, or on an error it cannot recover from
  // (a broken hash chain in its own events topic: tampering or corruption).
  absl::Status Run(const std::atomic<bool>& stop);

  // True once the assigned partitions are folded and the first poll after that returned.
  bool caught_up() const { return caught_up_.load(); }
  // True while the group has given this loop partitions (a loop may have none: more loops or
  // replicas than partitions).
  bool owns_partitions() const { return owns_partitions_.load(); }
  // True while this loop holds an assignment from the group (maybe empty), taken up whole: set
  // once OnAssigned has caught the partitions up, cleared when partitions are revoked (a
  // rebalance; a loop holding none hears of no revoke and keeps counting) and at Leave. A loop
  // still joining would take partitions from the others in the rebalance its join starts.
  bool assigned() const { return assigned_.load(); }
  // Input records handled and committed since start (for tests and progress output).
  uint64_t committed_inputs() const { return committed_inputs_.load(); }

  // Folds the whole events topic into `store` (a rebuild), returning the number of events folded.
  static absl::StatusOr<uint64_t> Rebuild(eventlog::EventBus& bus, StreamStore& store,
                                          StreamLogic& logic, const std::string& service);

 private:
  struct Batch;
  void OnAssigned(const std::vector<eventlog::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<eventlog::TopicPartition>& partitions) override;

  absl::Status Join();
  void Leave();
  // One transaction over a prefix of `records`: returns how many it handled (fewer than given
  // when the output budget was reached).
  absl::StatusOr<size_t> ProcessBatch(absl::Span<const eventlog::Record> records);
  absl::Status HandleCommand(const eventlog::Record& r, Batch& batch);
  absl::Status HandleCommandBatch(const eventlog::Record& r, const common::v1::CommandEnvelope& env,
                                  std::string_view payload, Batch& batch);
  // `keys`: the keyed records the decision reads, when the caller named them already.
  // `batch_item`: a CommandBatch's command, whose id derives from its content (see
  // StreamLogic::RecallsOutcomeOf).
  absl::StatusOr<const common::v1::CommandOutcome*> DecideOne(
      int32_t partition, const common::v1::CommandEnvelope& env, std::string_view payload,
      Batch& batch, std::optional<common::v1::CommandOutcome>& remembered,
      const std::vector<std::string>* keys = nullptr, bool batch_item = false);
  // The outcome returned is the remembered one, or — a command the logic recalls itself —
  // `unremembered`'s.
  absl::StatusOr<const common::v1::CommandOutcome*> RecordDecision(
      int32_t partition, const common::v1::CommandEnvelope& env, StreamEntry& entry,
      const Decision& decision, Batch& batch,
      std::optional<common::v1::CommandOutcome>& unremembered, bool batch_item = false);
  absl::Status Reply(const common::v1::CommandEnvelope& env,
                     const common::v1::CommandOutcome& outcome, Batch& batch);
  absl::Status HandleTick(const eventlog::Record& r, const common::v1::CommandEnvelope& env,
                          std::string_view payload, Batch& batch);
  absl::Status HandleForeignEvent(const eventlog::Record& r, Batch& batch);
  absl::Status Emit(int32_t partition, StreamEntry& entry, const Decision& decision,
                    const Causation& cause, Batch& batch, common::v1::CommandOutcome* outcome);
  absl::Status DeadLetter(const eventlog::Record& r, const std::string& reason);
  absl::Status CatchUp(int32_t partition);
  void MarkServed(int32_t partition, bool served);
  void UpdateLag();
  // Asks the store to flush when the interval has passed since the last time and this loop
  // wrote since (kFromBus only).
  void FlushStateWhenDue();

  eventlog::EventBus& bus_;
  StreamStore& store_;
  StreamLogic& logic_;
  ProcessorOptions options_;
  ProcessorMetrics* metrics_;
  ServiceTopics topics_;
  core::UuidV7Generator ids_;
  StreamCache cache_;
  std::unique_ptr<eventlog::GroupMember> member_;
  int32_t partitions_ = 0;                                 // of the command topic
  std::set<int32_t> owned_;                                // partitions assigned and caught up
  std::map<eventlog::TopicPartition, int64_t> positions_;  // next input offset, committed
  std::chrono::steady_clock::time_point lag_updated_{};
  // Since the loop last asked the store to flush (kFromBus), and whether it wrote since.
  std::chrono::steady_clock::time_point flush_started_ = std::chrono::steady_clock::now();
  bool wrote_since_flush_ = false;
  absl::Status assignment_error_;
  // The last assignment handed over was superseded before this loop could take all of it: what
  // the poll returned is dropped, and the next poll revokes it and hands over the new one.
  bool assignment_superseded_ = false;
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> owns_partitions_{false};
  std::atomic<bool> assigned_{false};
  const std::atomic<bool>* stop_ = nullptr;  // Run's, for waits inside rebalance callbacks
  std::atomic<uint64_t> committed_inputs_{0};
  // The first block of the arena a command batch is parsed onto, reused batch after batch: only
  // this loop's thread decides batches, one at a time (HandleCommandBatch is not re-entered).
  static constexpr size_t kBatchArenaBlockBytes = size_t{1} << 20;
  std::unique_ptr<char[]> batch_arena_block_ =
      std::make_unique_for_overwrite<char[]>(kBatchArenaBlockBytes);
};

}  // namespace rentstream::runtime
