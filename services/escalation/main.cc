// rentstream-escalation: arrears cases, policy evaluation, arrangements, pauses and the worklist.
//   rentstream-escalation --bus=local --data-dir=DIR --policy-dir=services/escalation/policies
//   rentstream-escalation --bus=kafka --bootstrap=HOST:PORT --instance-id=0 --policy-dir=DIR
#include <CLI/CLI.hpp>

#include <cstdio>

#include "libs/runtime/json_log.h"
#include "libs/runtime/service_host.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/escalation_service.h"
#include "services/escalation/app/policy_files.h"

int main(int argc, char** argv) {
  using namespace rentstream;
  CLI::App app{"Rentstream escalation: arrears cases, policies, arrangements, pauses, worklist"};
  runtime::HostConfig config;
  config.AddFlags(app);
  std::string policy_dir = "services/escalation/policies";
  app.add_option("--policy-dir", policy_dir,
                 "Folder of policy YAML files (every *.yaml directly in it is loaded)")
      ->envname("RENTSTREAM_ESCALATION_POLICY_DIR");
  CLI11_PARSE(app, argc, argv);

  auto policies = escalation::app::LoadPolicyDir(policy_dir);
  if (!policies.ok()) {
    runtime::LogError("cannot load policies", {{"error", policies.status().ToString()}});
    return 2;
  }
  escalation::CaseReviewer reviewer(**policies);
  escalation::app::EscalationLogic logic(reviewer);
  auto host =
      runtime::ServiceHost::Create(escalation::app::EscalationLogic::kService, config, logic,
                                   {escalation::app::EscalationLogic::kLedgerEvents});
  if (!host.ok()) {
    runtime::LogError("cannot start", {{"error", host.status().ToString()}});
    return 2;
  }
  (*host)->set_health_name(escalation::v1::EscalationService::service_full_name());
  escalation::app::EscalationService service(**host, reviewer);
  absl::Status st = (*host)->Serve({&service}, [](int grpc_port, int metrics_port) {
    std::printf("listening grpc=%d metrics=%d\n", grpc_port, metrics_port);
    std::fflush(stdout);
  });
  if (!st.ok()) {
    runtime::LogError("stopped with error", {{"error", st.ToString()}});
    return 1;
  }
  return 0;
}
