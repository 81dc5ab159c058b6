// The processor's command path: single commands, command batches and clock ticks, each decided
// against its stream inside the current transaction (see processor_host.cc for the loop).
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>

#include <google/protobuf/arena.h>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/ids.h"
#include "libs/runtime/command_batch.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/processor_internal.h"
#include "rentstream/common/v1/clock.pb.h"

namespace rentstream::runtime {
namespace {

using eventlog::OutgoingRecord;
using eventlog::Record;

const std::string kTickType = common::v1::BusinessDayOpened::descriptor()->full_name();
const std::string kBatchType = common::v1::CommandBatch::descriptor()->full_name();

common::v1::Rejection BatchItemInvalid(int index, const std::string& field,
                                       absl::string_view reason) {
  common::v1::Rejection r;
  r.set_code(common::v1::REJECTION_CODE_INVALID_ARGUMENT);
  r.set_field(absl::StrCat("commands[", index, "].", field));
  r.set_reason(std::string(reason));
  return r;
}

}  // namespace

absl::Status ProcessorHost::HandleCommand(const Record& r, Batch& batch) {
  common::v1::Command command;
  if (!command.ParseFromString(r.value) || !command.has_envelope()) {
    return DeadLetter(r, "not a rentstream.common.v1.Command");
  }
  const common::v1::CommandEnvelope& env = command.envelope();
  if (env.command_type() == kTickType) return HandleTick(r, env, command.payload(), batch);
  if (auto ref = core::TenancyRef::Parse(env.tenancy_ref()); !ref.ok()) {
    return DeadLetter(r, std::string(ref.status().message()));
  }
  if (auto id = core::CommandId::Parse(env.command_id()); !id.ok()) {
    return DeadLetter(r, std::string(id.status().message()));
  }
  if (r.key != env.tenancy_ref()) {
    return DeadLetter(r, "record key differs from envelope.tenancy_ref");
  }
  if (env.command_type().empty()) return DeadLetter(r, "envelope.command_type: empty");

  if (env.command_type() == kBatchType) return HandleCommandBatch(r, env, command.payload(), batch);
  std::optional<common::v1::CommandOutcome> remembered;
  auto outcome = DecideOne(r.partition, env, command.payload(), batch, remembered);
  if (!outcome.ok()) return outcome.status();
  return Reply(env, **outcome, batch);
}

absl::Status ProcessorHost::Reply(const common::v1::CommandEnvelope& env,
                                  const common::v1::CommandOutcome& outcome, Batch& batch) {
  OutgoingRecord reply;
  reply.topic = topics_.outcomes;
  reply.key = env.tenancy_ref();
  reply.value = outcome.SerializeAsString();
  reply.headers = {{"rs-command-id", env.command_id()}};
  batch.Out(reply.topic);
  return member_->Append(std::move(reply));
}

// Decides one command with a valid envelope: its remembered outcome if its id was seen before,
// else the logic's validation and decision, the events emitted and the outcome remembered.
absl::StatusOr<const common::v1::CommandOutcome*> ProcessorHost::DecideOne(
    int32_t partition, const common::v1::CommandEnvelope& env, std::string_view payload,
    Batch& batch, std::optional<common::v1::CommandOutcome>& remembered,
    const std::vector<std::string>* keys, bool batch_item) {
  auto found = cache_.FindOutcome(partition, env.tenancy_ref(), env.command_id());
  if (!found.ok()) return found.status();
  if (found->has_value()) {
    remembered = std::move(**found);  // a repeated command id: same answer, no new events
    return &*remembered;
  }
  auto entry = cache_.Touch(partition, env.tenancy_ref());
  if (!entry.ok()) return entry.status();
  Decision decision;
  if (auto rejection = logic_.DecisionValidates() ? std::nullopt : logic_.Validate(env, payload)) {
    decision.rejection = std::move(*rejection);
  } else {
    KeyedRecords keyed;
    if (absl::Status st = cache_.LoadKeyed(
            partition, **entry, keys != nullptr ? *keys : logic_.KeysToDecide(env, payload), keyed);
        !st.ok()) {
      return st;
    }
    StreamView view{env.tenancy_ref(), (*entry)->record.sequence(), *(*entry)->state, keyed,
                    &(*entry)->memo};
    decision = logic_.DecideCommand(view, env, payload);
    if (!decision.fault.ok()) return decision.fault;
  }
  return RecordDecision(partition, env, **entry, decision, batch, remembered, batch_item);
}

// Emits a command's decision on its stream and remembers its outcome under its id — unless the
// logic answers the command itself (StreamLogic::RecallsOutcomeOf): a repeat it recalled, or a
// batch item's one event it will recall.
absl::StatusOr<const common::v1::CommandOutcome*> ProcessorHost::RecordDecision(
    int32_t partition, const common::v1::CommandEnvelope& env, StreamEntry& entry,
    const Decision& decision, Batch& batch, std::optional<common::v1::CommandOutcome>& unremembered,
    bool batch_item) {
  Causation cause{env.occurred_at(),
                  env.actor(),
                  env.command_id(),
                  env.command_id(),
                  env.correlation_id().empty() ? env.command_id() : env.correlation_id(),
                  env.command_type()};
  const bool recalled = decision.recalled.has_value();
  if (recalled ||
      (batch_item && logic_.RemembersOfOutcomes() == StreamLogic::Remembered::kEventIds &&
       !decision.rejection.has_value() && decision.events.size() == 1 &&
       logic_.RecallsOutcomeOf(decision.events.front().event_type))) {
    common::v1::CommandOutcome& outcome = unremembered.emplace();
    outcome.set_command_id(env.command_id());
    outcome.set_tenancy_ref(env.tenancy_ref());
    if (recalled) {
      *outcome.mutable_accepted()->mutable_result() = *decision.recalled;
      return &outcome;
    }
    if (absl::Status st = Emit(partition, entry, decision, cause, batch, &outcome); !st.ok()) {
      return st;
    }
    return &outcome;
  }
  auto stored = cache_.TouchOutcome(partition, env.tenancy_ref(), env.command_id(),
                                    /*known_new=*/true);  // FindOutcome found none
  if (!stored.ok()) return stored.status();
  if (absl::Status st = Emit(partition, entry, decision, cause, batch, *stored); !st.ok()) {
    return st;
  }
  return *stored;
}

// A CommandBatch: every command decided as if alone (its own id, stream and remembered
// outcome), one outcome record for the batch. A command that cannot be decided here — malformed
// envelope, or a tenancy on another partition — is rejected on its own; the others go ahead.
absl::Status ProcessorHost::HandleCommandBatch(const Record& r,
                                               const common::v1::CommandEnvelope& env,
                                               std::string_view payload, Batch& batch) {
  // Parsed onto an arena whose first block this loop reuses (the loop's thread alone decides
  // batches, one at a time): a batch is a thousand commands, whose messages are allocated from
  // the block and freed at once when the batch is decided (string buffers over 15 bytes are
  // still allocated and freed one by one).
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = batch_arena_block_.get();
  arena_options.initial_block_size = kBatchArenaBlockBytes;
  arena_options.max_block_size = kBatchArenaBlockBytes;  // a larger batch: blocks as large
  google::protobuf::Arena arena(arena_options);
  common::v1::CommandBatch& commands =
      *google::protobuf::Arena::CreateMessage<common::v1::CommandBatch>(&arena);
  if (payload.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !commands.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return DeadLetter(r, "CommandBatch payload does not parse");
  }
  // A batch refused whole (below), or answered by a release that stored batch answers.
  auto seen = cache_.FindOutcome(r.partition, env.tenancy_ref(), env.command_id());
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) return Reply(env, **seen, batch);  // a repeated batch: same answer

