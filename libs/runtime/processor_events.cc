// The processor's event path: its own events emitted for a decision (sealed, folded into the
// stream, appended, remembered as the command's outcome), other services' events handled, and
// its own events folded again from the topic at catch-up and in a rebuild (see
// processor_host.cc for the loop, processor_commands.cc for the command path).
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/json_log.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/processor_internal.h"

namespace rentstream::runtime {
namespace {

using eventlog::OutgoingRecord;
using eventlog::Record;

// Events folded per state write during catch-up and rebuild: fewer, larger writes (each stream
// head once per batch) at a bounded cost (~10 MB of records in memory).
constexpr size_t kFoldBatch = 20000;
// Streams a rebuild keeps in memory between batches (bounded; the store has the rest).
constexpr size_t kRebuildCachedStreams = 200000;
const std::string kRejectedType = common::v1::CommandRejected::descriptor()->full_name();

OutgoingRecord EventRecord(const std::string& topic, const common::v1::Event& event) {
  OutgoingRecord r;
  r.topic = topic;
  r.key = event.envelope().tenancy_ref();
  r.value = event.SerializeAsString();
  r.headers = {{"rs-event-type", event.envelope().event_type()},
               {"rs-sequence", std::to_string(event.envelope().sequence())}};
  if (!event.envelope().command_id().empty()) {
    r.headers.emplace_back("rs-command-id", event.envelope().command_id());
  }
  return r;
}

// Adds one of a command's events to its remembered outcome, in the form the logic remembers:
// decided here or folded from the topic, a command is remembered alike. An outcome stored with
// events (by a release that remembered events) goes on with events, so it is never half in each
// form. `Event` is a common::v1::Event, moved from when it can be.
template <typename Event>
void RememberEvent(const StreamLogic& logic, Event&& event, common::v1::CommandOutcome& outcome) {
  common::v1::Accepted& accepted = *outcome.mutable_accepted();
  if (logic.RemembersOfOutcomes() == StreamLogic::Remembered::kEvents ||
      accepted.events_size() > 0) {
    *accepted.add_events() = std::forward<Event>(event);
    return;
  }
  common::v1::CommandResult& result = *accepted.mutable_result();
  result.set_sequence(event.envelope().sequence());
  result.add_event_ids(event.envelope().event_id());
  result.add_event_types(event.envelope().event_type());
}

// Whether the stream's review day is asked again after an event of `type`: a rejection never
// moves it, other events as the logic says.
bool AsksReviewDayAfter(const StreamLogic& logic, const std::string& type) {
  return type != kRejectedType && logic.MovesReviewDay(type);
}

// The logic folds one of the stream's own events (not a rejection) into its state, with the
// keyed records it names for the event; the history and keyed records it writes wait in the entry
// for the transaction's store write.
absl::Status EvolveEntry(StreamCache& cache, StreamLogic& logic, int32_t partition,
                         StreamEntry& entry, const common::v1::Event& event,
                         const DecodedEvent* decoded) {
  FoldSide side;
  side.memo = &entry.memo;
  side.decoded = decoded;
  if (absl::Status st =
          cache.LoadKeyed(partition, entry, logic.KeysToFold(event, decoded), side.keyed);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = logic.EvolveStream(*entry.state, event, side); !st.ok()) return st;
  if (!side.history.empty()) {
    entry.pending_history.emplace_back(event.envelope().sequence(), std::move(side.history));
  }
  for (auto& [key, record] : side.keyed_writes) {
    if (key.empty()) return absl::InternalError("a keyed record under an empty key");
    entry.pending_keyed[key] = std::move(record);
  }
  return absl::OkStatus();
}

// Folds one own event into its stream: the link is verified, then the logic evolves the state
// and the command's remembered outcome is extended. Shared by catch-up and rebuild.
absl::Status FoldEvent(StreamCache& cache, StreamLogic& logic, int32_t partition,
                       const common::v1::Event& event) {
  const common::v1::EventEnvelope& env = event.envelope();
  auto entry = cache.Touch(partition, env.tenancy_ref());
  if (!entry.ok()) return entry.status();
  StreamEntry& e = **entry;
  if (env.sequence() <= e.record.sequence()) return absl::OkStatus();  // folded before
  if (auto st = VerifyLink(event, e.record.sequence(), e.record.last_hash()); !st.ok()) return st;
  if (env.event_type() != kRejectedType) {
    if (auto st = EvolveEntry(cache, logic, partition, e, event, /*decoded=*/nullptr); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("evolve ", env.event_type(), " of ",
                                                  env.tenancy_ref(), ": ", st.message()));
    }
  }
  e.record.set_sequence(env.sequence());
  e.record.set_last_hash(env.hash());
  if (AsksReviewDayAfter(logic, env.event_type())) {
    e.record.set_next_review_day(logic.NextReviewDay(*e.state, e.memo.get()));
  }
  const bool starts_command = e.last_command_known && e.last_command_id != env.command_id();
  e.last_command_id = env.command_id();
  e.last_command_known = true;
  if (env.command_id().empty()) return absl::OkStatus();
  auto outcome = cache.TouchOutcome(partition, env.tenancy_ref(), env.command_id(), starts_command);
  if (!outcome.ok()) return outcome.status();
  if (env.event_type() == kRejectedType) {
    common::v1::CommandRejected rejected;
    if (!rejected.ParseFromString(event.payload())) {
      return absl::DataLossError(absl::StrCat("CommandRejected of ", env.command_id()));
    }
    *(*outcome)->mutable_rejected() = rejected.rejection();
  } else {
    RememberEvent(logic, event, **outcome);
  }
  return absl::OkStatus();
}

// Folds a partition of the events topic from the store's "applied up to" to its end, writing the
// folded streams and the new applied offset every kFoldBatch events. Returns events folded.
absl::StatusOr<uint64_t> FoldPartition(eventlog::EventBus& bus, StreamStore& store,
                                       StreamCache& cache, StreamLogic& logic,
                                       const std::string& events_topic, int32_t partition,
                                       StreamStore::Durability durability) {
  auto applied = store.AppliedOffset(partition);
  if (!applied.ok()) return applied.status();
  auto reader = bus.OpenReader({{{events_topic, partition}, *applied}});
  if (!reader.ok()) return reader.status();
  uint64_t folded = 0;
  for (;;) {
    auto records = (*reader)->Next(kFoldBatch);
    if (!records.ok()) return records.status();
    if (records->empty()) break;
    for (const Record& r : *records) {
      common::v1::Event event;
      if (!event.ParseFromString(r.value)) {
        return absl::DataLossError(absl::StrCat(events_topic, "/", partition, "@", r.offset,
                                                ": own event does not parse"));
      }
      if (auto st = FoldEvent(cache, logic, partition, event); !st.ok()) return st;
    }
    StreamStore::Batch batch;
    cache.Flush(batch);
    batch.SetApplied(partition, records->back().offset + 1);
    if (auto st = store.Write(batch, durability); !st.ok()) return st;
    folded += records->size();
  }
  return folded;
}

}  // namespace

