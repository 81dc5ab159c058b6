// statement_bench: 2-year rent statements through the running ledger service's gRPC API at a
// steady request rate, on Kafka and on LocalBus. Prints `bench: <name> <value> <unit>` lines:
//   ledger_statement_grpc_p50_<bus> / _p99_ / _max_   latency from the scheduled send (us)
//   ledger_statement_grpc_rate_<bus>                  requests answered per second
// Accounts get two years of weekly charges (104) and monthly payments (24) through the service
// first. Requests are sent open-loop on a fixed schedule and latency counts from the scheduled
// time, so a slow answer delays (and is charged to) the ones behind it: no coordinated omission.
// --accounts N (default 200) --rate R per second (default 200) --seconds S (default 10)
// --only kafka|local.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "bench/bench_report.h"
#include "libs/runtime/service_host.h"
#include "libs/testing/kafka_broker.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"

namespace rentstream::bench {
namespace {

namespace lv1 = ::rentstream::ledger::v1;

void Check(const grpc::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.error_message().c_str());
    std::exit(1);
  }
}

std::string Tenancy(int i) { return "ST-" + std::to_string(100000 + i); }

std::unique_ptr<grpc::ClientContext> Call() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  ctx->AddMetadata("x-rentstream-actor", "bench");
  return ctx;
}

lv1::CommandContext Context(const std::string& tenancy, const std::string& id) {
  lv1::CommandContext c;
  c.set_command_id(id);
  c.set_tenancy_ref(tenancy);
  return c;
}

// Opens the account, charges two years of weekly rent and records 24 monthly payments.
void Seed(lv1::LedgerService::Stub& stub, int i) {
  const std::string t = Tenancy(i);
  lv1::OpenAccountRequest open;
  *open.mutable_context() = Context(t, "open");
  lv1::OpenAccount& c = *open.mutable_command();
  c.set_tenancy_type(lv1::TENANCY_TYPE_SECURE);
  c.set_jurisdiction(lv1::JURISDICTION_ENGLAND);
  c.add_tenant_ids("person");
  *c.mutable_start_date() = ledger::app::ProtoDate(2024, 4, 1);
  c.mutable_schedule()->set_frequency(lv1::FREQUENCY_WEEKLY);
  *c.mutable_schedule()->mutable_anchor() = ledger::app::ProtoDate(2024, 4, 1);
  lv1::RentRate& rate = *c.mutable_schedule()->add_rates();
  *rate.mutable_effective_from() = ledger::app::ProtoDate(2024, 4, 1);
  lv1::ChargeLine& line = *rate.add_lines();
  line.set_kind(lv1::CHARGE_KIND_NET_RENT);
  line.set_code("RNT");
  line.mutable_amount()->set_pence(11050);
  lv1::OpenAccountResponse opened;
  Check(stub.OpenAccount(Call().get(), open, &opened), "open");

  lv1::PostChargesRequest charge;
  *charge.mutable_context() = Context(t, "charges");
  *charge.mutable_command()->mutable_from() = ledger::app::ProtoDate(2024, 4, 1);
  *charge.mutable_command()->mutable_to() = ledger::app::ProtoDate(2026, 3, 30);
  lv1::PostChargesResponse charged;
  Check(stub.PostCharges(Call().get(), charge, &charged), "charges");

  for (int m = 0; m < 24; ++m) {
    lv1::RecordPaymentRequest pay;
    *pay.mutable_context() = Context(t, "pay-" + std::to_string(m));
    lv1::RecordPayment& p = *pay.mutable_command();
    p.set_method(lv1::PAYMENT_METHOD_STANDING_ORDER);
    p.set_source("bank");
    p.set_external_reference(t + "-SO-" + std::to_string(m));
    *p.mutable_received_date() = ledger::app::ProtoDate(2024 + (3 + m) / 12, (3 + m) % 12 + 1, 15);
    p.mutable_amount()->set_pence(47800);
    lv1::RecordPaymentResponse paid;
    Check(stub.RecordPayment(Call().get(), pay, &paid), "payment");
  }
}

