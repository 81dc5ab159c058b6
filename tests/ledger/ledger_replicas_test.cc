// Two replicas of the ledger on one broker, each serving some of the partitions: a query about
// any tenancy, asked of either replica, is answered — by the replica serving it, the other
// forwarding it there (HostConfig::peer_address, docs/operations.md "Queries and replicas").
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "libs/eventlog/event_bus.h"
#include "libs/runtime/grpc_edge.h"
#include "libs/runtime/service_host.h"
#include "libs/testing/free_port.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"
#include "tests/ledger/ledger_service_fixture.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::ledger::test {
namespace {

constexpr int kPartitions = 3;  // as the other ledger tests declared the topics on this broker

// One replica: its own store, gRPC port and instance id (the port, so that the peer address
// "127.0.0.1:{instance}" names it).
struct Replica {
  explicit Replica(int port) : port(port) {
    runtime::HostConfig config;
    config.bus = "kafka";
    config.bootstrap = rentstream::testing::KafkaEnvironment::broker().bootstrap();
    config.instance_id = std::to_string(port);
    config.data_dir = dir.path();
    config.grpc_listen = "127.0.0.1:" + std::to_string(port);
    config.metrics_listen = "127.0.0.1:0";
    config.partitions = kPartitions;
    config.static_membership = false;
    config.kafka_session_timeout_ms = 6000;
    config.command_deadline_ms = 30000;
    config.peer_address = "127.0.0.1:{instance}";
    auto created = runtime::ServiceHost::Create(app::LedgerLogic::kService, config, logic);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return;
    host = std::move(*created);
    service = std::make_unique<app::LedgerService>(*host);
    std::promise<int> bound;
    serve = std::thread([&] {
      status =
          host->Serve({service.get()}, [&](int grpc_port, int) { bound.set_value(grpc_port); });
    });
    EXPECT_EQ(bound.get_future().get(), port);
    stub = v1::LedgerService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                          grpc::InsecureChannelCredentials()));
  }
  ~Replica() {
    if (host) host->RequestStop();
    if (serve.joinable()) serve.join();
    EXPECT_TRUE(status.ok()) << status;
  }

  int port;
  rentstream::testing::TempDir dir;
  app::LedgerLogic logic;
  std::unique_ptr<runtime::ServiceHost> host;
  std::unique_ptr<app::LedgerService> service;
  std::thread serve;
  absl::Status status;
  std::unique_ptr<v1::LedgerService::Stub> stub;
};

std::unique_ptr<grpc::ClientContext> Call() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  ctx->AddMetadata("x-rentstream-actor", "officer-7");
  return ctx;
}

