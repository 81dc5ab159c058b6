#include "libs/runtime/command_gateway.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/core/hash_chain.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/json_log.h"
#include "libs/runtime/thread_name.h"

namespace rentstream::runtime {
namespace {

common::v1::Rejection Invalid(const std::string& field, absl::string_view reason) {
  common::v1::Rejection r;
  r.set_code(common::v1::REJECTION_CODE_INVALID_ARGUMENT);
  r.set_field(field);
  // Core validators already name the field ("tenancy_ref: ..."); say it once.
  absl::ConsumePrefix(&reason, absl::StrCat(field, ": "));
  r.set_reason(std::string(reason));
  return r;
}

const std::string* Header(const eventlog::Record& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

absl::Status RejectionToStatus(const common::v1::Rejection& r) {
  const std::string message =
      r.field().empty() ? r.reason() : absl::StrCat(r.field(), ": ", r.reason());
  switch (r.code()) {
    case common::v1::REJECTION_CODE_INVALID_ARGUMENT:
      return absl::InvalidArgumentError(message);
    case common::v1::REJECTION_CODE_FAILED_PRECONDITION:
      return absl::FailedPreconditionError(message);
    case common::v1::REJECTION_CODE_NOT_FOUND:
      return absl::NotFoundError(message);
    case common::v1::REJECTION_CODE_ALREADY_EXISTS:
      return absl::AlreadyExistsError(message);
    case common::v1::REJECTION_CODE_PERMISSION_DENIED:
      return absl::PermissionDeniedError(message);
    case common::v1::REJECTION_CODE_OUT_OF_RANGE:
      return absl::OutOfRangeError(message);
    default:
      return absl::UnknownError(message);
  }
}

absl::StatusOr<std::unique_ptr<CommandGateway>> CommandGateway::Start(eventlog::EventBus& bus,
                                                                      const std::string& service,
                                                                      const StreamLogic& logic) {
  const ServiceTopics topics = ServiceTopics::For(service);
  // Commands are grouped by the command topic's partitions, as the processor checks them.
  auto partitions = bus.PartitionCount(topics.commands);
  if (!partitions.ok()) return partitions.status();
  auto outcome_partitions = bus.PartitionCount(topics.outcomes);
  if (!outcome_partitions.ok()) return outcome_partitions.status();
  std::vector<eventlog::ReadFrom> from;
  for (int32_t p = 0; p < *outcome_partitions; ++p) {
    auto end = bus.EndOffset({topics.outcomes, p});
    if (!end.ok()) return end.status();
    from.push_back({{topics.outcomes, p}, *end});
  }
  auto tail = bus.Follow(from);
  if (!tail.ok()) return tail.status();
  auto appender = bus.NewAppender(absl::StrCat("rentstream.", service, ".gateway"));
  if (!appender.ok()) return appender.status();
  (*appender)->PrepareTopics({topics.commands});
  return std::unique_ptr<CommandGateway>(new CommandGateway(
      service, logic, *partitions, *outcome_partitions, std::move(*appender), std::move(*tail)));
}

CommandGateway::CommandGateway(const std::string& service, const StreamLogic& logic,
                               int32_t partitions, int32_t outcome_partitions,
                               std::unique_ptr<eventlog::Appender> appender,
                               std::unique_ptr<eventlog::Tail> outcomes)
    : topics_(ServiceTopics::For(service)),
      partitions_(partitions),
      outcome_partitions_(outcome_partitions),
      logic_(logic),
      appender_(std::move(appender)),
      outcomes_(std::move(outcomes)) {
  watcher_ = std::thread([this, service] {
    NameThisThread(ThreadName(service, "outcomes"));
    WatchOutcomes();
  });
}

CommandGateway::~CommandGateway() {
  if (watermark_ != nullptr) watermark_->SetListener(nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  watcher_.join();
}

void CommandGateway::AnswerOnceReflected(const ServedPartitions* served,
                                         ProjectionWatermark* watermark) {
  // Outcome records are where their commands' partitions are only with as many of each.
  if (served == nullptr || watermark == nullptr) return;
  if (watermark->partitions() != outcome_partitions_ || outcome_partitions_ != partitions_) {
    LogWarn("answers do not wait for the projection",
            {{"topic", topics_.outcomes},
             {"reason", absl::StrCat("the commands topic has ", partitions_,
                                     " partitions, the outcomes topic ", outcome_partitions_,
                                     ", the projection ", watermark->partitions())}});
    return;
  }
  served_ = served;
  watermark_ = watermark;
  watermark_->SetListener([this] {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  });
}

int64_t CommandGateway::AnsweredEnd(int32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = answered_end_.find(partition);
  return it != answered_end_.end() ? it->second : 0;
}

bool CommandGateway::Answerable(const Waiter& waiter) const {
  if (!waiter.outcome.has_value()) return false;
  if (served_ == nullptr || watermark_ == nullptr) return true;
  // A partition served elsewhere: a query here is refused, nothing to wait for.
  if (!served_->Serves(waiter.partition)) return true;
  return watermark_->Reflects(waiter.partition, waiter.offset);
}

void CommandGateway::WatchOutcomes() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto records = outcomes_->Poll(500, std::chrono::milliseconds(100));
    if (!records.ok()) {
      LogWarn("outcome watcher", {{"error", records.status().ToString()}});
      continue;
    }
    std::lock_guard lock(mu_);
    bool delivered = false;
    for (const eventlog::Record& r : *records) {
      const std::string* id = Header(r, "rs-command-id");
      if (id == nullptr) continue;
      auto it = waiters_.find(*id);
      if (it == waiters_.end() || it->second.outcome.has_value()) continue;
      common::v1::CommandOutcome outcome;
      if (!outcome.ParseFromString(r.value)) continue;
      it->second.outcome = std::move(outcome);
      it->second.partition = r.partition;
      it->second.offset = r.offset;
      int64_t& end = answered_end_[r.partition];
      end = std::max(end, r.offset + 1);
      delivered = true;
    }
    if (delivered) cv_.notify_all();
  }
}

std::optional<common::v1::Rejection> CommandGateway::Validate(
    const common::v1::Command& command) const {
  const common::v1::CommandEnvelope& env = command.envelope();
  if (auto id = core::CommandId::Parse(env.command_id()); !id.ok()) {
    return Invalid("command_id", id.status().message());
  }
  if (auto ref = core::TenancyRef::Parse(env.tenancy_ref()); !ref.ok()) {
    return Invalid("tenancy_ref", ref.status().message());
  }
  return logic_.Validate(env, command.payload());
}

absl::StatusOr<common::v1::CommandOutcome> CommandGateway::Submit(
    const common::v1::Command& command, std::chrono::steady_clock::time_point deadline) {
  if (auto rejection = Validate(command)) return RejectionToStatus(*rejection);
  return std::move(AppendAndWait({&command}, deadline).front());
}

std::vector<absl::StatusOr<common::v1::CommandOutcome>> CommandGateway::AppendAndWait(
    const std::vector<const common::v1::Command*>& commands,
    std::chrono::steady_clock::time_point deadline, const std::vector<size_t>* batch_sizes) {
  std::vector<eventlog::OutgoingRecord> records;
  {
    // Registered before the append, so an outcome cannot slip past unseen.
    std::lock_guard lock(mu_);
    for (const common::v1::Command* c : commands) ++waiters_[c->envelope().command_id()].waiting;
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    const common::v1::Command* c = commands[i];
    eventlog::OutgoingRecord record;
    record.topic = topics_.commands;
    record.key = c->envelope().tenancy_ref();
    record.value = c->SerializeAsString();
    record.headers = {{"rs-command-id", c->envelope().command_id()},
                      {"rs-command-type", c->envelope().command_type()}};
    if (batch_sizes != nullptr) {
      record.headers.emplace_back(kBatchCommandsHeader, std::to_string((*batch_sizes)[i]));
    }
    records.push_back(std::move(record));
  }
  absl::Status appended;
  {
    std::lock_guard lock(append_mu_);
    appended = appender_->Append(records);
  }
  std::vector<absl::StatusOr<common::v1::CommandOutcome>> results;
  std::unique_lock lock(mu_);
  if (appended.ok()) {
    const auto answerable = [&] {
      if (stopping_) return true;
      for (const common::v1::Command* c : commands) {
        if (!Answerable(waiters_[c->envelope().command_id()])) return false;
      }
      return true;
    };
    // In slices: a partition this process stops serving meanwhile frees its outcomes without
    // a notification.
    while (!answerable() && std::chrono::steady_clock::now() < deadline) {
      cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                  std::chrono::milliseconds(100)));
    }
  }
  for (const common::v1::Command* c : commands) {
    const std::string& id = c->envelope().command_id();
    auto it = waiters_.find(id);
    if (!appended.ok()) {
      results.push_back(
          absl::UnavailableError(absl::StrCat("command not accepted: ", appended.message())));
    } else if (!it->second.outcome.has_value()) {
      results.push_back(absl::DeadlineExceededError(
          absl::StrCat("command ", id,
                       " was accepted but not decided in time; retry with the same command_id")));
    } else if (it->second.waiting == 1) {
      results.push_back(std::move(*it->second.outcome));  // the last to wait for it: erased below
    } else {
      results.push_back(*it->second.outcome);
    }
    if (--it->second.waiting == 0) waiters_.erase(it);
  }
  return results;
}

