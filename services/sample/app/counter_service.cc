#include "services/sample/app/counter_service.h"

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/envelope.h"

namespace rentstream::sample {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

namespace {

// The actor comes from the caller's metadata; bearer-token roles arrive with the auth issue.
common::v1::Actor ActorOf(const grpc::ServerContext& context) {
  common::v1::Actor actor;
  auto it = context.client_metadata().find("x-rentstream-actor");
  actor.set_id(it == context.client_metadata().end()
                   ? "anonymous"
                   : std::string(it->second.data(), it->second.size()));
  actor.set_role(common::v1::ACTOR_ROLE_OFFICER);
  return actor;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

grpc::Status CounterService::Increment(grpc::ServerContext* context,
                                       const v1::IncrementRequest* request,
                                       v1::IncrementResponse* response) {
  common::v1::Command command;
  common::v1::CommandEnvelope& env = *command.mutable_envelope();
  env.set_command_id(request->command_id());
  env.set_tenancy_ref(request->tenancy_ref());
  env.set_command_type(v1::Increment::descriptor()->full_name());
  env.set_schema_version(1);
  *env.mutable_occurred_at() = request->has_occurred_at()
                                   ? request->occurred_at()
                                   : runtime::TimestampFromMicros(NowMicros());
  *env.mutable_submitted_at() = runtime::TimestampFromMicros(NowMicros());
  *env.mutable_actor() = ActorOf(*context);
  v1::Increment payload;
  payload.set_amount(request->amount());
  command.set_payload(payload.SerializeAsString());

  // The caller's deadline, capped by the configured default.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(host_.config().command_deadline_ms);
  const auto client_deadline = context->deadline();
  if (client_deadline != std::chrono::system_clock::time_point::max()) {
    deadline = std::min(deadline, std::chrono::steady_clock::now() +
                                      (client_deadline - std::chrono::system_clock::now()));
  }
  auto outcome = host_.gateway().Submit(command, deadline);
  if (!outcome.ok()) return ToGrpc(outcome.status());
  if (outcome->has_rejected()) return ToGrpc(runtime::RejectionToStatus(outcome->rejected()));
  for (const common::v1::Event& event : outcome->accepted().events()) {
    v1::Incremented incremented;
    if (event.envelope().event_type() != v1::Incremented::descriptor()->full_name() ||
        !incremented.ParseFromString(event.payload())) {
      continue;
    }
    response->set_total(incremented.total());
    response->set_sequence(event.envelope().sequence());
    response->set_event_id(event.envelope().event_id());
  }
  return grpc::Status::OK;
}

grpc::Status CounterService::GetCounter(grpc::ServerContext* /*context*/,
                                        const v1::GetCounterRequest* request,
                                        v1::GetCounterResponse* response) {
  auto ref = core::TenancyRef::Parse(request->tenancy_ref());
  if (!ref.ok()) return ToGrpc(ref.status());
  const int32_t partition = eventlog::PartitionForKey(ref->value(), host_.config().partitions);
  auto stored = host_.store().LoadStream(partition, ref->value());
  if (!stored.ok()) return ToGrpc(stored.status());
  if (!stored->has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("tenancy_ref: no counter for ", ref->value()));
  }
  v1::CounterState state;
  state.ParseFromString((*stored)->state());
  response->set_total(state.total());
  response->set_sequence((*stored)->sequence());
  return grpc::Status::OK;
}

}  // namespace rentstream::sample
