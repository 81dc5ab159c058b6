#include "tools/rentstream/ledger_demo.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "libs/core/hash_chain.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/service_host.h"
#include "libs/runtime/topics.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"
#include "tools/rentstream/demo.h"
#include "tools/rentstream/escalation_demo.h"
#include "tools/rentstream/ledger_import.h"

namespace rentstream::cli {
namespace {

using ledger::v1::LedgerService;

std::string Pounds(int64_t pence) { return core::Money::FromPence(pence).Format(); }

void Context(grpc::ClientContext& ctx) {
  ctx.AddMetadata("x-rentstream-actor", "demo-officer");
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

grpc::Status Open(LedgerService::Stub& stub, const std::string& tenancy, int64_t net,
                  int64_t service_charge) {
  ledger::v1::OpenAccountRequest r;
  r.mutable_context()->set_command_id("open-" + tenancy);
  r.mutable_context()->set_tenancy_ref(tenancy);
  ledger::v1::OpenAccount& c = *r.mutable_command();
  c.set_tenancy_type(ledger::v1::TENANCY_TYPE_SECURE);
  c.set_jurisdiction(ledger::v1::JURISDICTION_ENGLAND);
  c.set_patch("EAST-2");
  c.add_tenant_ids("person-" + tenancy);
  *c.mutable_start_date() = ledger::app::ProtoDate(2026, 4, 6);
  ledger::v1::RentSchedule& s = *c.mutable_schedule();
  s.set_frequency(ledger::v1::FREQUENCY_WEEKLY);
  *s.mutable_anchor() = ledger::app::ProtoDate(2026, 4, 6);
  ledger::v1::RentRate& rate = *s.add_rates();
  *rate.mutable_effective_from() = ledger::app::ProtoDate(2026, 4, 6);
  ledger::v1::ChargeLine* line = rate.add_lines();
  line->set_kind(ledger::v1::CHARGE_KIND_NET_RENT);
  line->set_code("RNT");
  *line->mutable_amount() = ledger::app::ProtoPence(net);
  if (service_charge > 0) {
    line = rate.add_lines();
    line->set_kind(ledger::v1::CHARGE_KIND_SERVICE_CHARGE);
    line->set_code("HTG");
    *line->mutable_amount() = ledger::app::ProtoPence(service_charge);
  }
  ledger::v1::OpenAccountResponse response;
  grpc::ClientContext ctx;
  Context(ctx);
  return stub.OpenAccount(&ctx, r, &response);
}

void ShowBalance(LedgerService::Stub& stub, const std::string& tenancy) {
  ledger::v1::GetBalanceRequest r;
  r.set_tenancy_ref(tenancy);
  *r.mutable_as_of() = ledger::app::ProtoDate(2026, 5, 31);
  ledger::v1::GetBalanceResponse b;
  grpc::ClientContext ctx;
  Context(ctx);
  grpc::Status st = stub.GetBalance(&ctx, r, &b);
  if (!st.ok()) {
    std::printf("  %s: %s\n", tenancy.c_str(), st.error_message().c_str());
    return;
  }
  std::printf(
      "  %-10s balance %10s (%.1f weeks)  benefit expected %9s  tenant owes %9s (%.1f weeks)\n",
      tenancy.c_str(), Pounds(b.balance().pence()).c_str(), b.weeks_of_gross_rent(),
      Pounds(b.benefit_expected().pence()).c_str(), Pounds(b.tenant_owed().pence()).c_str(),
      b.tenant_owed_weeks());
}

int64_t BalancePence(LedgerService::Stub& stub, const std::string& tenancy) {
  ledger::v1::GetBalanceRequest request;
  request.set_tenancy_ref(tenancy);
  *request.mutable_as_of() = ledger::app::ProtoDate(2099, 12, 31);
  ledger::v1::GetBalanceResponse response;
  grpc::ClientContext ctx;
  Context(ctx);
  return stub.GetBalance(&ctx, request, &response).ok() ? response.balance().pence() : -1;
}

}  // namespace

int RunLedgerDemo(const std::string& dir, const std::string& policy_dir) {
  std::printf("\n== 4. The ledger on the embedded log (%s)\n", dir.c_str());
  runtime::HostConfig config;
  config.data_dir = dir;
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = 4;
  ledger::app::LedgerLogic logic;
  auto host = runtime::ServiceHost::Create(ledger::app::LedgerLogic::kService, config, logic);
  if (!host.ok()) {
    std::fprintf(stderr, "cannot start the ledger: %s\n", host.status().ToString().c_str());
    return 1;
  }
  ledger::app::LedgerService service(**host);
  std::promise<int> port;
  std::thread serve([&] {
    absl::Status st = (*host)->Serve({&service}, [&](int g, int) { port.set_value(g); });
    if (!st.ok()) std::fprintf(stderr, "serve: %s\n", st.ToString().c_str());
  });
  const int grpc_port = port.get_future().get();
  // The escalation service on the same embedded log, in this process: it follows the ledger.
  auto escalation = EscalationAlongside::Start((*host)->bus(), dir + "/escalation", policy_dir);
  if (!escalation.ok()) {
    std::fprintf(stderr, "cannot start the escalation: %s\n",
                 escalation.status().ToString().c_str());
  }
  auto stub = LedgerService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port),
                                                         grpc::InsecureChannelCredentials()));

  std::printf("  open HA-000123: £100.00 rent + £10.50 heating weekly -> %s\n",
              Open(*stub, "HA-000123", 10000, 1050).ok() ? "OK" : "refused");
  std::printf("  open HA-000456: £95.00 rent weekly                 -> %s\n",
              Open(*stub, "HA-000456", 9500, 0).ok() ? "OK" : "refused");
  ledger::v1::SetBenefitAwardRequest award;
  award.mutable_context()->set_command_id("hb-HA-000123");
  award.mutable_context()->set_tenancy_ref("HA-000123");
  ledger::v1::BenefitAward& hb = *award.mutable_command()->mutable_award();
  hb.set_kind(ledger::v1::BENEFIT_KIND_HOUSING_BENEFIT);
  hb.set_frequency(ledger::v1::FREQUENCY_WEEKLY);
  *hb.mutable_amount() = ledger::app::ProtoPence(8000);
  *hb.mutable_from() = ledger::app::ProtoDate(2026, 4, 6);
  award.mutable_command()->set_reason("HB award: £80.00 a week, paid 4-weekly in arrears");
  ledger::v1::SetBenefitAwardResponse awarded;
  grpc::ClientContext award_ctx;
  Context(award_ctx);
  std::printf("  HA-000123 Housing Benefit £80.00/week              -> %s\n",
              stub->SetBenefitAward(&award_ctx, award, &awarded).ok() ? "OK" : "refused");

  // The charge run is the business-day tick; opening the same day twice charges nothing twice.
  for (int i = 0; i < 2; ++i) {
    if (!runtime::OpenBusinessDay((*host)->bus(), "ledger", *core::Date::FromYmd(2026, 5, 25))
             .ok()) {
      std::fprintf(stderr, "tick failed\n");
    }
  }
  std::printf("  business day 2026-05-25 opened (twice): 8 weekly charges each, posted once\n");

  const std::string file = dir + "/payments-2026-05.csv";
  std::ofstream(file)
      << "date,amount,reference,method,tenancy_ref\n"
      << "2026-05-04,£320.00,HB-0504,housing_benefit,HA-000123\n"
      << "2026-04-10,30.50,C-1,card,HA-000123\n2026-04-17,30.50,C-2,card,HA-000123\n"
      << "2026-04-24,30.50,C-3,card,HA-000123\n2026-05-01,30.50,C-4,card,HA-000123\n"
      << "2026-05-08,30.50,C-5,card,HA-000123\n"
      << "2026-04-08,95.00,DD-1,direct_debit,HA-000456\n2026-04-15,95.00,DD-2,direct_debit,HA-"
         "000456\n"
      << "2026-04-22,95.00,DD-3,direct_debit,HA-000456\n2026-04-29,95.00,DD-4,direct_debit,HA-"
         "000456\n"
      << "2026-05-06,95.00,DD-5,direct_debit,HA-000456\n2026-05-13,95.00,DD-6,direct_debit,HA-"
         "000456\n"
      << "2026-05-13,95.00,DD-6,direct_debit,HA-000456\n"  // the bank sent it twice
      << "2026-05-14,12.00,PP-991,cash,HA-00O456\n"        // a mistyped reference
      << "2026-05-31,\"1,5.00\",BAD-1,cash,HA-000456\n";   // a malformed amount
  ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port);
  options.source = "demo-bank-2026-05";
  options.concurrency = 4;
  auto report = ImportPaymentFile(file, options);
  if (report.ok()) {
    std::printf("  import %s: %d lines, %d imported, %d duplicate, %d to suspense, %zu rejected\n",
                "payments-2026-05.csv", report->lines_read, report->imported, report->duplicate,
                report->suspense, report->rejected.size());
    for (const auto& r : report->rejected) {
      std::printf("    line %d: %s\n", r.line, r.reason.c_str());
    }
  }
  ledger::v1::ReversePaymentRequest reverse;
  reverse.mutable_context()->set_command_id("return-DD-6");
  reverse.mutable_context()->set_tenancy_ref("HA-000456");
  reverse.mutable_command()->set_original_posting_id("payment:demo-bank-2026-05:DD-6");
  *reverse.mutable_command()->mutable_value_date() = ledger::app::ProtoDate(2026, 5, 18);
  reverse.mutable_command()->set_reason("returned unpaid (ARUDD reason 1: insufficient funds)");
  ledger::v1::ReversePaymentResponse reversed;
  grpc::ClientContext reverse_ctx;
  Context(reverse_ctx);
  std::printf("  DD-6 of HA-000456 returned unpaid -> reversal %s\n",
              stub->ReversePayment(&reverse_ctx, reverse, &reversed).ok() ? "posted" : "refused");

  std::printf("  as of 2026-05-31 (benefit timing is not the tenant's debt):\n");
  ShowBalance(*stub, "HA-000123");
  ShowBalance(*stub, "HA-000456");
  if (escalation.ok()) {
    std::printf(
        "\n== 5. Escalation on the same log: cases from the ledger's events, decided by "
        "england-default\n");
    (*escalation)->ShowCase("HA-000123", BalancePence(*stub, "HA-000123"));
    (*escalation)->ShowCase("HA-000456", BalancePence(*stub, "HA-000456"));
    escalation->reset();
  }

  (*host)->RequestStop();
  serve.join();
  // Double entry and the hash chains, over everything the ledger published.
  auto published = ReadEvents((*host)->bus(), "ledger");
  if (!published.ok()) {
    std::fprintf(stderr, "read the ledger's events: %s\n", published.status().ToString().c_str());
    return 1;
  }
  int64_t total = 0;
  for (const common::v1::Event& ev : *published) {
    if (auto posting = ledger::app::PostingOf(ev)) {
      for (const auto& line : posting->lines()) total += line.amount().pence();
    }
  }
  const auto streams = Streams(*published);
  const auto events = static_cast<long long>(published->size());
  int broken = 0;
  for (const auto& [tenancy, chain] : streams) broken += core::VerifyChain(chain).ok ? 0 : 1;
  std::printf("  %lld events on %zu streams: trial balance %s, %d broken hash chains\n", events,
              streams.size(), Pounds(total).c_str(), broken);
  host->reset();
  return broken == 0 && total == 0 ? 0 : 1;
}

}  // namespace rentstream::cli
