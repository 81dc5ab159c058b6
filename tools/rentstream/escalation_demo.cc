#include "tools/rentstream/escalation_demo.h"

#include <chrono>
#include <cstdio>
#include <future>
#include <thread>

#include "libs/core/money.h"
#include "libs/runtime/service_host.h"
#include "rentstream/escalation/v1/escalation_service.grpc.pb.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/escalation_service.h"
#include "services/escalation/app/policy_registry.h"

namespace rentstream::cli {

namespace ev1 = ::rentstream::escalation::v1;

struct EscalationAlongside::Running {
  std::unique_ptr<escalation::app::PolicyRegistry> registry;
  std::unique_ptr<escalation::app::EscalationLogic> logic;
  std::unique_ptr<runtime::ServiceHost> host;
  std::unique_ptr<escalation::app::EscalationService> service;
  std::thread serve;
  std::unique_ptr<ev1::EscalationService::Stub> stub;
};

EscalationAlongside::EscalationAlongside(std::unique_ptr<Running> running)
    : running_(std::move(running)) {}

EscalationAlongside::~EscalationAlongside() {
  if (running_->host) running_->host->RequestStop();
  if (running_->serve.joinable()) running_->serve.join();
}

absl::StatusOr<std::unique_ptr<EscalationAlongside>> EscalationAlongside::Start(
    eventlog::EventBus& bus, const std::string& dir, const std::string& policy_dir) {
  auto r = std::make_unique<Running>();
  auto registry = escalation::app::PolicyRegistry::Open(policy_dir);
  if (!registry.ok()) return registry.status();
  r->registry = std::move(*registry);
  escalation::app::ReviewerSource reviewer = [reg = r->registry.get()] { return reg->reviewer(); };
  r->logic = std::make_unique<escalation::app::EscalationLogic>(reviewer);
  runtime::HostConfig config;
  config.data_dir = dir;
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = 4;
  auto host =
      runtime::ServiceHost::Create(escalation::app::EscalationLogic::kService, config, *r->logic,
                                   {escalation::app::EscalationLogic::kLedgerEvents}, &bus);
  if (!host.ok()) return host.status();
  r->host = std::move(*host);
  r->service =
      std::make_unique<escalation::app::EscalationService>(*r->host, reviewer, r->registry.get());
  std::promise<int> port;
  Running* raw = r.get();
  r->serve = std::thread([raw, &port] {
    absl::Status st =
        raw->host->Serve({raw->service.get()}, [&](int g, int) { port.set_value(g); });
    if (!st.ok()) std::fprintf(stderr, "escalation: %s\n", st.ToString().c_str());
  });
  const int grpc_port = port.get_future().get();
  r->stub = ev1::EscalationService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(grpc_port), grpc::InsecureChannelCredentials()));
  if (absl::Status st = escalation::app::RecordPolicyAdoption(*r->host, *r->registry); !st.ok()) {
    return st;
  }
  return std::unique_ptr<EscalationAlongside>(new EscalationAlongside(std::move(r)));
}

void EscalationAlongside::ShowCase(const std::string& tenancy, int64_t balance_pence) {
  ev1::GetCaseRequest request;
  request.set_tenancy_ref(tenancy);
  ev1::GetCaseResponse response;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // The escalation follows the ledger's log: wait until it has folded the same balance.
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-rentstream-actor", "demo");
    response.Clear();
    if (running_->stub->GetCase(&ctx, request, &response).ok() &&
        response.case_view().balance().pence() == balance_pence) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a condition poll
  }
  const ev1::CaseView& c = response.case_view();
  const std::string owed = core::Money::FromPence(c.tenant_owed().pence()).Format();
  const std::string expected = core::Money::FromPence(c.benefit_expected().pence()).Format();
  std::printf("  %s: case %s, stage %s; tenant owes %s (%.1f weeks), benefit expected %s\n",
              tenancy.c_str(), c.open() ? "open" : "not open",
              ev1::CaseStage_Name(c.stage()).substr(11).c_str(), owed.c_str(), c.weeks_of_rent(),
              expected.c_str());
  if (c.recent_decisions().empty() ||
      c.recent_decisions(0).action().kind() == ev1::ACTION_KIND_NO_ACTION) {
    std::printf(
        "    no action now: after a week's grace no rule of the policy fires (%zu decisions "
        "decisions kept)\n",
        static_cast<size_t>(c.recent_decisions_size()));
    return;
  }
  const ev1::ActionDecision& d = c.recent_decisions(0);
  std::printf("    recommends %s %s (rule %s, %s v%s), because:",
              ev1::ActionKind_Name(d.action().kind()).substr(12).c_str(),
              d.action().template_id().c_str(), d.rule_id().c_str(), d.policy_id().c_str(),
              d.policy_version().c_str());
  int shown = 0;
  for (const ev1::DecisionInput& in : d.inputs()) {
    if (shown++ == 4) break;
    std::printf(" %s=%s", in.name().c_str(), in.value().c_str());
  }
  std::printf("\n");
}

}  // namespace rentstream::cli
