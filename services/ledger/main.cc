// rentstream-ledger: the rent account ledger as a process.
//   rentstream-ledger --bus=local --data-dir=DIR [--grpc-listen=127.0.0.1:50061]
//   rentstream-ledger --bus=kafka --bootstrap=HOST:PORT --instance-id=0
#include <CLI/CLI.hpp>

#include <cstdio>

#include "libs/runtime/json_log.h"
#include "libs/runtime/service_host.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"

int main(int argc, char** argv) {
  using namespace rentstream;
  CLI::App app{"Rentstream ledger: rent accounts, charges, payments and balances"};
  runtime::HostConfig config;
  config.AddFlags(app);
  int64_t payment_ceiling_pence = 10'000'000;
  app.add_option("--payment-ceiling-pence", payment_ceiling_pence,
                 "Payments above this are refused as absurd")
      ->envname("RENTSTREAM_LEDGER_PAYMENT_CEILING_PENCE")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000'000}));
  CLI11_PARSE(app, argc, argv);

  ledger::LedgerLimits limits;
  limits.payment_ceiling = core::Money::FromPence(payment_ceiling_pence);
  ledger::app::LedgerLogic logic(limits);
  auto host = runtime::ServiceHost::Create(ledger::app::LedgerLogic::kService, config, logic);
  if (!host.ok()) {
    runtime::LogError("cannot start", {{"error", host.status().ToString()}});
    return 2;
  }
  (*host)->set_health_name(ledger::v1::LedgerService::service_full_name());
  ledger::app::LedgerService service(**host);
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
