// The processor's loop: group membership, partitions assigned and revoked, the run loop and its
// transactions, the projection's flushes (processor_events.cc: the event path;
// processor_commands.cc: the command path).
#include "libs/runtime/processor_host.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/eventlog/bus_errors.h"
#include "libs/runtime/command_batch.h"
#include "libs/runtime/json_log.h"
#include "libs/runtime/processor_internal.h"

namespace rentstream::runtime {
namespace {

using eventlog::OutgoingRecord;
using eventlog::Record;
using eventlog::TopicPartition;

// What a record weighs in a transaction: a command batch counts as the commands it carries (as
// its header says), so a poll full of batches becomes several transactions, not one huge one.
size_t Weight(const Record& r) {
  for (const auto& [k, v] : r.headers) {
    if (k == kBatchCommandsHeader) {
      return std::clamp<size_t>(std::strtoull(v.c_str(), nullptr, 10), 1, kMaxBatchCommands);
    }
  }
  return 1;
}

int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ProcessorHost::ProcessorHost(eventlog::EventBus& bus, StreamStore& store, StreamLogic& logic,
                             ProcessorOptions options, ProcessorMetrics* metrics)
    : bus_(bus),
      store_(store),
      logic_(logic),
      options_(std::move(options)),
      metrics_(metrics),
      topics_(ServiceTopics::For(options_.service)),
      ids_(core::UuidV7Generator::SystemDefault()),
      cache_(store, logic, options_.max_cached_streams) {
  if (!options_.wall_clock_us) options_.wall_clock_us = SystemMicros;
  options_.max_transaction_commands = std::max<size_t>(1, options_.max_transaction_commands);
  options_.max_transaction_outputs = std::max<size_t>(1, options_.max_transaction_outputs);
}

ProcessorHost::~ProcessorHost() { Leave(); }

absl::Status ProcessorHost::Join() {
  eventlog::MemberConfig config;
  config.group_id = absl::StrCat("rentstream.", options_.service);
  config.topics = {topics_.commands};
  config.topics.insert(config.topics.end(), options_.subscriptions.begin(),
                       options_.subscriptions.end());
  config.transactional_id =
      absl::StrCat("rentstream.", options_.service, ".", options_.instance_id);
  // Where its transactions append: events, outcomes, a tick's continuation, dead letters.
  config.output_topics = {topics_.events, topics_.outcomes, topics_.commands};
  for (const std::string& in : config.topics) config.output_topics.push_back(DeadLetterTopic(in));
  config.static_membership = options_.static_membership;
  config.listener = this;
  auto partitions = bus_.PartitionCount(topics_.commands);
  if (!partitions.ok()) return partitions.status();
  partitions_ = *partitions;
  auto member = bus_.JoinGroup(config);
  if (!member.ok()) return member.status();
  member_ = std::move(*member);
  return absl::OkStatus();
}

void ProcessorHost::Leave() {
  if (member_) member_->Close();
  member_.reset();
  for (int32_t p : owned_) MarkServed(p, false);  // before another loop may take it
  if (options_.partition_locks != nullptr) {
    for (int32_t p : owned_) options_.partition_locks->Release(p, this);
  }
  owned_.clear();
  owns_partitions_ = false;
  assigned_ = false;
  assignment_superseded_ = false;
  cache_.Clear();
  caught_up_ = false;
  if (metrics_) metrics_->caught_up.Set(0);
}

void ProcessorHost::OnAssigned(const std::vector<TopicPartition>& partitions) {
  static const std::atomic<bool> kNeverStop{false};
  assignment_superseded_ = false;
  const auto superseded = [this] { return member_ != nullptr && member_->AssignmentSuperseded(); };
  for (const TopicPartition& tp : partitions) {
    if (tp.topic != topics_.commands || owned_.count(tp.partition)) continue;
    // A loop sharing the store waits for the partition's previous holder to let go — unless the
    // group has moved on meanwhile and the partition may now be another loop's for good.
    PartitionLocks* locks = options_.partition_locks;
    if (locks != nullptr && !locks->Acquire(tp.partition, this, stop_ ? *stop_ : kNeverStop,
                                            options_.partition_lock_timeout, superseded)) {
      if (superseded()) {
        assignment_superseded_ = true;
        return;
      }
      assignment_error_ = absl::UnavailableError(
          absl::StrCat("partition ", tp.partition, " is still held by another processing loop"));
      return;
    }
    // The partition's outcome records so far, whoever wrote them: their events are committed,
    // so the catch-up folds them.
    absl::StatusOr<int64_t> outcomes_end = 0;
    if (options_.projection_watermark != nullptr) {
      outcomes_end = bus_.EndOffset({topics_.outcomes, tp.partition});
    }
    absl::Status st = outcomes_end.ok() ? CatchUp(tp.partition) : outcomes_end.status();
    if (!st.ok()) {
      if (locks != nullptr) locks->Release(tp.partition, this);
      assignment_error_ = st;
      return;
    }
    if (options_.projection_watermark != nullptr) {
      options_.projection_watermark->Advance(tp.partition, *outcomes_end);
    }
    owned_.insert(tp.partition);
    owns_partitions_ = true;
    MarkServed(tp.partition, true);  // caught up: queries may read it
  }
  for (const TopicPartition& tp : partitions) {
    auto committed = member_->CommittedPosition(tp);
    positions_[tp] = committed.ok() && committed->has_value() ? **committed : 0;
  }
  if (metrics_) metrics_->owned_partitions.Set(static_cast<double>(owned_.size()));
  assigned_ = true;  // last: what it owns is caught up and counted
}

void ProcessorHost::OnRevoked(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) {
    positions_.erase(tp);
    if (tp.topic != topics_.commands) continue;
    if (owned_.erase(tp.partition) > 0) MarkServed(tp.partition, false);
    cache_.DropPartition(tp.partition);
    if (options_.partition_locks != nullptr) options_.partition_locks->Release(tp.partition, this);
  }
  owns_partitions_ = !owned_.empty();
  assigned_ = false;  // eager rebalancing: the whole assignment goes, a new one follows
  if (metrics_) metrics_->owned_partitions.Set(static_cast<double>(owned_.size()));
}

void ProcessorHost::MarkServed(int32_t partition, bool served) {
  if (options_.served_partitions != nullptr) options_.served_partitions->Set(partition, served);
}

absl::Status ProcessorHost::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  int consecutive_failures = 0;
  while (!stop.load()) {
    if (!member_) {
      if (absl::Status st = Join(); !st.ok()) {
        LogWarn("join failed", {{"service", options_.service}, {"error", st.ToString()}});
        // Bounded exponential backoff; the broker may be starting or unreachable.
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::min(5000, 100 << std::min(consecutive_failures++, 6))));
        continue;
      }
    }
    auto records = member_->Poll(options_.max_batch_records, options_.poll_timeout);
    if (!assignment_error_.ok()) {
      absl::Status st = assignment_error_;
      assignment_error_ = absl::OkStatus();
      if (st.code() == absl::StatusCode::kDataLoss) {  // own topic corrupt: stop
        Leave();
        return st;
      }
      if (!stop.load()) LogWarn("catch-up failed; restarting", {{"error", st.ToString()}});
      if (metrics_) metrics_->restarts.Inc();
      Leave();
      continue;
    }
    if (assignment_superseded_) {
      // Read under an assignment the group had already replaced (partly not ours): nothing of it
      // is processed; the next poll takes the new assignment and rewinds to committed positions.
      assignment_superseded_ = false;
      continue;
    }
    if (!records.ok()) {
      if (eventlog::IsFenced(records.status())) {
        if (metrics_) metrics_->restarts.Inc();
        Leave();
      }
      continue;
    }
    if (!owned_.empty() && !caught_up_) {
      caught_up_ = true;
      if (metrics_) metrics_->caught_up.Set(1);
    }
    UpdateLag();
    FlushStateWhenDue();
    // One transaction per slice of the poll, each at most max_transaction_commands heavy.
    for (size_t begin = 0; begin < records->size();) {
      // Stopping between slices loses nothing: what is not committed is read again.
      if (stop.load()) break;
      size_t end = begin;
      size_t weight = 0;
      do {
        weight += Weight((*records)[end++]);
      } while (end < records->size() &&
               weight + Weight((*records)[end]) <= options_.max_transaction_commands);
      const absl::Span<const Record> slice(records->data() + begin, end - begin);
      const auto started = std::chrono::steady_clock::now();
      // A transaction that reaches its output budget ends early; the rest comes next.
      auto handled = ProcessBatch(slice);
      absl::Status st = handled.status();
      if (st.ok()) {
        begin += *handled;
        consecutive_failures = 0;
        committed_inputs_ += *handled;
        if (metrics_) {
          metrics_->transactions_committed.Inc();
          metrics_->transaction_seconds.Observe(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        }
        continue;
      }
      // The rest of the poll is dropped: the abort rewinds to the committed positions.
      if (metrics_) metrics_->transactions_aborted.Inc();
      cache_.DropDirty();
      if (st.code() == absl::StatusCode::kDataLoss) {
        Leave();
        return st;
      }
      if (eventlog::IsAbortable(st)) {
        if (absl::Status abort = member_->AbortTransaction(); abort.ok()) break;
      }
      // Fenced, or anything unexpected: restart the state machine from "on start".
      LogWarn("batch failed; restarting processor",
              {{"service", options_.service}, {"error", st.ToString()}});
      if (metrics_) metrics_->restarts.Inc();
      Leave();
      break;
    }
  }
  Leave();
  return absl::OkStatus();
}