// Folds own events of a partition from the stored "applied up to" to the end of the topic.
absl::Status ProcessorHost::CatchUp(int32_t partition) {
  auto folded = FoldPartition(bus_, store_, cache_, logic_, topics_.events, partition,
                              options_.state_durability);
  if (!folded.ok()) return folded.status();
  if (*folded > 0) wrote_since_flush_ = true;
  if (metrics_) metrics_->events_folded.Inc(static_cast<double>(*folded));
  LogInfo("caught up", {{"service", options_.service},
                        {"partition", std::to_string(partition)},
                        {"events_folded", std::to_string(*folded)}});
  return absl::OkStatus();
}

absl::Status ProcessorHost::HandleForeignEvent(const Record& r, Batch& batch) {
  common::v1::Event event;
  if (!event.ParseFromString(r.value) || !event.has_envelope()) {
    return DeadLetter(r, "not a rentstream.common.v1.Event");
  }
  const common::v1::EventEnvelope& env = event.envelope();
  if (auto ref = core::TenancyRef::Parse(env.tenancy_ref()); !ref.ok()) {
    return DeadLetter(r, std::string(ref.status().message()));
  }
  auto entry = cache_.Touch(r.partition, env.tenancy_ref());
  if (!entry.ok()) return entry.status();
  StreamView view{env.tenancy_ref(), (*entry)->record.sequence(), *(*entry)->state, kNoKeyedRecords,
                  &(*entry)->memo};
  Decision decision = logic_.DecideEvent(view, event);
  if (!decision.fault.ok()) return decision.fault;
  decision.rejection.reset();  // nobody to answer: an event is a fact, not a request
  common::v1::Actor actor;
  actor.set_id(options_.service);
  actor.set_role(common::v1::ACTOR_ROLE_SERVICE);
  Causation cause{env.occurred_at(),
                  actor,
                  "",
                  env.event_id(),
                  env.correlation_id().empty() ? env.event_id() : env.correlation_id(),
                  ""};
  return Emit(r.partition, **entry, decision, cause, batch, nullptr);
}