  if (commands.commands().empty() ||
      commands.commands_size() > static_cast<int>(kMaxBatchCommands)) {
    // Refused whole, and recorded like any refused command (on the key's stream).
    auto entry = cache_.Touch(r.partition, env.tenancy_ref());
    if (!entry.ok()) return entry.status();
    const Decision refusal =
        Decision::Reject(common::v1::REJECTION_CODE_INVALID_ARGUMENT, "commands",
                         absl::StrCat("a batch holds 1 to ", kMaxBatchCommands,
                                      " commands; this one holds ", commands.commands_size()));
    std::optional<common::v1::CommandOutcome> unremembered;
    auto outcome = RecordDecision(r.partition, env, **entry, refusal, batch, unremembered);
    if (!outcome.ok()) return outcome.status();
    return Reply(env, **outcome, batch);
  }
  // What the batch's commands share comes from the batch envelope (before anything reads
  // their envelopes: the keys a decision names may depend on its business time).
  const std::string correlation =
      env.correlation_id().empty() ? env.command_id() : env.correlation_id();
  for (common::v1::Command& item : *commands.mutable_commands()) {
    common::v1::CommandEnvelope& ienv = *item.mutable_envelope();
    *ienv.mutable_actor() = env.actor();
    *ienv.mutable_occurred_at() = env.occurred_at();
    *ienv.mutable_submitted_at() = env.submitted_at();
    ienv.set_correlation_id(correlation);
  }
  // The batch's streams, remembered outcomes and keyed records in one lookup each, not one per
  // command.
  std::vector<StreamCache::Upcoming> upcoming;
  upcoming.reserve(commands.commands_size());
  std::vector<int> upcoming_of(commands.commands_size(), -1);  // command → its entry, if any
  for (int i = 0; i < commands.commands_size(); ++i) {
    const common::v1::Command& item = commands.commands(i);
    const common::v1::CommandEnvelope& ienv = item.envelope();
    if (!ienv.tenancy_ref().empty() && !ienv.command_id().empty() &&
        eventlog::PartitionForKey(ienv.tenancy_ref(), partitions_) == r.partition) {
      upcoming_of[i] = static_cast<int>(upcoming.size());
      upcoming.push_back(
          {ienv.tenancy_ref(), ienv.command_id(), logic_.KeysToDecide(ienv, item.payload())});
    }
  }
  if (absl::Status st = cache_.Prefetch(r.partition, upcoming); !st.ok()) return st;
  common::v1::CommandOutcome& answer =
      *google::protobuf::Arena::CreateMessage<common::v1::CommandOutcome>(&arena);
  answer.set_command_id(env.command_id());
  answer.set_tenancy_ref(env.tenancy_ref());
  common::v1::BatchOutcome& items = *answer.mutable_batch();
  for (int i = 0; i < commands.commands_size(); ++i) {
    common::v1::Command& item = *commands.mutable_commands(i);
    common::v1::CommandEnvelope& ienv = *item.mutable_envelope();
    common::v1::BatchItemOutcome& out = *items.add_items();
    out.set_command_id(ienv.command_id());
    out.set_tenancy_ref(ienv.tenancy_ref());
    if (auto id = core::CommandId::Parse(ienv.command_id()); !id.ok()) {
      *out.mutable_rejected() = BatchItemInvalid(i, "envelope.command_id", id.status().message());
      continue;
    }
    auto ref = core::TenancyRef::Parse(ienv.tenancy_ref());
    if (!ref.ok()) {
      *out.mutable_rejected() = BatchItemInvalid(i, "envelope.tenancy_ref", ref.status().message());
      continue;
    }
    if (eventlog::PartitionForKey(ienv.tenancy_ref(), partitions_) != r.partition) {
      *out.mutable_rejected() = BatchItemInvalid(
          i, "envelope.tenancy_ref",
          absl::StrCat(ienv.tenancy_ref(), " is not on partition ", r.partition, " of the batch"));
      continue;
    }
    if (ienv.command_id() == env.command_id()) {
      *out.mutable_rejected() =
          BatchItemInvalid(i, "envelope.command_id", "is the batch's own command id");
      continue;
    }
    if (ienv.command_type().empty() || ienv.command_type() == kBatchType ||
        ienv.command_type() == kTickType) {
      *out.mutable_rejected() = BatchItemInvalid(
          i, "envelope.command_type",
          absl::StrCat("\"", ienv.command_type(), "\" cannot be a command of a batch"));
      continue;
    }
    std::optional<common::v1::CommandOutcome> remembered;
    auto outcome = DecideOne(r.partition, ienv, item.payload(), batch, remembered,
                             upcoming_of[i] >= 0 ? &upcoming[upcoming_of[i]].keys : nullptr,
                             /*batch_item=*/true);
    if (!outcome.ok()) return outcome.status();
    if ((*outcome)->has_rejected()) {
      *out.mutable_rejected() = (*outcome)->rejected();
    } else {
      RecordOutcome(**outcome, out.mutable_accepted());
    }
  }
  // The batch's answer is not remembered under its own id: every item's answer is (its
  // outcome) or comes again from the same checks, so a repeated batch is answered alike by
  // deciding it again — each item finds its remembered outcome, or the logic recalls it
  // (StreamLogic::RecallsOutcomeOf). Storing it too was ~20% of the bytes an import wrote to the
  // projection.
  return Reply(env, answer, batch);
}