void RunBus(const std::string& name, runtime::HostConfig config, int accounts, int rate,
            int seconds) {
  ledger::app::LedgerLogic logic;
  auto host = runtime::ServiceHost::Create(ledger::app::LedgerLogic::kService, config, logic);
  if (!host.ok()) {
    std::fprintf(stderr, "host: %s\n", host.status().ToString().c_str());
    std::exit(1);
  }
  ledger::app::LedgerService service(**host);
  std::promise<int> port;
  absl::Status serve_status;
  std::thread serve([&] {
    serve_status =
        (*host)->Serve({&service}, [&](int grpc_port, int) { port.set_value(grpc_port); });
  });
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port.get_future().get()),
                                     grpc::InsecureChannelCredentials());
  auto stub = lv1::LedgerService::NewStub(channel);

  // Seed with a few client threads: each call waits for its command's outcome.
  const auto seed_start = Clock::now();
  std::vector<std::thread> seeders;
  constexpr int kSeeders = 8;
  for (int w = 0; w < kSeeders; ++w) {
    seeders.emplace_back([&, w] {
      for (int i = w; i < accounts; i += kSeeders) Seed(*stub, i);
    });
  }
  for (std::thread& t : seeders) t.join();
  const double seed_s = std::chrono::duration<double>(Clock::now() - seed_start).count();
  Report("ledger_grpc_seed_commands_" + name, accounts * 26 / seed_s, "commands/s");

  std::mt19937 rng(11);
  std::vector<double> micros;
  const int total = rate * seconds;
  micros.reserve(total);
  const auto start = Clock::now();
  const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
  size_t lines = 0;
  for (int k = 0; k < total; ++k) {
    const auto scheduled = start + k * interval;
    std::this_thread::sleep_until(scheduled);  // the request schedule, not synchronisation
    lv1::GetStatementRequest r;
    r.set_tenancy_ref(Tenancy(std::uniform_int_distribution<int>(0, accounts - 1)(rng)));
    r.set_account_kind(lv1::ACCOUNT_KIND_RENT);
    *r.mutable_from() = ledger::app::ProtoDate(2024, 4, 1);
    *r.mutable_to() = ledger::app::ProtoDate(2026, 3, 31);
    lv1::GetStatementResponse response;
    Check(stub->GetStatement(Call().get(), r, &response), "statement");
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count());
    lines += response.lines_size();
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(micros.begin(), micros.end());
  Report("ledger_statement_grpc_lines_" + name, static_cast<double>(lines) / total, "lines");
  Report("ledger_statement_grpc_rate_" + name, total / elapsed, "requests/s");
  Report("ledger_statement_grpc_p50_" + name, micros[micros.size() / 2], "us");
  Report("ledger_statement_grpc_p99_" + name, micros[micros.size() * 99 / 100], "us");
  Report("ledger_statement_grpc_max_" + name, micros.back(), "us");
  (*host)->RequestStop();
  serve.join();
  if (!serve_status.ok()) std::fprintf(stderr, "serve: %s\n", serve_status.ToString().c_str());
}

int Main(int argc, char** argv) {
  int accounts = 200, rate = 200, seconds = 10;
  std::string only;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--accounts")
      accounts = std::max(1, std::atoi(argv[++i]));
    else if (flag == "--rate")
      rate = std::max(1, std::atoi(argv[++i]));
    else if (flag == "--seconds")
      seconds = std::max(1, std::atoi(argv[++i]));
    else if (flag == "--only")
      only = argv[++i];
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "rs-stmt-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  runtime::HostConfig config;
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = 4;
  config.static_membership = false;
  config.command_deadline_ms = 60000;
  if (only != "local") {
    auto broker = testing::KafkaBroker::Start();
    if (!broker.ok()) return 1;
    runtime::HostConfig kafka = config;
    kafka.bus = "kafka";
    kafka.bootstrap = (*broker)->bootstrap();
    kafka.data_dir = tmpl + "/kafka";
    RunBus("kafka", kafka, accounts, rate, seconds);
  }
  if (only != "kafka") {
    runtime::HostConfig local = config;
    local.bus = "local";
    local.data_dir = tmpl + "/local";
    RunBus("local", local, accounts, rate, seconds);
  }
  std::filesystem::remove_all(tmpl);
  return 0;
}

}  // namespace
}  // namespace rentstream::bench

int main(int argc, char** argv) { return rentstream::bench::Main(argc, argv); }
