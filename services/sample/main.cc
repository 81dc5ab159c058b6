// rentstream-sample: the runtime's sample service (a counter per tenancy) as a process.
//   rentstream-sample --bus=local --data-dir=DIR [--grpc-listen=127.0.0.1:50051]
//   rentstream-sample --bus=kafka --bootstrap=HOST:PORT --instance-id=0
#include <CLI/CLI.hpp>

#include <cstdio>

#include "libs/runtime/json_log.h"
#include "libs/runtime/service_host.h"
#include "services/sample/app/counter_logic.h"
#include "services/sample/app/counter_service.h"

int main(int argc, char** argv) {
  using namespace rentstream;
  CLI::App app{"Rentstream sample service: a counter per tenancy on the service runtime"};
  runtime::HostConfig config;
  config.AddFlags(app);
  CLI11_PARSE(app, argc, argv);

  sample::CounterLogic logic;
  auto host = runtime::ServiceHost::Create(sample::CounterLogic::kService, config, logic);
  if (!host.ok()) {
    runtime::LogError("cannot start", {{"error", host.status().ToString()}});
    return 2;
  }
  (*host)->set_health_name(sample::v1::CounterService::service_full_name());
  sample::CounterService service(**host);
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