TEST(LedgerReplicasTest, AQueryAskedOfEitherReplicaIsAnsweredByTheOneServingItsTenancy) {
  auto port_a = rentstream::testing::PickFreeLoopbackPort();
  auto port_b = rentstream::testing::PickFreeLoopbackPort();
  ASSERT_TRUE(port_a.ok() && port_b.ok());
  ASSERT_NE(*port_a, *port_b);
  Replica a(*port_a);
  Replica b(*port_b);
  ASSERT_TRUE(a.host && b.host);

  // A tenancy on every partition (unique per run: the topics outlive the test).
  const std::string run =
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  std::map<int32_t, std::string> tenancies;
  for (int i = 0; tenancies.size() < kPartitions; ++i) {
    const std::string t = "HA-R" + run + "-" + std::to_string(i);
    tenancies.emplace(eventlog::PartitionForKey(t, kPartitions), t);
  }
  // The group settles with each replica serving some partitions and every partition served
  // by one of them (a progress poll on the hosts' own state, not a timed wait).
  const auto settled = [&] {
    int served_by_a = 0, served_by_b = 0;
    for (const auto& [p, t] : tenancies) {
      const bool in_a = a.host->ServesTenancy(t), in_b = b.host->ServesTenancy(t);
      if (in_a == in_b) return false;
      served_by_a += in_a;
      served_by_b += in_b;
    }
    return served_by_a > 0 && served_by_b > 0;
  };
  ASSERT_TRUE(rentstream::testing::WaitFor(settled, std::chrono::seconds(90)))
      << "the two replicas never split the partitions between them";

  // Commands go through the bus from either replica; each account gets its own payment.
  const std::string patch = "PATCH-R" + run;
  int64_t pence = 1000;
  std::map<std::string, int64_t> paid;
  for (const auto& [p, t] : tenancies) {
    v1::OpenAccountResponse opened;
    v1::OpenAccountRequest open = OpenAccountRequest(t, "open-" + t);
    open.mutable_command()->set_patch(patch);  // the KPIs below: this run's accounts only
    grpc::Status st = a.stub->OpenAccount(Call().get(), open, &opened);
    ASSERT_TRUE(st.ok()) << t << ": " << st.error_message();
    v1::RecordPaymentResponse recorded;
    st = b.stub->RecordPayment(Call().get(), PaymentRequest(t, "pay-" + t, "REF-" + t, pence),
                               &recorded);
    ASSERT_TRUE(st.ok()) << t << ": " << st.error_message();
    paid[t] = pence;
    pence += 111;
  }

  for (Replica* asked : {&a, &b}) {
    for (const auto& [t, amount] : paid) {
      SCOPED_TRACE(t + " asked of replica " + std::to_string(asked->port) +
                   (asked->host->ServesTenancy(t) ? " (serving it)" : " (not serving it)"));
      v1::GetBalanceRequest balance;
      balance.set_tenancy_ref(t);
      v1::GetBalanceResponse got;
      grpc::Status st = asked->stub->GetBalance(Call().get(), balance, &got);
      ASSERT_TRUE(st.ok()) << st.error_message();
      EXPECT_EQ(got.balance().pence(), -amount);

      v1::GetStatementRequest statement;
      statement.set_tenancy_ref(t);
      *statement.mutable_from() = app::ProtoDate(2026, 4, 6);
      *statement.mutable_to() = app::ProtoDate(2026, 4, 30);
      v1::GetStatementResponse lines;
      st = asked->stub->GetStatement(Call().get(), statement, &lines);
      ASSERT_TRUE(st.ok()) << st.error_message();
      EXPECT_EQ(lines.closing_balance().pence(), -amount);
    }
    // The suspense worklist lives on one partition too.
    v1::ListSuspenseResponse held;
    grpc::Status st = asked->stub->ListSuspense(Call().get(), v1::ListSuspenseRequest(), &held);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  // A payment file sent to either replica: the import reads the suspense stream, so the replica
  // not serving its partition has the one that does answer it.
  for (Replica* asked : {&a, &b}) {
    SCOPED_TRACE("import asked of replica " + std::to_string(asked->port) +
                 (asked->host->ServesTenancy(ledger::kSuspenseStream) ? " (serving suspense)"
                                                                      : " (not serving suspense)"));
    const std::string& t = tenancies.begin()->second;
    v1::ImportPaymentsRequest file;
    file.mutable_context()->set_command_id("import-" + run + "-" + std::to_string(asked->port));
    v1::ImportPaymentLine& line = *file.add_lines();
    line.set_line_number(2);
    line.set_tenancy_ref(t);
    *line.mutable_payment() =
        PaymentRequest(t, "unused", "FILE-" + std::to_string(asked->port), 5).command();
    v1::ImportPaymentsResponse report;
    grpc::Status st = asked->stub->ImportPayments(Call().get(), file, &report);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(report.lines_size(), 1);
    EXPECT_EQ(report.lines(0).status(), v1::IMPORT_LINE_STATUS_IMPORTED)
        << report.lines(0).reason();
    paid[t] += 5;
  }

  // The KPIs over every account: each replica scans its partitions and asks the other for its
  // part (the sums merged, the percentages made from them).
  int64_t collected = 0;
  for (const auto& [t, amount] : paid) collected += amount;
  for (Replica* asked : {&a, &b}) {
    SCOPED_TRACE("KPIs asked of replica " + std::to_string(asked->port));
    v1::GetKpisRequest kpis;
    kpis.set_patch(patch);
    *kpis.mutable_as_of() = app::ProtoDate(2026, 4, 30);
    v1::GetKpisResponse got;
    grpc::Status st = asked->stub->GetKpis(Call().get(), kpis, &got);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(got.accounts(), kPartitions);
    EXPECT_EQ(got.annual_rent_debit().pence(), kPartitions * 52 * 11050);
    EXPECT_EQ(got.collected_52_weeks().pence(), collected);
    EXPECT_EQ(got.in_arrears(), 0);
    ASSERT_EQ(got.aged_debt_size(), 4);
  }
  // A replica asked for its part of a scan answers only for partitions it serves.
  for (const auto& [p, t] : tenancies) {
    Replica& other = a.host->ServesTenancy(t) ? b : a;
    auto part = Call();
    part->AddMetadata(runtime::kScanPartitionsMetadata, std::to_string(p));
    v1::GetKpisRequest kpis;
    kpis.set_patch(patch);
    v1::GetKpisResponse got;
    grpc::Status st = other.stub->GetKpis(part.get(), kpis, &got);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  }

  // Each replica forwarded the queries about the other's tenancies, and counts them.
  for (Replica* r : {&a, &b}) {
    const double forwarded_ok =
        r->host->metrics()
            .GetCounter("rentstream_queries_forwarded_total", "", {{"code", "OK"}})
            .value();
    EXPECT_GE(forwarded_ok, 2) << r->host->metrics().Render();  // a balance and a statement
  }

  // A query forwarded once is never forwarded again: the replica not serving the tenancy
  // refuses it as before.
  for (const auto& [t, amount] : paid) {
    Replica& other = a.host->ServesTenancy(t) ? b : a;
    auto forwarded = Call();
    forwarded->AddMetadata(runtime::kForwardedMetadata, "another-replica");
    v1::GetBalanceRequest balance;
    balance.set_tenancy_ref(t);
    v1::GetBalanceResponse got;
    grpc::Status st = other.stub->GetBalance(forwarded.get(), balance, &got);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
    EXPECT_NE(st.error_message().find("does not serve"), std::string::npos) << st.error_message();
  }
}

}  // namespace
}  // namespace rentstream::ledger::test
