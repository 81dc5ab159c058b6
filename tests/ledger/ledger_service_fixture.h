#pragma once
// The ledger service on both buses for the tests under tests/ledger: a ServiceHost with the
// ledger's logic and gRPC API on loopback (a real broker, or LocalBus in a temporary directory),
// a stub, and the calls the tests make most.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>

#include "libs/runtime/service_host.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::ledger::test {

using rentstream::testing::BusKind;

// Opens `tenancy` (assured, England, weekly £110.50 from 6 April 2026) in a patch of its own:
// KPIs see that test's account only.
inline v1::OpenAccountRequest OpenAccountRequest(const std::string& tenancy,
                                                 const std::string& command_id) {
  v1::OpenAccountRequest r;
  r.mutable_context()->set_command_id(command_id);
  r.mutable_context()->set_tenancy_ref(tenancy);
  v1::OpenAccount& c = *r.mutable_command();
  c.set_tenancy_type(v1::TENANCY_TYPE_ASSURED);
  c.set_jurisdiction(v1::JURISDICTION_ENGLAND);
  c.set_patch("PATCH-" + tenancy);
  c.add_tenant_ids("person-1");
  *c.mutable_start_date() = app::ProtoDate(2026, 4, 6);
  c.mutable_schedule()->set_frequency(v1::FREQUENCY_WEEKLY);
  *c.mutable_schedule()->mutable_anchor() = app::ProtoDate(2026, 4, 6);
  v1::RentRate& rate = *c.mutable_schedule()->add_rates();
  *rate.mutable_effective_from() = app::ProtoDate(2026, 4, 6);
  v1::ChargeLine& line = *rate.add_lines();
  line.set_kind(v1::CHARGE_KIND_NET_RENT);
  line.set_code("RNT");
  *line.mutable_amount() = app::ProtoPence(11050);
  return r;
}

// A direct debit from "bacs" with reference `ref`, received on 8 April 2026.
inline v1::RecordPaymentRequest PaymentRequest(const std::string& tenancy,
                                               const std::string& command_id,
                                               const std::string& ref, int64_t pence) {
  v1::RecordPaymentRequest r;
  r.mutable_context()->set_command_id(command_id);
  r.mutable_context()->set_tenancy_ref(tenancy);
  v1::RecordPayment& c = *r.mutable_command();
  c.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  c.set_source("bacs");
  c.set_external_reference(ref);
  *c.mutable_received_date() = app::ProtoDate(2026, 4, 8);
  *c.mutable_amount() = app::ProtoPence(pence);
  return r;
}

class LedgerServiceTest : public ::testing::TestWithParam<BusKind> {
 protected:
  void SetUp() override {
    runtime::HostConfig config;
    config.bus = GetParam() == BusKind::kKafka ? "kafka" : "local";
    if (GetParam() == BusKind::kKafka) {
      config.bootstrap = rentstream::testing::KafkaEnvironment::broker().bootstrap();
    }
    config.data_dir = dir_.path();
    config.grpc_listen = "127.0.0.1:0";
    config.metrics_listen = "127.0.0.1:0";
    config.partitions = 3;
    config.static_membership = false;
    config.kafka_session_timeout_ms = 6000;
    config.command_deadline_ms = 30000;
    auto host = runtime::ServiceHost::Create(app::LedgerLogic::kService, config, logic_);
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = std::move(*host);
    service_ = std::make_unique<app::LedgerService>(*host_);
    std::promise<int> port;
    serve_ = std::thread([&] {
      serve_status_ =
          host_->Serve({service_.get()}, [&](int grpc_port, int) { port.set_value(grpc_port); });
    });
    const int grpc_port = port.get_future().get();
    grpc_port_ = grpc_port;
    stub_ = v1::LedgerService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port),
                                                           grpc::InsecureChannelCredentials()));
    // Unique tenancies per run: on Kafka the topics outlive a test.
    tenancy_ = "HA-" + std::to_string(++runs_) + (GetParam() == BusKind::kKafka ? "K" : "L");
  }
  void TearDown() override {
    if (host_) host_->RequestStop();
    if (serve_.joinable()) serve_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_;
  }

  v1::CommandContext Context(const std::string& id) {
    v1::CommandContext c;
    c.set_command_id(id);
    c.set_tenancy_ref(tenancy_);
    return c;
  }
  std::unique_ptr<grpc::ClientContext> Call() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    ctx->AddMetadata("x-rentstream-actor", "officer-7");
    return ctx;
  }
  grpc::Status Open(const std::string& id, v1::OpenAccountResponse* response) {
    return stub_->OpenAccount(Call().get(), OpenAccountRequest(tenancy_, id), response);
  }
  grpc::Status Charge(const std::string& id, common::v1::Date from, common::v1::Date to,
                      v1::PostChargesResponse* response) {
    v1::PostChargesRequest r;
    *r.mutable_context() = Context(id);
    *r.mutable_command()->mutable_from() = from;
    *r.mutable_command()->mutable_to() = to;
    return stub_->PostCharges(Call().get(), r, response);
  }
  grpc::Status Pay(const std::string& id, const std::string& ref, int64_t pence,
                   v1::RecordPaymentResponse* response) {
    return stub_->RecordPayment(Call().get(), PaymentRequest(tenancy_, id, ref, pence), response);
  }
  int64_t Balance(const common::v1::Date* as_of = nullptr, double* weeks = nullptr) {
    v1::GetBalanceRequest r;
    r.set_tenancy_ref(tenancy_);
    if (as_of != nullptr) *r.mutable_as_of() = *as_of;
    v1::GetBalanceResponse response;
    grpc::Status st = stub_->GetBalance(Call().get(), r, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (weeks != nullptr) *weeks = response.weeks_of_gross_rent();
    return response.balance().pence();
  }

  static inline int runs_ = 0;
  rentstream::testing::TempDir dir_;
  app::LedgerLogic logic_;
  std::unique_ptr<runtime::ServiceHost> host_;
  std::unique_ptr<app::LedgerService> service_;
  std::unique_ptr<v1::LedgerService::Stub> stub_;
  std::thread serve_;
  absl::Status serve_status_;
  std::string tenancy_;
  int grpc_port_ = 0;
};

}  // namespace rentstream::ledger::test