absl::Status ProcessorHost::HandleTick(const Record& r, const common::v1::CommandEnvelope& env,
                                       std::string_view payload, Batch& batch) {
  common::v1::BusinessDayOpened tick;
  if (payload.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !tick.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return DeadLetter(r, "tick payload");
  }
  auto date = core::Date::FromYmd(tick.date().year(), tick.date().month(), tick.date().day());
  if (!date.ok()) return DeadLetter(r, absl::StrCat("tick date: ", date.status().message()));
  const int64_t day = date->days_since_epoch();
  auto seen = cache_.FindOutcome(r.partition, "", env.command_id());
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) return absl::OkStatus();  // this tick was handled already

  // Page through the review index: a continuation record carries where the last page ended.
  std::optional<StreamStore::DueCursor> after;
  const std::string* after_day = nullptr;
  const std::string* after_tenancy = nullptr;
  for (const auto& [k, v] : r.headers) {
    if (k == "rs-tick-after-day") after_day = &v;
    if (k == "rs-tick-after-tenancy") after_tenancy = &v;
  }
  if (after_day != nullptr && after_tenancy != nullptr) {
    after = StreamStore::DueCursor{std::atoll(after_day->c_str()), *after_tenancy};
  }
  const size_t page = std::max<size_t>(1, options_.tick_page_streams);
  auto due = store_.DueStreamsAfter(r.partition, day, page + 1, after);
  if (!due.ok()) return due.status();
  bool more = due->size() > page;
  if (more) due->resize(page);
  Causation cause{env.occurred_at(),
                  env.actor(),
                  "",
                  env.command_id(),
                  env.correlation_id().empty() ? env.command_id() : env.correlation_id(),
                  ""};
  std::set<std::string> reviewed;
  auto review = [&](const std::string& tenancy) -> absl::Status {
    if (!reviewed.insert(tenancy).second) return absl::OkStatus();
    auto entry = cache_.Touch(r.partition, tenancy);
    if (!entry.ok()) return entry.status();
    const int64_t next = (*entry)->record.next_review_day();
    if (next == 0 || next > day) return absl::OkStatus();  // moved by an earlier input
    StreamView view{tenancy, (*entry)->record.sequence(), *(*entry)->state, kNoKeyedRecords,
                    &(*entry)->memo};
    Decision decision = logic_.DecideTick(view, day);
    if (!decision.fault.ok()) return decision.fault;
    decision.rejection.reset();
    return Emit(r.partition, **entry, decision, cause, batch, nullptr);
  };
  // Every stream is reviewed unless the transaction's output budget is reached — after one
  // stream at least, so every tick record moves the tick on.
  const auto over_budget = [&] {
    return !reviewed.empty() && batch.out_records >= options_.max_transaction_outputs;
  };
  // Streams this transaction changed are not in the stored index yet: they go first (first
  // record of the tick only). If the budget stops them, the tick continues from the start of the
  // index, where they are after the commit.
  const StreamStore::DueStream index_start{0, ""};
  const StreamStore::DueStream* last = nullptr;
  if (!after.has_value()) {
    for (const std::string& t : cache_.DirtyDue(r.partition, day)) {
      if (over_budget()) {
        more = true;
        last = &index_start;
        break;
      }
      if (absl::Status st = review(t); !st.ok()) return st;
    }
  }
  // Then the index in its order, until the page ends or the budget is reached.
  for (size_t k = 0; last != &index_start && k < due->size(); ++k) {
    if (over_budget()) {
      more = true;
      break;
    }
    if (absl::Status st = review((*due)[k].tenancy); !st.ok()) return st;
    last = &(*due)[k];
  }
  if (more && last == nullptr) last = &index_start;  // only dirty streams were reviewed
  if (more) {
    // The rest of the tick, on this partition, in this transaction: consumed after the commit.
    OutgoingRecord next;
    next.topic = r.topic;
    next.key = r.key;
    next.value = r.value;
    next.partition = r.partition;
    next.headers = {{"rs-command-id", env.command_id()},
                    {"rs-tick-after-day", std::to_string(last->day)},
                    {"rs-tick-after-tenancy", last->tenancy}};
    batch.Out(next.topic);
    return member_->Append(std::move(next));
  }
  auto marker = cache_.TouchOutcome(r.partition, "", env.command_id());
  if (!marker.ok()) return marker.status();
  (*marker)->mutable_accepted();
  return absl::OkStatus();
}

}  // namespace rentstream::runtime
