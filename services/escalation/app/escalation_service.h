#pragma once
// gRPC handlers of the escalation service: commands go through the CommandGateway (never
// straight to the events topic); queries read this instance's case projection.

#include <functional>
#include <mutex>
#include <string>

#include "libs/runtime/service_host.h"
#include "rentstream/escalation/v1/escalation_service.grpc.pb.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/policy_registry.h"

namespace rentstream::escalation::app {

class EscalationService final : public v1::EscalationService::Service {
 public:
  // `registry` (optional) serves ReloadPolicies; without it the RPC is UNIMPLEMENTED.
  EscalationService(runtime::ServiceHost& host, ReviewerSource reviewer,
                    PolicyRegistry* registry = nullptr)
      : host_(host), reviewer_(std::move(reviewer)), registry_(registry) {}

  grpc::Status RecordContact(grpc::ServerContext* context, const v1::RecordContactRequest* request,
                             v1::RecordContactResponse* response) override;
  grpc::Status RecordPromiseToPay(grpc::ServerContext* context,
                                  const v1::RecordPromiseToPayRequest* request,
                                  v1::RecordPromiseToPayResponse* response) override;
  grpc::Status AgreeArrangement(grpc::ServerContext* context,
                                const v1::AgreeArrangementRequest* request,
                                v1::AgreeArrangementResponse* response) override;
  grpc::Status CancelArrangement(grpc::ServerContext* context,
                                 const v1::CancelArrangementRequest* request,
                                 v1::CancelArrangementResponse* response) override;
  grpc::Status PauseCase(grpc::ServerContext* context, const v1::PauseCaseRequest* request,
                         v1::PauseCaseResponse* response) override;
  grpc::Status ResumeCase(grpc::ServerContext* context, const v1::ResumeCaseRequest* request,
                          v1::ResumeCaseResponse* response) override;
  grpc::Status NotifyCrisisTreatmentEnded(
      grpc::ServerContext* context, const v1::NotifyCrisisTreatmentEndedRequest* request,
      v1::NotifyCrisisTreatmentEndedResponse* response) override;
  grpc::Status FlagVulnerability(grpc::ServerContext* context,
                                 const v1::FlagVulnerabilityRequest* request,
                                 v1::FlagVulnerabilityResponse* response) override;
  grpc::Status RecordNoticeServed(grpc::ServerContext* context,
                                  const v1::RecordNoticeServedRequest* request,
                                  v1::RecordNoticeServedResponse* response) override;
  grpc::Status RecordCourtDate(grpc::ServerContext* context,
                               const v1::RecordCourtDateRequest* request,
                               v1::RecordCourtDateResponse* response) override;
  grpc::Status RecordCourtOutcome(grpc::ServerContext* context,
                                  const v1::RecordCourtOutcomeRequest* request,
                                  v1::RecordCourtOutcomeResponse* response) override;
  grpc::Status RecordEvictionDate(grpc::ServerContext* context,
                                  const v1::RecordEvictionDateRequest* request,
                                  v1::RecordEvictionDateResponse* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                       v1::GetCaseResponse* response) override;
  grpc::Status ListWorklist(grpc::ServerContext* context, const v1::ListWorklistRequest* request,
                            v1::ListWorklistResponse* response) override;
  grpc::Status ReloadPolicies(grpc::ServerContext* context,
                              const v1::ReloadPoliciesRequest* request,
                              v1::ReloadPoliciesResponse* response) override;
  grpc::Status CountCasesByStage(grpc::ServerContext* context,
                                 const v1::CountCasesByStageRequest* request,
                                 v1::CountCasesByStageResponse* response) override;

 private:
  // Every case in this instance's projection (DATA_LOSS if one does not parse).
  // Every case of the partitions `only` (null: all; ServiceHost::ForEachStream).
  absl::Status ForEachCase(const std::function<void(const std::string&, const CaseState&)>& visit,
                           const std::vector<int32_t>* only = nullptr);
  grpc::Status Submit(grpc::ServerContext& context,
                      const common::v1::CommandContext& command_context,
                      const google::protobuf::Message& payload, common::v1::CommandResult* result);

  runtime::ServiceHost& host_;
  ReviewerSource reviewer_;
  PolicyRegistry* registry_;
  // One reload at a time: the set loaded, its adoption command and the answer stay one snapshot.
  std::mutex reload_mu_;
};

// Records the policy set in force (PolicyAdopted events) through the service's own command path;
// the same set is recorded once however often this runs. Used at start.
absl::Status RecordPolicyAdoption(runtime::ServiceHost& host, const PolicyRegistry& registry);

}  // namespace rentstream::escalation::app
