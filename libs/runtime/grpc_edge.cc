#include "libs/runtime/grpc_edge.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/command_gateway.h"
#include "libs/runtime/envelope.h"

namespace rentstream::runtime {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The caller's deadline, capped at `cap`.
std::chrono::steady_clock::time_point CommandDeadline(const grpc::ServerContext& context,
                                                      std::chrono::milliseconds cap) {
  auto deadline = std::chrono::steady_clock::now() + cap;
  const auto client_deadline = context.deadline();
  if (client_deadline != std::chrono::system_clock::time_point::max()) {
    deadline = std::min(deadline, std::chrono::steady_clock::now() +
                                      (client_deadline - std::chrono::system_clock::now()));
  }
  return deadline;
}

}  // namespace

std::unique_ptr<grpc::ClientContext> OnBehalfOf(ServiceHost& host,
                                                const grpc::ServerContext& context) {
  auto out = std::make_unique<grpc::ClientContext>();
  // The caller's own deadline (an import's is minutes), else the command deadline.
  const auto client_deadline = context.deadline();
  out->set_deadline(client_deadline != std::chrono::system_clock::time_point::max()
                        ? client_deadline
                        : std::chrono::system_clock::now() +
                              std::chrono::milliseconds(host.config().command_deadline_ms));
  // The other replica authorizes the caller as this one did.
  const auto& metadata = context.client_metadata();
  for (const char* key : {"authorization", "x-rentstream-actor", "x-rentstream-role"}) {
    if (auto it = metadata.find(key); it != metadata.end()) {
      out->AddMetadata(key, std::string(it->second.data(), it->second.size()));
    }
  }
  out->AddMetadata(kForwardedMetadata, host.config().instance_id);
  return out;
}

absl::StatusOr<std::vector<Replica>> OtherReplicas(ServiceHost& host,
                                                   const grpc::ServerContext& context) {
  QueryRouter* router = host.query_router();
  const auto& metadata = context.client_metadata();
  if (router == nullptr || metadata.find(kForwardedMetadata) != metadata.end()) {
    return std::vector<Replica>{};
  }
  auto addresses = router->OtherReplicas();
  if (!addresses.ok()) return addresses.status();
  std::vector<Replica> out;
  for (const std::string& address : *addresses) {
    out.push_back({address, router->ChannelTo(address)});
  }
  return out;
}

absl::StatusOr<ScanPlan> PlanScan(ServiceHost& host, const grpc::ServerContext& context,
                                  const std::string& what) {
  ScanPlan plan;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find(kScanPartitionsMetadata); it != metadata.end()) {
    // Another replica's scan asks for these partitions' part (ServiceHost checks they are served).
    std::vector<int32_t> asked;
    for (absl::string_view p :
         absl::StrSplit(absl::string_view(it->second.data(), it->second.size()), ',')) {
      int32_t partition = 0;
      if (!absl::SimpleAtoi(p, &partition) || partition < 0 ||
          partition >= host.config().partitions) {
        return absl::InvalidArgumentError(
            absl::StrCat(kScanPartitionsMetadata, ": not a list of partitions"));
      }
      asked.push_back(partition);
    }
    std::sort(asked.begin(), asked.end());
    asked.erase(std::unique(asked.begin(), asked.end()), asked.end());
    plan.local = std::move(asked);
    return plan;
  }
  std::vector<int32_t> served = host.PartitionsServed();
  if (static_cast<int32_t>(served.size()) == host.config().partitions) return plan;  // all here
  QueryRouter* router = host.query_router();
  if (router == nullptr) {
    if (absl::Status st = host.CheckServesAllPartitions(what); !st.ok()) return st;
    return plan;  // served them all by now
  }
  std::map<std::string, std::vector<int32_t>> by_owner;
  for (int32_t p = 0; p < host.config().partitions; ++p) {
    if (std::find(served.begin(), served.end(), p) != served.end()) continue;
    auto owner = router->OwnerAddress(p);
    if (!owner.ok()) {
      return absl::UnavailableError(absl::StrCat(what, ": partition ", p,
                                                 " is served by no replica now (",
                                                 owner.status().message(), "); retry"));
    }
    by_owner[*owner].push_back(p);
  }
  plan.local = std::move(served);
  for (auto& [address, partitions] : by_owner) {
    plan.peers.push_back({address, std::move(partitions), router->ChannelTo(address)});
  }
  return plan;
}

