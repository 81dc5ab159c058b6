#include "services/escalation/app/escalation_service.h"

#include <ctime>
#include <map>

#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/command_gateway.h"
#include "libs/runtime/grpc_edge.h"
#include "services/escalation/app/case_queries.h"

namespace rentstream::escalation::app {
namespace {

using runtime::ToGrpc;

// Queries answer as of today in Europe/London (the edge may read the clock; the domain never does).
core::Date Today() { return core::LondonDateOf(std::time(nullptr)); }

}  // namespace

absl::Status EscalationService::ForEachCase(
    const std::function<void(const std::string&, const CaseState&)>& visit,
    const std::vector<int32_t>* only) {
  absl::Status failed;
  absl::Status st = host_.ForEachStream(
      "a query over every case",
      [&](const runtime::v1::StreamRecord& record) {
        CaseState state;
        if (!state.ParseFromString(record.state())) {
          failed = absl::DataLossError(absl::StrCat("case state of ", record.tenancy_ref()));
          return false;
        }
        visit(record.tenancy_ref(), state);
        return true;
      },
      only);
  return st.ok() ? failed : st;
}

grpc::Status EscalationService::Submit(grpc::ServerContext& context,
                                       const common::v1::CommandContext& c,
                                       const google::protobuf::Message& payload,
                                       common::v1::CommandResult* result) {
  google::protobuf::Timestamp at;
  const google::protobuf::Timestamp* occurred_at = nullptr;
  if (c.has_business_date()) {
    auto date = core::Date::FromYmd(c.business_date().year(), c.business_date().month(),
                                    c.business_date().day());
    if (!date.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "context.business_date: not a calendar date");
    }
    // Noon in London: the same business day whatever the summer-time offset.
    at.set_seconds(core::LondonMidnight(*date) + 12 * 3600);
    occurred_at = &at;
  }
  auto outcome = runtime::SubmitCommand(host_, context, c.command_id(), c.tenancy_ref(), payload,
                                        c.correlation_id(), occurred_at);
  if (!outcome.ok()) return ToGrpc(outcome.status());
  runtime::RecordOutcome(*outcome, result);
  return grpc::Status::OK;
}