void ProcessorHost::FlushStateWhenDue() {
  if (options_.state_durability != StreamStore::Durability::kFromBus || !wrote_since_flush_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - flush_started_ < options_.state_flush_interval) return;
  flush_started_ = now;
  wrote_since_flush_ = false;
  if (absl::Status st = store_.StartFlush(); !st.ok()) {
    // Nothing is lost (the bus is the log); the next interval tries again.
    LogWarn("state store flush failed", {{"service", options_.service}, {"error", st.ToString()}});
    wrote_since_flush_ = true;
  }
}

// Lag per input partition: its end offset minus our committed position, refreshed every second.
// On transactional inputs the end includes the last commit marker, so idle shows up to 1.
void ProcessorHost::UpdateLag() {
  if (metrics_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - lag_updated_ < std::chrono::seconds(1)) return;
  lag_updated_ = now;
  for (const auto& [tp, position] : positions_) {
    auto end = bus_.EndOffset(tp);
    if (end.ok())
      metrics_->Lag(tp.topic, tp.partition,
                    static_cast<double>(std::max<int64_t>(0, *end - position)));
  }
}

absl::StatusOr<size_t> ProcessorHost::ProcessBatch(absl::Span<const Record> records) {
  if (absl::Status st = member_->BeginTransaction(); !st.ok()) return st;
  Batch batch;
  size_t handled = 0;
  for (const Record& r : records) {
    if (batch.out_records >= options_.max_transaction_outputs) break;
    batch.consumed[{r.topic, r.partition}] = r.offset + 1;
    batch.in_per_topic[r.topic] += 1;
    absl::Status st =
        r.topic == topics_.commands ? HandleCommand(r, batch) : HandleForeignEvent(r, batch);
    if (!st.ok()) return st;
    ++handled;
  }
  std::vector<eventlog::ConsumedPosition> consumed;
  for (const auto& [tp, next] : batch.consumed) consumed.push_back({tp, next});
  if (absl::Status st = member_->CommitTransaction(consumed); !st.ok()) return st;
  for (const auto& [tp, next] : batch.consumed) positions_[tp] = next;
  if (options_.after_commit_for_tests) options_.after_commit_for_tests();

  // Committed on the bus: now the projection, with how far own events are folded.
  StreamStore::Batch write;
  cache_.Flush(write);
  for (const auto& [tp, end] : member_->LastCommitAppendEnds()) {
    if (tp.topic == topics_.events) write.SetApplied(tp.partition, end);
  }
  wrote_since_flush_ = true;
  if (absl::Status st = store_.Write(write, options_.state_durability); !st.ok()) {
    // The bus has the events; a restart folds them again from the last applied offset.
    return absl::UnavailableError(absl::StrCat("state write after commit: ", st.message()));
  }
  if (options_.projection_watermark != nullptr) {
    for (const auto& [tp, end] : member_->LastCommitAppendEnds()) {
      if (tp.topic == topics_.outcomes) options_.projection_watermark->Advance(tp.partition, end);
    }
  }
  if (metrics_) {
    for (const auto& [topic, n] : batch.in_per_topic) metrics_->RecordsIn(topic, n);
    for (const auto& [topic, n] : batch.out_per_topic) metrics_->RecordsOut(topic, n);
  }
  return handled;
}

absl::Status ProcessorHost::DeadLetter(const Record& r, const std::string& reason) {
  OutgoingRecord out;
  out.topic = DeadLetterTopic(r.topic);
  out.key = r.key;
  out.value = r.value;
  out.partition = r.partition;
  out.headers = r.headers;
  out.headers.emplace_back("rs-dlq-reason", reason);
  out.headers.emplace_back("rs-dlq-service", options_.service);
  out.headers.emplace_back("rs-dlq-source-topic", r.topic);
  out.headers.emplace_back("rs-dlq-source-partition", std::to_string(r.partition));
  out.headers.emplace_back("rs-dlq-source-offset", std::to_string(r.offset));
  if (metrics_) metrics_->dead_letters.Inc();
  LogWarn("dead letter", {{"service", options_.service},
                          {"topic", r.topic},
                          {"partition", std::to_string(r.partition)},
                          {"offset", std::to_string(r.offset)},
                          {"reason", reason}});
  return member_->Append(std::move(out));
}

}  // namespace rentstream::runtime