std::unique_ptr<grpc::ClientContext> ScanPartContext(ServiceHost& host,
                                                     const grpc::ServerContext& context,
                                                     const ScanPart& part) {
  std::unique_ptr<grpc::ClientContext> out = OnBehalfOf(host, context);
  out->AddMetadata(kScanPartitionsMetadata, absl::StrJoin(part.partitions, ","));
  return out;
}

grpc::Status PartOfScanFailed(const std::string& what, const ScanPart& part,
                              const grpc::Status& asked) {
  return grpc::Status(asked.error_code(), absl::StrCat(what, ": the part of replica ", part.address,
                                                       ": ", asked.error_message()));
}

absl::StatusOr<std::optional<ForwardedQuery>> QueryOwner(ServiceHost& host,
                                                         const grpc::ServerContext& context,
                                                         const std::string& tenancy_ref) {
  QueryRouter* router = host.query_router();
  if (router == nullptr || host.ServesTenancy(tenancy_ref)) return std::nullopt;
  if (!core::TenancyRef::Parse(tenancy_ref).ok()) return std::nullopt;  // refused here
  const auto& metadata = context.client_metadata();
  if (metadata.find(kForwardedMetadata) != metadata.end()) return std::nullopt;  // once only
  const int32_t partition = eventlog::PartitionForKey(tenancy_ref, host.config().partitions);
  auto address = router->OwnerAddress(partition);
  if (absl::IsNotFound(address.status())) return std::nullopt;  // no other owner: refused here
  if (!address.ok()) {
    return absl::UnavailableError(
        absl::StrCat("tenancy_ref: ", tenancy_ref, " is on partition ", partition,
                     ", which another replica serves; which one is not known now (",
                     address.status().message(), "): retry"));
  }
  ForwardedQuery out;
  out.channel = router->ChannelTo(*address);
  out.context = OnBehalfOf(host, context);
  // Read your own writes: the owner answers once its projection has what this replica answered.
  if (const int64_t answered = host.gateway().AnsweredEnd(partition); answered > 0) {
    out.context->AddMetadata(kReflectsMetadata, std::to_string(answered));
  }
  return out;
}

std::optional<grpc::Status> AwaitReflected(ServiceHost& host, const grpc::ServerContext& context,
                                           const std::string& tenancy_ref) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kReflectsMetadata);
  if (it == metadata.end() || !host.ServesTenancy(tenancy_ref)) return std::nullopt;
  int64_t end = 0;
  if (!absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &end) ||
      end <= 0) {
    return std::nullopt;
  }
  const int32_t partition = eventlog::PartitionForKey(tenancy_ref, host.config().partitions);
  if (host.projection_watermark().WaitReflects(
          partition, end,
          CommandDeadline(context, std::chrono::milliseconds(host.config().command_deadline_ms)))) {
    return std::nullopt;
  }
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("tenancy_ref: the projection of partition ", partition,
                                   " has not reached the commands answered by the replica that "
                                   "forwarded this query yet; retry"));
}