absl::StatusOr<std::vector<common::v1::BatchItemOutcome>> CommandGateway::SubmitBatched(
    const std::string& request_id, std::string_view step, const common::v1::CommandEnvelope& shared,
    std::vector<common::v1::Command> commands, std::chrono::steady_clock::time_point deadline,
    const std::vector<int>* positions) {
  if (auto id = core::CommandId::Parse(request_id); !id.ok()) {
    return absl::InvalidArgumentError(id.status().message());
  }
  if (positions != nullptr && positions->size() != commands.size()) {
    return absl::InternalError(
        absl::StrCat(positions->size(), " positions for ", commands.size(), " commands"));
  }
  // An id is its kind and 128 bits of a SHA-256 digest in base64url (22 characters: a command
  // id's alphabet), over the request id, the step and `detail`, which ends with whatever may
  // hold any byte (a command's payload). A command's id appears in its command and outcome
  // records, in each of its events twice (command and causation id) and in a record header, and
  // in its remembered outcome's key: 40 hexadecimal digits cost a payment ~100 bytes more.
  std::string digest_input;
  auto derived = [&](absl::string_view kind, auto&&... detail) {
    digest_input.clear();
    absl::StrAppend(&digest_input, request_id, "/", absl::string_view(step.data(), step.size()),
                    "/");
    (absl::StrAppend(&digest_input, detail), ...);
    return absl::StrCat(kind, "-",
                        absl::WebSafeBase64Escape(core::Sha256(digest_input).substr(0, 16)));
  };
  std::vector<common::v1::BatchItemOutcome> items(commands.size());
  // Valid commands per partition, in the order given; the invalid answered here.
  std::map<int32_t, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < commands.size(); ++i) {
    common::v1::CommandEnvelope& env = *commands[i].mutable_envelope();
    // One digest per command: its position, tenancy and type, then its payload's bytes.
    const int64_t position = positions != nullptr ? (*positions)[i] : static_cast<int64_t>(i);
    env.set_command_id(derived("cmd", position, "/", env.tenancy_ref(), "/", env.command_type(),
                               "/", commands[i].payload()));
    items[i].set_command_id(env.command_id());
    items[i].set_tenancy_ref(env.tenancy_ref());
    if (auto rejection = Validate(commands[i])) {
      *items[i].mutable_rejected() = std::move(*rejection);
      continue;
    }
    by_partition[eventlog::PartitionForKey(env.tenancy_ref(), partitions_)].push_back(i);
  }
  std::vector<common::v1::Command> batches;
  std::vector<std::vector<size_t>> members;
  for (const auto& [partition, indexes] : by_partition) {
    for (size_t start = 0; start < indexes.size(); start += kMaxBatchCommands) {
      const size_t end = std::min(indexes.size(), start + kMaxBatchCommands);
      common::v1::CommandBatch batch;
      for (size_t k = start; k < end; ++k) {
        common::v1::Command& item = *batch.add_commands();
        item = std::move(commands[indexes[k]]);
        // The batch envelope carries what every command shares.
        item.mutable_envelope()->clear_actor();
        item.mutable_envelope()->clear_occurred_at();
        item.mutable_envelope()->clear_submitted_at();
        item.mutable_envelope()->clear_correlation_id();
      }
      common::v1::Command& b = batches.emplace_back();
      *b.mutable_envelope() = shared;
      std::string member_ids;
      for (const common::v1::Command& c : batch.commands()) {
        absl::StrAppend(&member_ids, c.envelope().command_id(), ",");
      }
      b.mutable_envelope()->set_command_id(derived("batch", member_ids));
      b.mutable_envelope()->set_tenancy_ref(batch.commands(0).envelope().tenancy_ref());
      b.mutable_envelope()->set_command_type(common::v1::CommandBatch::descriptor()->full_name());
      b.mutable_envelope()->set_schema_version(1);
      if (shared.correlation_id().empty()) b.mutable_envelope()->set_correlation_id(request_id);
      b.set_payload(batch.SerializeAsString());
      members.emplace_back(indexes.begin() + start, indexes.begin() + end);
    }
  }
  if (batches.empty()) return items;  // nothing valid to send
  std::vector<const common::v1::Command*> pointers;
  std::vector<size_t> sizes;
  for (size_t b = 0; b < batches.size(); ++b) {
    pointers.push_back(&batches[b]);
    sizes.push_back(members[b].size());
  }
  std::vector<absl::StatusOr<common::v1::CommandOutcome>> outcomes =
      AppendAndWait(pointers, deadline, &sizes);
  for (size_t b = 0; b < batches.size(); ++b) {
    if (!outcomes[b].ok()) return outcomes[b].status();
    common::v1::CommandOutcome& outcome = *outcomes[b];  // its items are moved out below
    if (outcome.has_rejected()) {
      for (size_t i : members[b]) *items[i].mutable_rejected() = outcome.rejected();
      continue;
    }
    if (outcome.batch().items_size() != static_cast<int>(members[b].size())) {
      return absl::InternalError(absl::StrCat("batch ", batches[b].envelope().command_id(), ": ",
                                              outcome.batch().items_size(), " answers for ",
                                              members[b].size(), " commands"));
    }
    for (size_t k = 0; k < members[b].size(); ++k) {
      common::v1::BatchItemOutcome& item = items[members[b][k]];
      if (outcome.batch().items(k).command_id() != item.command_id()) {
        return absl::InternalError(
            absl::StrCat("batch ", batches[b].envelope().command_id(), ": answer ", k, " is for ",
                         outcome.batch().items(k).command_id(), ", not ", item.command_id()));
      }
      item.Swap(outcome.mutable_batch()->mutable_items(static_cast<int>(k)));
    }
  }
  return items;
}

}  // namespace rentstream::runtime
