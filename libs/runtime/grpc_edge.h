#pragma once
// The gRPC edge of every service: builds the command envelope from the request and the call
// (actor from metadata, business time, deadline), submits it through the CommandGateway and maps
// the outcome to a gRPC answer. Handlers stay a few lines each.

#include <grpcpp/grpcpp.h>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "libs/runtime/service_host.h"
#include "rentstream/common/v1/command.pb.h"

namespace rentstream::runtime {

// absl::Status → grpc::Status, code for code.
grpc::Status ToGrpc(const absl::Status& status);

// The actor of a call: `x-rentstream-actor` metadata (id; "anonymous" when absent) and
// `x-rentstream-role` (officer, team_leader, income_manager, auditor, integration; default
// officer). Trusted as sent until the auth work brings bearer tokens: deploy behind an
// authenticating gateway only.
common::v1::Actor ActorOf(const grpc::ServerContext& context);

// Submits `payload` as a command of its type about `tenancy_ref` with `command_id`. Waits until
// the earlier of the client's deadline and the configured one. A refused command comes back as
// its gRPC status (INVALID_ARGUMENT etc., field named); an accepted one as its outcome.
// `occurred_at` is the business time of the command (default: now).
absl::StatusOr<common::v1::CommandOutcome> SubmitCommand(
    ServiceHost& host, const grpc::ServerContext& context, const std::string& command_id,
    const std::string& tenancy_ref, const google::protobuf::Message& payload,
    const std::string& correlation_id = "",
    const google::protobuf::Timestamp* occurred_at = nullptr);

}  // namespace rentstream::runtime