void CountForwarded(ServiceHost& host, const grpc::Status& answer) {
  host.metrics()
      .GetCounter(
          "rentstream_queries_forwarded_total",
          "Queries asked of the replica serving their tenancy, by the answer's code",
          {{"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(answer.error_code()))}})
      .Inc();
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::StatusOr<common::v1::Actor> AuthorizeCommand(const ServiceHost& host,
                                                   const grpc::ServerContext& context) {
  auto actor = host.authenticator().Authenticate(context);
  if (!actor.ok()) return actor.status();
  if (actor->role() == common::v1::ACTOR_ROLE_AUDITOR) {
    return absl::PermissionDeniedError("role: an auditor may not send commands");
  }
  return actor;
}

absl::StatusOr<common::v1::Actor> Authorize(const ServiceHost& host,
                                            const grpc::ServerContext& context,
                                            std::initializer_list<common::v1::ActorRole> allowed) {
  auto actor = host.authenticator().Authenticate(context);
  if (!actor.ok() || allowed.size() == 0) return actor;
  for (common::v1::ActorRole role : allowed) {
    if (actor->role() == role) return actor;
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role: ", common::v1::ActorRole_Name(actor->role()), " may not do this"));
}

common::v1::Command NewCommand(const std::string& command_id, const std::string& tenancy_ref,
                               const google::protobuf::Message& payload,
                               const common::v1::Actor& actor, const std::string& correlation_id,
                               const google::protobuf::Timestamp* occurred_at) {
  common::v1::Command command;
  common::v1::CommandEnvelope& env = *command.mutable_envelope();
  env.set_command_id(command_id);
  env.set_tenancy_ref(tenancy_ref);
  env.set_command_type(payload.GetDescriptor()->full_name());
  env.set_schema_version(1);
  *env.mutable_occurred_at() =
      occurred_at != nullptr ? *occurred_at : TimestampFromMicros(NowMicros());
  *env.mutable_submitted_at() = TimestampFromMicros(NowMicros());
  *env.mutable_actor() = actor;
  env.set_correlation_id(correlation_id);
  command.set_payload(payload.SerializeAsString());
  return command;
}

absl::StatusOr<common::v1::CommandOutcome> SubmitAndWait(
    ServiceHost& host, const common::v1::Command& command,
    std::chrono::steady_clock::time_point deadline) {
  auto outcome = host.gateway().Submit(command, deadline);
  if (!outcome.ok()) return outcome.status();
  if (outcome->has_rejected()) return RejectionToStatus(outcome->rejected());
  return outcome;
}

absl::StatusOr<common::v1::CommandOutcome> SubmitCommand(
    ServiceHost& host, const grpc::ServerContext& context, const std::string& command_id,
    const std::string& tenancy_ref, const google::protobuf::Message& payload,
    const std::string& correlation_id, const google::protobuf::Timestamp* occurred_at) {
  auto actor = AuthorizeCommand(host, context);
  if (!actor.ok()) return actor.status();
  const common::v1::Command command =
      NewCommand(command_id, tenancy_ref, payload, *actor, correlation_id, occurred_at);
  return SubmitAndWait(
      host, command,
      CommandDeadline(context, std::chrono::milliseconds(host.config().command_deadline_ms)));
}

common::v1::Command BatchItem(const std::string& tenancy_ref,
                              const google::protobuf::Message& payload) {
  common::v1::Command command;
  common::v1::CommandEnvelope& env = *command.mutable_envelope();
  env.set_tenancy_ref(tenancy_ref);
  env.set_command_type(payload.GetDescriptor()->full_name());
  env.set_schema_version(1);
  command.set_payload(payload.SerializeAsString());
  return command;
}

absl::StatusOr<std::vector<common::v1::BatchItemOutcome>> SubmitBatched(
    ServiceHost& host, const grpc::ServerContext& context, const common::v1::Actor& actor,
    const std::string& request_id, std::string_view step, std::vector<common::v1::Command> commands,
    const std::string& correlation_id, const std::vector<int>* positions) {
  common::v1::CommandEnvelope shared;
  *shared.mutable_occurred_at() = TimestampFromMicros(NowMicros());
  *shared.mutable_submitted_at() = shared.occurred_at();
  *shared.mutable_actor() = actor;
  shared.set_correlation_id(correlation_id.empty() ? request_id : correlation_id);
  const auto cap = std::max<std::chrono::milliseconds>(
      kBatchDeadline, std::chrono::milliseconds(host.config().command_deadline_ms));
  return host.gateway().SubmitBatched(request_id, step, shared, std::move(commands),
                                      CommandDeadline(context, cap), positions);
}

}  // namespace rentstream::runtime
