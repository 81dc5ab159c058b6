// rentstream-escalation: arrears cases, policy evaluation, arrangements, pauses and the worklist.
//   rentstream-escalation --bus=local --data-dir=DIR --policy-dir=services/escalation/policies
//   rentstream-escalation --bus=kafka --bootstrap=HOST:PORT --instance-id=0 --policy-dir=DIR
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "libs/runtime/json_log.h"
#include "libs/runtime/service_host.h"
#include "services/escalation/app/escalation_logic.h"
#include "services/escalation/app/escalation_service.h"
#include "services/escalation/app/policy_registry.h"

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

  auto registry = escalation::app::PolicyRegistry::Open(policy_dir);
  if (!registry.ok()) {
    runtime::LogError("cannot load policies", {{"error", registry.status().ToString()}});
    return 2;
  }
  escalation::app::ReviewerSource reviewer = [&r = **registry] { return r.reviewer(); };
  escalation::app::EscalationLogic logic(reviewer);
  auto host =
      runtime::ServiceHost::Create(escalation::app::EscalationLogic::kService, config, logic,
                                   {escalation::app::EscalationLogic::kLedgerEvents});
  if (!host.ok()) {
    runtime::LogError("cannot start", {{"error", host.status().ToString()}});
    return 2;
  }
  (*host)->set_health_name(escalation::v1::EscalationService::service_full_name());
  escalation::app::EscalationService service(**host, reviewer, registry->get());
  // Record the policy versions in force once the processor runs (retried while it catches up).
  std::atomic<bool> stopping{false};
  std::thread adopt([&] {
    for (int attempt = 0; attempt < 60 && !stopping; ++attempt) {
      absl::Status st = escalation::app::RecordPolicyAdoption(**host, **registry);
      if (st.ok()) return;
      if (st.code() != absl::StatusCode::kDeadlineExceeded &&
          st.code() != absl::StatusCode::kUnavailable) {
        runtime::LogError("policy adoption refused", {{"error", st.ToString()}});
        return;
      }
      // Retry backoff while the bus or the processor comes up (not synchronisation).
      std::this_thread::sleep_for(std::chrono::milliseconds(250 << std::min(attempt, 4)));
    }
  });
  absl::Status st = (*host)->Serve({&service}, [](int grpc_port, int metrics_port) {
    std::printf("listening grpc=%d metrics=%d\n", grpc_port, metrics_port);
    std::fflush(stdout);
  });
  stopping = true;
  adopt.join();
  if (!st.ok()) {
    runtime::LogError("stopped with error", {{"error", st.ToString()}});
    return 1;
  }
  return 0;
}
