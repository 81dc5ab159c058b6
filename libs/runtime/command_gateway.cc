#include "libs/runtime/command_gateway.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/json_log.h"

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
  auto partitions = bus.PartitionCount(topics.outcomes);
  if (!partitions.ok()) return partitions.status();
  std::vector<eventlog::ReadFrom> from;
  for (int32_t p = 0; p < *partitions; ++p) {
    auto end = bus.EndOffset({topics.outcomes, p});
    if (!end.ok()) return end.status();
    from.push_back({{topics.outcomes, p}, *end});
  }
  auto tail = bus.Follow(from);
  if (!tail.ok()) return tail.status();
  auto appender = bus.NewAppender(absl::StrCat("rentstream.", service, ".gateway"));
  if (!appender.ok()) return appender.status();
  return std::unique_ptr<CommandGateway>(
      new CommandGateway(service, logic, std::move(*appender), std::move(*tail)));
}

CommandGateway::CommandGateway(const std::string& service, const StreamLogic& logic,
                               std::unique_ptr<eventlog::Appender> appender,
                               std::unique_ptr<eventlog::Tail> outcomes)
    : topics_(ServiceTopics::For(service)),
      logic_(logic),
      appender_(std::move(appender)),
      outcomes_(std::move(outcomes)) {
  watcher_ = std::thread([this] { WatchOutcomes(); });
}

CommandGateway::~CommandGateway() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  watcher_.join();
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
  const std::string& id = command.envelope().command_id();
  {
    // Registered before the append, so an outcome cannot slip past unseen.
    std::lock_guard lock(mu_);
    ++waiters_[id].waiting;
  }
  auto release = [&] {
    auto it = waiters_.find(id);
    if (--it->second.waiting == 0) waiters_.erase(it);
  };
  eventlog::OutgoingRecord record;
  record.topic = topics_.commands;
  record.key = command.envelope().tenancy_ref();
  record.value = command.SerializeAsString();
  record.headers = {{"rs-command-id", id}, {"rs-command-type", command.envelope().command_type()}};
  absl::Status appended;
  {
    std::lock_guard lock(append_mu_);
    appended = appender_->Append({record});
  }
  std::unique_lock lock(mu_);
  if (!appended.ok()) {
    release();
    return absl::UnavailableError(absl::StrCat("command not accepted: ", appended.message()));
  }
  const bool answered =
      cv_.wait_until(lock, deadline, [&] { return waiters_[id].outcome.has_value() || stopping_; });
  if (!answered || !waiters_[id].outcome.has_value()) {
    release();
    return absl::DeadlineExceededError(absl::StrCat(
        "command ", id, " was accepted but not decided in time; retry with the same command_id"));
  }
  common::v1::CommandOutcome outcome = *waiters_[id].outcome;
  release();
  return outcome;
}

}  // namespace rentstream::runtime