grpc::Status EscalationService::RecordContact(grpc::ServerContext* context,
                                              const v1::RecordContactRequest* request,
                                              v1::RecordContactResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::RecordPromiseToPay(grpc::ServerContext* context,
                                                   const v1::RecordPromiseToPayRequest* request,
                                                   v1::RecordPromiseToPayResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::AgreeArrangement(grpc::ServerContext* context,
                                                 const v1::AgreeArrangementRequest* request,
                                                 v1::AgreeArrangementResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::CancelArrangement(grpc::ServerContext* context,
                                                  const v1::CancelArrangementRequest* request,
                                                  v1::CancelArrangementResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::PauseCase(grpc::ServerContext* context,
                                          const v1::PauseCaseRequest* request,
                                          v1::PauseCaseResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::ResumeCase(grpc::ServerContext* context,
                                           const v1::ResumeCaseRequest* request,
                                           v1::ResumeCaseResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::NotifyCrisisTreatmentEnded(
    grpc::ServerContext* context, const v1::NotifyCrisisTreatmentEndedRequest* request,
    v1::NotifyCrisisTreatmentEndedResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::FlagVulnerability(grpc::ServerContext* context,
                                                  const v1::FlagVulnerabilityRequest* request,
                                                  v1::FlagVulnerabilityResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::RecordNoticeServed(grpc::ServerContext* context,
                                                   const v1::RecordNoticeServedRequest* request,
                                                   v1::RecordNoticeServedResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::RecordCourtDate(grpc::ServerContext* context,
                                                const v1::RecordCourtDateRequest* request,
                                                v1::RecordCourtDateResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::RecordCourtOutcome(grpc::ServerContext* context,
                                                   const v1::RecordCourtOutcomeRequest* request,
                                                   v1::RecordCourtOutcomeResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::RecordEvictionDate(grpc::ServerContext* context,
                                                   const v1::RecordEvictionDateRequest* request,
                                                   v1::RecordEvictionDateResponse* response) {
  return Submit(*context, request->context(), request->command(), response->mutable_result());
}

grpc::Status EscalationService::GetCase(grpc::ServerContext* context,
                                        const v1::GetCaseRequest* request,
                                        v1::GetCaseResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  // Another replica's tenancy: its answer (docs/operations.md, "Queries and replicas").
  if (auto forwarded =
          runtime::ForwardQuery(host_, *context, request->tenancy_ref(),
                                &v1::EscalationService::Stub::GetCase, *request, response)) {
    return *forwarded;
  }
  auto stored = host_.LoadStream(request->tenancy_ref());
  if (!stored.ok()) return ToGrpc(stored.status());
  if (!stored->has_value()) {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat("tenancy_ref: no case or account seen for ", request->tenancy_ref()));
  }
  CaseState state;
  if (!state.ParseFromString((*stored)->state())) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS, "case state does not parse");
  }
  *response->mutable_case_view() = CaseViewOf(request->tenancy_ref(), state, (*stored)->sequence(),
                                              Today(), reviewer_()->NextReview(state));
  return grpc::Status::OK;
}

grpc::Status EscalationService::ListWorklist(grpc::ServerContext* context,
                                             const v1::ListWorklistRequest* request,
                                             v1::ListWorklistResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  auto builder = WorklistBuilder::For(*request, Today());
  if (!builder.ok()) return ToGrpc(builder.status());
  // Every case: this replica's partitions here, the others' pages from the replicas serving them.
  auto plan = runtime::PlanScan(host_, *context, "ListWorklist");
  if (!plan.ok()) return ToGrpc(plan.status());
  absl::Status st = ForEachCase(
      [&](const std::string& tenancy, const CaseState& state) { builder->Offer(tenancy, state); },
      plan->only());
  if (!st.ok()) return ToGrpc(st);
  for (const runtime::ScanPart& part : plan->peers) {
    v1::ListWorklistResponse theirs;
    if (grpc::Status asked =
            runtime::AskScanPart(host_, *context, "ListWorklist", part,
                                 &v1::EscalationService::Stub::ListWorklist, *request, &theirs);
        !asked.ok()) {
      return asked;
    }
    builder->Merge(theirs);
  }
  *response = builder->Page();
  return grpc::Status::OK;
}

grpc::Status EscalationService::ReloadPolicies(grpc::ServerContext* context,
                                               const v1::ReloadPoliciesRequest* request,
                                               v1::ReloadPoliciesResponse* response) {
  if (registry_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this service has no policy folder");
  }
  auto actor =
      runtime::Authorize(host_, *context,
                         {common::v1::ACTOR_ROLE_TEAM_LEADER, common::v1::ACTOR_ROLE_INCOME_MANAGER,
                          common::v1::ACTOR_ROLE_SERVICE});
  if (!actor.ok()) return ToGrpc(actor.status());
  std::lock_guard<std::mutex> one_at_a_time(reload_mu_);
  // A malformed file: refused with file:line, and the versions in use stay.
  if (absl::Status st = registry_->Reload(); !st.ok()) return ToGrpc(st);
  common::v1::CommandContext c;
  c.set_command_id(request->command_id().empty() ? registry_->AdoptionCommandId()
                                                 : request->command_id());
  c.set_tenancy_ref(kPolicyStream);
  grpc::Status st = Submit(*context, c, registry_->AdoptionCommand(), response->mutable_result());
  if (!st.ok()) return st;
  for (const v1::AdoptedPolicy& a : registry_->adopted()) *response->add_policies() = a;
  // Every replica decides with the policies: each reads its folder again (the adoption it
  // records is the same command, answered once). One that cannot fails the call, naming it;
  // what this replica loaded stays.
  auto others = runtime::OtherReplicas(host_, *context);
  if (!others.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("reloaded here, but the other replicas are not known: ",
                                     others.status().message(), "; retry"));
  }
  for (const runtime::Replica& other : *others) {
    v1::ReloadPoliciesRequest same = *request;
    same.set_command_id(c.command_id());
    v1::ReloadPoliciesResponse theirs;
    grpc::Status asked =
        v1::EscalationService::NewStub(other.channel)
            ->ReloadPolicies(runtime::OnBehalfOf(host_, *context).get(), same, &theirs);
    if (!asked.ok()) {
      return grpc::Status(asked.error_code(),
                          absl::StrCat("reloaded here, not on replica ", other.address, ": ",
                                       asked.error_message(), "; retry"));
    }
    // Its folder may lag (a ConfigMap reaches each pod in its own time): said, not hidden.
    std::string mine, its;
    for (const v1::AdoptedPolicy& a : response->policies()) mine += a.SerializeAsString();
    for (const v1::AdoptedPolicy& a : theirs.policies()) its += a.SerializeAsString();
    if (mine != its) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat("replica ", other.address,
                                       " loaded other policy versions than this one (its policy "
                                       "folder is not the same yet): reload again once it is"));
    }
  }
  return grpc::Status::OK;
}

grpc::Status EscalationService::CountCasesByStage(grpc::ServerContext* context,
                                                  const v1::CountCasesByStageRequest* request,
                                                  v1::CountCasesByStageResponse* response) {
  if (auto caller = runtime::Authorize(host_, *context); !caller.ok()) {
    return ToGrpc(caller.status());
  }
  auto plan = runtime::PlanScan(host_, *context, "CountCasesByStage");
  if (!plan.ok()) return ToGrpc(plan.status());
  std::map<int, int64_t> counts;
  absl::Status st = ForEachCase(
      [&](const std::string&, const CaseState& state) {
        if (!state.open()) return;
        if (!request->patch().empty() && state.patch() != request->patch()) return;
        ++counts[StageOf(state)];
      },
      plan->only());
  if (!st.ok()) return ToGrpc(st);
  for (const runtime::ScanPart& part : plan->peers) {
    v1::CountCasesByStageResponse theirs;
    if (grpc::Status asked = runtime::AskScanPart(host_, *context, "CountCasesByStage", part,
                                                  &v1::EscalationService::Stub::CountCasesByStage,
                                                  *request, &theirs);
        !asked.ok()) {
      return asked;
    }
    for (const v1::StageCount& c : theirs.counts()) counts[c.stage()] += c.cases();
  }
  for (const auto& [stage, n] : counts) {
    v1::StageCount* c = response->add_counts();
    c->set_stage(static_cast<v1::CaseStage>(stage));
    c->set_cases(n);
  }
  return grpc::Status::OK;
}

absl::Status RecordPolicyAdoption(runtime::ServiceHost& host, const PolicyRegistry& registry) {
  common::v1::Actor self;
  self.set_id("rentstream-escalation");
  self.set_role(common::v1::ACTOR_ROLE_SERVICE);
  const common::v1::Command command = runtime::NewCommand(
      registry.AdoptionCommandId(), kPolicyStream, registry.AdoptionCommand(), self);
  return runtime::SubmitAndWait(host, command,
                                std::chrono::steady_clock::now() +
                                    std::chrono::milliseconds(host.config().command_deadline_ms))
      .status();
}

}  // namespace rentstream::escalation::app
