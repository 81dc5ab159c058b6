#pragma once
// The gRPC edge of every service: builds the command envelope from the request and the call
// (actor from metadata, business time, deadline), submits it through the CommandGateway and maps
// the outcome to a gRPC answer. Handlers stay a few lines each.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "libs/runtime/service_host.h"
#include "rentstream/common/v1/command.pb.h"

namespace rentstream::runtime {

// absl::Status → grpc::Status, code for code.
grpc::Status ToGrpc(const absl::Status& status);

// The authenticated actor of a call (the host's Authenticator: verified bearer tokens, or trusted
// metadata in the embedded deployment), UNAUTHENTICATED otherwise; with `allowed` roles given,
// PERMISSION_DENIED for any other role. Query handlers call it; SubmitCommand does it itself.
absl::StatusOr<common::v1::Actor> Authorize(
    const ServiceHost& host, const grpc::ServerContext& context,
    std::initializer_list<common::v1::ActorRole> allowed = {});

// The authenticated actor of a call that sends commands: as Authorize, and PERMISSION_DENIED for
// an auditor (auditors read; they never change anything). SubmitCommand does it itself; a handler
// that reads the projection before it submits calls it first, so that nothing is read — or told
// — to a caller who may not send the command.
absl::StatusOr<common::v1::Actor> AuthorizeCommand(const ServiceHost& host,
                                                   const grpc::ServerContext& context);

// Submits `payload` as a command of its type about `tenancy_ref` with `command_id`. Waits until
// the earlier of the client's deadline and the configured one. A refused command comes back as
// its gRPC status (INVALID_ARGUMENT etc., field named); an accepted one as its outcome.
// `occurred_at` is the business time of the command (default: now).
absl::StatusOr<common::v1::CommandOutcome> SubmitCommand(
    ServiceHost& host, const grpc::ServerContext& context, const std::string& command_id,
    const std::string& tenancy_ref, const google::protobuf::Message& payload,
    const std::string& correlation_id = "",
    const google::protobuf::Timestamp* occurred_at = nullptr);

// A command as the edge sends it: envelope (type, schema, business and submission time, actor,
// correlation) and payload. `occurred_at` defaults to now.
common::v1::Command NewCommand(const std::string& command_id, const std::string& tenancy_ref,
                               const google::protobuf::Message& payload,
                               const common::v1::Actor& actor,
                               const std::string& correlation_id = "",
                               const google::protobuf::Timestamp* occurred_at = nullptr);

// Submits `commands` (type, schema, tenancy and payload each: BatchItem) as command batches
// through the host's gateway (CommandGateway::SubmitBatched): `actor` (the caller's, as
// AuthorizeCommand gave it — the handler authorizes once, however many steps it submits),
// business time now and `correlation_id` (default: `request_id`) apply to all; ids derive from
// `request_id` and `step` (one request may submit in several steps). One item outcome per command,
// in order; a refused command is an item's rejection, not an error. Waits until the caller's
// deadline, capped at kBatchDeadline (a file's batches take longer than one command). `positions`:
// as CommandGateway::SubmitBatched's.
inline constexpr std::chrono::seconds kBatchDeadline{120};
absl::StatusOr<std::vector<common::v1::BatchItemOutcome>> SubmitBatched(
    ServiceHost& host, const grpc::ServerContext& context, const common::v1::Actor& actor,
    const std::string& request_id, std::string_view step, std::vector<common::v1::Command> commands,
    const std::string& correlation_id = "", const std::vector<int>* positions = nullptr);

// A query about `tenancy_ref` that this instance cannot answer — it does not serve the tenancy's
// partition now — is asked of the replica that does (ServiceHost::query_router): `ask(channel,
// client_context)` calls the query's RPC on a stub over the channel with the client context
// given (the caller's credentials and deadline, marked as forwarded), and returns its status,
// which is the answer. nullopt when this instance answers it itself: it serves the partition, has
// no router, the reference is malformed, the query was forwarded to it already (a query is
// forwarded once, never on), or no other replica owns the partition now (it then refuses as
// before, UNAVAILABLE). UNAVAILABLE with the reason when the owners cannot be learnt (the
// group's coordinator does not answer). Handlers call it after Authorize.
struct ForwardedQuery {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::ClientContext> context;
};
absl::StatusOr<std::optional<ForwardedQuery>> QueryOwner(ServiceHost& host,
                                                         const grpc::ServerContext& context,
                                                         const std::string& tenancy_ref);
// Counts a forwarded query's answer: rentstream_queries_forwarded_total{code} (OK, NOT_FOUND,
// UNAVAILABLE — the owner unreachable — and so on).
void CountForwarded(ServiceHost& host, const grpc::Status& answer);
// Before a query forwarded here is answered: waits until this instance's projection reflects
// the outcomes the forwarding replica answered commands with (kReflectsMetadata), so that a
// caller reads its own writes; UNAVAILABLE if it does not by the query's deadline.
std::optional<grpc::Status> AwaitReflected(ServiceHost& host, const grpc::ServerContext& context,
                                           const std::string& tenancy_ref);
template <typename Ask>
std::optional<grpc::Status> ForwardQuery(ServiceHost& host, const grpc::ServerContext& context,
                                         const std::string& tenancy_ref, Ask&& ask) {
  absl::StatusOr<std::optional<ForwardedQuery>> owner = QueryOwner(host, context, tenancy_ref);
  if (!owner.ok()) return ToGrpc(owner.status());
  if (!owner->has_value()) return AwaitReflected(host, context, tenancy_ref);
  grpc::Status answer = ask((*owner)->channel, (*owner)->context.get());
  CountForwarded(host, answer);
  return answer;
}
// The same for a generated stub's method: ForwardQuery(host, context, tenancy_ref,
// &v1::LedgerService::Stub::GetBalance, *request, response).
template <typename Stub, typename Request, typename Response>
std::optional<grpc::Status> ForwardQuery(ServiceHost& host, const grpc::ServerContext& context,
                                         const std::string& tenancy_ref,
                                         grpc::Status (Stub::*call)(grpc::ClientContext*,
                                                                    const Request&, Response*),
                                         const Request& request, Response* response) {
  return ForwardQuery(
      host, context, tenancy_ref,
      [&](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext* forward) {
        Stub stub(channel);
        return (stub.*call)(forward, request, response);
      });
}

// The metadata key marking a forwarded query (its value: the forwarding instance's id).
inline constexpr char kForwardedMetadata[] = "x-rentstream-forwarded";
// The metadata key of a forwarded query giving the end of the outcome records of its tenancy's
// partition that the forwarding replica answered commands with (CommandGateway::AnsweredEnd).
inline constexpr char kReflectsMetadata[] = "x-rentstream-reflects";

// A scan of every stream (the ledger's KPIs, escalation's worklist and stage counts) spread over
// the replicas: the partitions this instance scans itself, and each other replica with the
// partitions it is asked to scan (its answer merged by the handler).
struct ScanPart {
  std::string address;
  std::vector<int32_t> partitions;
  std::shared_ptr<grpc::Channel> channel;
};
struct ScanPlan {
  // What this instance scans: null for every partition (it serves them all).
  std::optional<std::vector<int32_t>> local;
  std::vector<ScanPart> peers;
  const std::vector<int32_t>* only() const { return local.has_value() ? &*local : nullptr; }
};
// The plan of a scan named `what`: every partition, where this instance serves them all; the
// partitions a replica asked it for (a part of another's scan, kScanPartitionsMetadata), which it
// must serve now; or those it serves and, for the rest, the replicas owning them
// (ServiceHost::query_router). UNAVAILABLE naming `what` when a partition is served by no
// replica now, or this instance serves only some and has no router.
absl::StatusOr<ScanPlan> PlanScan(ServiceHost& host, const grpc::ServerContext& context,
                                  const std::string& what);
// The client context asking `part` of a scan: the caller's credentials and deadline, and the
// partitions to scan.
std::unique_ptr<grpc::ClientContext> ScanPartContext(ServiceHost& host,
                                                     const grpc::ServerContext& context,
                                                     const ScanPart& part);
// For a call every replica must answer (escalation's ReloadPolicies): the other replicas' channels
// with their addresses, asked on behalf of the caller (OnBehalfOf). None where there is no
// router, or the call came from another replica (it asks the others itself).
struct Replica {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
};
absl::StatusOr<std::vector<Replica>> OtherReplicas(ServiceHost& host,
                                                   const grpc::ServerContext& context);
// The caller's credentials and deadline on a call this instance makes for it to another replica,
// marked as forwarded.
std::unique_ptr<grpc::ClientContext> OnBehalfOf(ServiceHost& host,
                                                const grpc::ServerContext& context);

// Asks `part` of a scan named `what` through a generated stub's method
// (&v1::LedgerService::Stub::GetKpis); a failure names the replica whose part it is.
grpc::Status PartOfScanFailed(const std::string& what, const ScanPart& part,
                              const grpc::Status& asked);
template <typename Stub, typename Request, typename Response>
grpc::Status AskScanPart(ServiceHost& host, const grpc::ServerContext& context,
                         const std::string& what, const ScanPart& part,
                         grpc::Status (Stub::*call)(grpc::ClientContext*, const Request&,
                                                    Response*),
                         const Request& request, Response* response) {
  Stub stub(part.channel);
  grpc::Status asked = (stub.*call)(ScanPartContext(host, context, part).get(), request, response);
  return asked.ok() ? asked : PartOfScanFailed(what, part, asked);
}

// The metadata key asking a replica for its part of a scan: the partitions, comma-separated.
inline constexpr char kScanPartitionsMetadata[] = "x-rentstream-scan-partitions";

// A command of a batch: its type, schema version, tenancy and payload.
common::v1::Command BatchItem(const std::string& tenancy_ref,
                              const google::protobuf::Message& payload);

// Submits through the host's gateway and waits until `deadline`; a rejection becomes its status.
absl::StatusOr<common::v1::CommandOutcome> SubmitAndWait(
    ServiceHost& host, const common::v1::Command& command,
    std::chrono::steady_clock::time_point deadline);

}  // namespace rentstream::runtime