// Seals the decision's events onto the stream, evolves the state with them in place, appends
// them, and records the outcome. The entry is dirty (touched by this batch), so any failure here
// fails the batch and the abort drops the entry: a half-evolved state is never kept.
absl::Status ProcessorHost::Emit(int32_t partition, StreamEntry& entry, const Decision& decision,
                                 const Causation& cause, Batch& batch,
                                 common::v1::CommandOutcome* outcome) {
  const std::vector<NewEvent>* decided = &decision.events;
  std::vector<NewEvent> refused;
  if (decision.rejection.has_value()) {
    common::v1::CommandRejected rejected;
    rejected.set_command_type(cause.command_type);
    *rejected.mutable_rejection() = *decision.rejection;
    refused = {NewEvent::Of(rejected)};
    decided = &refused;
  }
  const std::vector<NewEvent>& events = *decided;
  if (events.empty()) {
    if (outcome != nullptr) outcome->mutable_accepted();
    return absl::OkStatus();
  }
  uint64_t sequence = entry.record.sequence();
  std::string last_hash = entry.record.last_hash();
  std::vector<common::v1::Event> sealed;
  bool moves_review_day = false;
  for (const NewEvent& ne : events) {
    common::v1::Event ev = SealEvent(options_.service, entry.record.tenancy_ref(), sequence,
                                     last_hash, ne, cause, options_.wall_clock_us(), ids_);
    if (ne.event_type != kRejectedType) {
      if (absl::Status st = EvolveEntry(cache_, logic_, partition, entry, ev, ne.decoded.get());
          !st.ok()) {
        // The logic cannot fold what it just decided: a bug, or stored records it read do not
        // decode (DataLoss, which stops the loop as in catch-up). The batch is aborted.
        return absl::Status(st.code() == absl::StatusCode::kDataLoss ? absl::StatusCode::kDataLoss
                                                                     : absl::StatusCode::kInternal,
                            absl::StrCat("evolve ", ne.event_type, " of ",
                                         entry.record.tenancy_ref(), ": ", st.message()));
      }
    }
    sequence = ev.envelope().sequence();
    last_hash = ev.envelope().hash();
    moves_review_day = moves_review_day || AsksReviewDayAfter(logic_, ne.event_type);
    sealed.push_back(std::move(ev));
  }
  for (common::v1::Event& ev : sealed) {
    if (absl::Status st = member_->Append(EventRecord(topics_.events, ev)); !st.ok()) return st;
    batch.Out(topics_.events);
    if (outcome == nullptr) continue;
    if (decision.rejection.has_value()) {
      *outcome->mutable_rejected() = *decision.rejection;
    } else {
      RememberEvent(logic_, std::move(ev), *outcome);  // appended: not used again
    }
  }
  entry.last_command_id = cause.command_id;
  entry.last_command_known = true;
  entry.record.set_sequence(sequence);
  entry.record.set_last_hash(last_hash);
  if (moves_review_day) {
    entry.record.set_next_review_day(logic_.NextReviewDay(*entry.state, entry.memo.get()));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ProcessorHost::Rebuild(eventlog::EventBus& bus, StreamStore& store,
                                                StreamLogic& logic, const std::string& service) {
  const ServiceTopics topics = ServiceTopics::For(service);
  auto partitions = bus.PartitionCount(topics.events);
  if (!partitions.ok()) return partitions.status();
  StreamCache cache(store, logic, kRebuildCachedStreams);
  uint64_t folded = 0;
  for (int32_t p = 0; p < *partitions; ++p) {
    auto n = FoldPartition(bus, store, cache, logic, topics.events, p,
                           StreamStore::Durability::kFromBus);
    if (!n.ok()) return n.status();
    folded += *n;
  }
  return folded;
}

}  // namespace rentstream::runtime
