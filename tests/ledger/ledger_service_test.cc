// The ledger service through its gRPC API on both buses: accounts are opened, the charge run is
// idempotent, payments and reversals move the balance, duplicates and bad input are refused with
// the field named, and the published events balance in double entry.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include "libs/runtime/clock.h"
#include "libs/runtime/service_host.h"
#include "libs/runtime/topics.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "rentstream/ledger/v1/ledger_service.grpc.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"
#include "tests/runtime/bus_fixture.h"
#include "tools/rentstream/ledger_import.h"
#include "tools/rentstream/ledger_query.h"

namespace rentstream::ledger {
namespace {

using rentstream::testing::BusKind;

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
    v1::OpenAccountRequest r;
    *r.mutable_context() = Context(id);
    v1::OpenAccount& c = *r.mutable_command();
    c.set_tenancy_type(v1::TENANCY_TYPE_ASSURED);
    c.set_jurisdiction(v1::JURISDICTION_ENGLAND);
    c.set_patch("PATCH-" + tenancy_);  // a patch per test: KPIs see this test's account only
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
    return stub_->OpenAccount(Call().get(), r, response);
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
    v1::RecordPaymentRequest r;
    *r.mutable_context() = Context(id);
    v1::RecordPayment& c = *r.mutable_command();
    c.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
    c.set_source("bacs");
    c.set_external_reference(ref);
    *c.mutable_received_date() = app::ProtoDate(2026, 4, 8);
    *c.mutable_amount() = app::ProtoPence(pence);
    return stub_->RecordPayment(Call().get(), r, response);
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

TEST_P(LedgerServiceTest, AccountLifecycleThroughGrpc) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-1", &opened).ok());
  ASSERT_EQ(opened.result().event_types_size(), 1);
  EXPECT_EQ(opened.result().event_types(0), "rentstream.ledger.v1.AccountOpened");
  v1::OpenAccountResponse again;
  ASSERT_TRUE(Open("open-1", &again).ok());  // same command id: the first answer
  EXPECT_EQ(again.result().event_ids(0), opened.result().event_ids(0));
  grpc::Status twice = Open("open-2", &again);  // another id: the account exists
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(twice.error_message().rfind("tenancy_ref:", 0), 0u) << twice.error_message();

  v1::PostChargesResponse charged;
  ASSERT_TRUE(
      Charge("run-2026-04", app::ProtoDate(2026, 4, 1), app::ProtoDate(2026, 4, 30), &charged)
          .ok());
  EXPECT_EQ(charged.result().event_ids_size(), 4);  // 6, 13, 20, 27 April
  // The stream's sequence after them: AccountOpened, open-2's refusal (an event), four charges.
  EXPECT_EQ(charged.result().sequence(), 6u);
  v1::PostChargesResponse repeated;  // the same command id: the first answer,
  ASSERT_TRUE(                       // its four event ids in order
      Charge("run-2026-04", app::ProtoDate(2026, 4, 1), app::ProtoDate(2026, 4, 30), &repeated)
          .ok());
  EXPECT_EQ(repeated.result().SerializeAsString(), charged.result().SerializeAsString());
  v1::PostChargesResponse rerun;
  ASSERT_TRUE(
      Charge("run-2026-04-retry", app::ProtoDate(2026, 4, 1), app::ProtoDate(2026, 4, 30), &rerun)
          .ok());
  EXPECT_EQ(rerun.result().event_ids_size(), 0) << "a charge run posts nothing twice";

  v1::RecordPaymentResponse paid;
  ASSERT_TRUE(Pay("pay-1", "DD-1", 11050, &paid).ok());
  grpc::Status duplicate = Pay("pay-1-again", "DD-1", 11050, &paid);
  EXPECT_EQ(duplicate.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  grpc::Status zero = Pay("pay-0", "DD-0", 0, &paid);
  EXPECT_EQ(zero.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(zero.error_message().rfind("amount:", 0), 0u) << zero.error_message();

  v1::ReversePaymentRequest reverse;
  *reverse.mutable_context() = Context("reverse-1");
  reverse.mutable_command()->set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_command()->mutable_value_date() = app::ProtoDate(2026, 4, 20);
  reverse.mutable_command()->set_reason("returned unpaid");
  v1::ReversePaymentResponse reversed;
  ASSERT_TRUE(stub_->ReversePayment(Call().get(), reverse, &reversed).ok());

  // Balances come from the projection, which follows the committed events.
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == 4 * 11050; }));
  const common::v1::Date before_reversal = app::ProtoDate(2026, 4, 19);
  double weeks = 0;
  // Charges of 6 and 13 April less the payment of the 8th: one week of rent.
  EXPECT_EQ(Balance(&before_reversal, &weeks), 11050);
  EXPECT_DOUBLE_EQ(weeks, 1.0);

  // With Housing Benefit awarded for the full rent, none of it is the tenant's own debt.
  v1::SetBenefitAwardRequest award;
  *award.mutable_context() = Context("hb-award-1");
  v1::BenefitAward& hb = *award.mutable_command()->mutable_award();
  hb.set_kind(v1::BENEFIT_KIND_HOUSING_BENEFIT);
  hb.set_frequency(v1::FREQUENCY_WEEKLY);
  *hb.mutable_amount() = app::ProtoPence(11050);
  *hb.mutable_from() = app::ProtoDate(2026, 4, 6);
  award.mutable_command()->set_reason("HB award letter");
  v1::SetBenefitAwardResponse awarded;
  ASSERT_TRUE(stub_->SetBenefitAward(Call().get(), award, &awarded).ok());
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    v1::GetBalanceRequest r;
    r.set_tenancy_ref(tenancy_);
    *r.mutable_as_of() = before_reversal;
    v1::GetBalanceResponse response;
    if (!stub_->GetBalance(Call().get(), r, &response).ok()) return false;
    return response.benefit_expected().pence() == 2 * 11050 &&
           response.tenant_owed().pence() == 0 && response.balance().pence() == 11050;
  }));

  // Income KPIs for the patch, as of 19 April: two weeks charged, one paid, fully covered by HB.
  v1::GetKpisRequest kpis_request;
  kpis_request.set_patch("PATCH-" + tenancy_);
  *kpis_request.mutable_as_of() = before_reversal;
  v1::GetKpisResponse kpis;
  ASSERT_TRUE(stub_->GetKpis(Call().get(), kpis_request, &kpis).ok());
  EXPECT_EQ(kpis.accounts(), 1);
  EXPECT_EQ(kpis.in_arrears(), 0);
  EXPECT_EQ(kpis.benefit_expected().pence(), 2 * 11050);
  EXPECT_EQ(kpis.charged_52_weeks().pence(), 2 * 11050);
  EXPECT_EQ(kpis.collected_52_weeks().pence(), 11050);
  EXPECT_DOUBLE_EQ(kpis.collection_rate_percent(), 50.0);
  EXPECT_EQ(kpis.annual_rent_debit().pence(), 52 * 11050);
  ASSERT_EQ(kpis.aged_debt_size(), 4);

  // Malformed input never reaches the topic.
  v1::PostChargesResponse bad;
  grpc::Status bad_date =
      Charge("bad-date", app::ProtoDate(2026, 2, 30), app::ProtoDate(2026, 4, 30), &bad);
  EXPECT_EQ(bad_date.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad_date.error_message().rfind("from:", 0), 0u) << bad_date.error_message();

  // The published events balance in double entry and name their actor.
  int64_t tenant = 0, control = 0;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(host_->bus(), runtime::ServiceTopics::For("ledger").events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    if (ev.envelope().tenancy_ref() != tenancy_) continue;
    EXPECT_EQ(ev.envelope().actor().id(), "officer-7");
    auto posting = app::PostingOf(ev);
    if (!posting) continue;
    for (const v1::JournalLine& l : posting->lines()) {
      (l.account().has_tenant() ? tenant : control) += l.amount().pence();
    }
  }
  EXPECT_EQ(tenant, 4 * 11050);
  EXPECT_EQ(tenant + control, 0) << "postings must balance";

  // The live projection — states and movement histories, written as commands were decided —
  // equals a rebuild from the events topic alone.
  rentstream::testing::TempDir clean;
  auto rebuilt = runtime::StreamStore::Open(clean.path());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  auto folded =
      runtime::ProcessorHost::Rebuild(host_->bus(), **rebuilt, logic_, app::LedgerLogic::kService);
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(*(*rebuilt)->StreamsDigest(), *host_->store().StreamsDigest());
  runtime::SideRecords side;
  auto stored = (*rebuilt)->LoadStream(
      eventlog::PartitionForKey(tenancy_, host_->config().partitions), tenancy_, &side);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(side.history.size(), 6u) << "4 charges, the payment and its reversal";
  ASSERT_EQ(side.keyed.size(), 1u) << "the payment, as a keyed record";
  state::v1::PaymentRecord payment;
  ASSERT_TRUE(payment.ParseFromString(side.keyed.begin()->second));
  EXPECT_EQ(side.keyed.begin()->first, app::PaymentKey(payment.posting_id()));
  EXPECT_TRUE(payment.reversed());
  state::v1::TenancyLedgerState state;
  ASSERT_TRUE(state.ParseFromString((*stored)->state()));
  EXPECT_EQ(state.payments_size(), 0) << "not in the state a decision loads";
}

TEST_P(LedgerServiceTest, TheBusinessDayTickIsTheChargeRun) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-tick", &opened).ok());
  const common::v1::Date end_of_april = app::ProtoDate(2026, 4, 30);
  auto balance_on = [&](const common::v1::Date& d) {
    v1::GetBalanceRequest r;
    r.set_tenancy_ref(tenancy_);
    *r.mutable_as_of() = d;
    v1::GetBalanceResponse response;
    return stub_->GetBalance(Call().get(), r, &response).ok() ? response.balance().pence() : -1;
  };
  // Opening 20 April charges the weeks of 6, 13 and 20 April; opening it again changes nothing.
  ASSERT_TRUE(
      runtime::OpenBusinessDay(host_->bus(), "ledger", *core::Date::FromYmd(2026, 4, 20)).ok());
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return balance_on(end_of_april) == 3 * 11050; }));
  ASSERT_TRUE(
      runtime::OpenBusinessDay(host_->bus(), "ledger", *core::Date::FromYmd(2026, 4, 20)).ok());
  ASSERT_TRUE(
      runtime::OpenBusinessDay(host_->bus(), "ledger", *core::Date::FromYmd(2026, 4, 27)).ok());
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return balance_on(end_of_april) == 4 * 11050; }));
  int charges = 0;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(host_->bus(), runtime::ServiceTopics::For("ledger").events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    if (ev.envelope().tenancy_ref() == tenancy_ &&
        ev.envelope().event_type() == "rentstream.ledger.v1.ChargePosted") {
      EXPECT_EQ(ev.envelope().actor().role(), common::v1::ACTOR_ROLE_SCHEDULER);
      ++charges;
    }
  }
  EXPECT_EQ(charges, 4) << "each week charged once";
}

TEST_P(LedgerServiceTest, APaymentFileImportsLineByLineWithAReport) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-import", &opened).ok());
  const std::string source = "allpay-" + tenancy_;
  const std::string file = dir_.Sub("payments.csv");
  std::ofstream(file) << "\xEF\xBB\xBF"
                      << "date,amount,reference,method,tenancy_ref\r\n"
                      << "2026-04-08,£110.50,R1,cash," << tenancy_ << "\r\n"
                      << "2026-04-09,\"1,000.00\",R2,bank_transfer," << tenancy_ << "\r\n"
                      << "\r\n"
                      << "2026-04-09,5.00,R3,card,HA-NOBODY\r\n"            // unknown: suspense
                      << "2026-04-09,6.00,R4,card,\r\n"                     // none: suspense
                      << "2026-04-31,7.00,R5,card," << tenancy_ << "\r\n"   // bad date
                      << "2026-04-01,8.00,R6,card," << tenancy_ << "\r\n"   // before the tenancy
                      << "2026-04-10,9.00,R1,cash," << tenancy_ << "\r\n";  // R1 again
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = source;
  options.concurrency = 4;
  auto report = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->lines_read, 6);
  EXPECT_EQ(report->imported, 2);
  EXPECT_EQ(report->duplicate, 1);
  EXPECT_EQ(report->suspense, 2);
  ASSERT_EQ(report->rejected.size(), 2u) << report->ToJson();
  EXPECT_EQ(report->rejected[0].line, 7);
  EXPECT_EQ(report->rejected[1].line, 8);
  EXPECT_EQ(report->rejected[1].reason.rfind("received_date:", 0), 0u) << report->ToJson();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -111050; }));

  // The same file again: nothing posts twice, nothing is lost.
  auto again = rentstream::cli::ImportPaymentFile(file, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->suspense, 0);
  EXPECT_EQ(again->duplicate, 5) << again->ToJson();
  EXPECT_EQ(Balance(), -111050);

  // The statement, as the CLI writes it.
  rentstream::cli::StatementOptions statement;
  statement.ledger_address = options.ledger_address;
  statement.tenancy = tenancy_;
  statement.from = "2026-04-01";
  statement.to = "2026-04-30";
  statement.format = "csv";
  statement.out = dir_.Sub("statement.csv");
  ASSERT_EQ(rentstream::cli::RunLedgerStatement(statement), 0);
  std::stringstream csv;
  csv << std::ifstream(statement.out).rdbuf();
  EXPECT_NE(csv.str().find("2026-04-08,\"Payment, cash (R1)\",,110.50,-110.50\r\n"),
            std::string::npos)
      << csv.str();
  EXPECT_NE(csv.str().find("2026-04-30,Closing balance,,,-1110.50\r\n"), std::string::npos)
      << csv.str();

  // An officer allocates the unknown-tenancy payment from suspense to this tenancy.
  v1::AllocateFromSuspenseRequest allocate;
  allocate.mutable_context()->set_command_id("alloc-1");
  allocate.mutable_context()->set_tenancy_ref(tenancy_);
  allocate.set_suspended_posting_id("suspense:" + source + ":R3");
  *allocate.mutable_amount() = app::ProtoPence(500);
  *allocate.mutable_value_date() = app::ProtoDate(2026, 4, 12);
  v1::AllocateFromSuspenseResponse allocated;
  grpc::Status st = stub_->AllocateFromSuspense(Call().get(), allocate, &allocated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(stub_->AllocateFromSuspense(Call().get(), allocate, &allocated).ok());  // a retry
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -111550; }));
}

// A payment file imported naming the account, then a copy of that line naming no account: the
// copy is held in suspense, and allocating it to the account is refused — the tenant is credited
// once — while a payment held that the account never had is allocated.
TEST_P(LedgerServiceTest, APaymentPostedAndThenHeldInSuspenseIsCreditedOnce) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-held", &opened).ok());
  const std::string source = "bank-" + tenancy_;
  rentstream::cli::ImportOptions options;
  options.ledger_address = "127.0.0.1:" + std::to_string(grpc_port_);
  options.source = source;
  const std::string named = dir_.Sub("named.csv"), unnamed = dir_.Sub("unnamed.csv");
  std::ofstream(named) << "date,amount,reference,method,tenancy_ref\n"
                       << "2026-04-08,25.00,B7,bank_transfer," << tenancy_ << "\n";
  std::ofstream(unnamed) << "date,amount,reference,method,tenancy_ref\n"
                         << "2026-04-08,25.00,B7,bank_transfer,\n"
                         << "2026-04-08,3.00,B8,bank_transfer,\n"
                         << "2026-04-08,4.00,B9,card,\n";
  auto first = rentstream::cli::ImportPaymentFile(named, options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->imported, 1) << first->ToJson();
  auto second = rentstream::cli::ImportPaymentFile(unnamed, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->suspense, 3) << second->ToJson();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2500; }));
  // This test's held payments as ListSuspense gives them (on Kafka the topic holds other runs').
  auto held = [&](bool include_cleared) {
    v1::ListSuspenseRequest r;
    r.set_include_cleared(include_cleared);
    v1::ListSuspenseResponse listed;
    grpc::Status st = stub_->ListSuspense(Call().get(), r, &listed);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::map<std::string, v1::HeldPayment> mine;
    for (const v1::HeldPayment& p : listed.payments()) {
      if (p.suspended_posting_id().rfind("suspense:" + source + ":", 0) == 0) {
        mine[p.suspended_posting_id().substr(source.size() + 10)] = p;
      }
    }
    return mine;
  };
  auto waiting = held(false);
  ASSERT_EQ(waiting.size(), 3u);
  EXPECT_EQ(waiting["B7"].status(), v1::HELD_PAYMENT_STATUS_HELD);
  EXPECT_EQ(waiting["B7"].amount().pence(), 2500);
  EXPECT_EQ(waiting["B9"].method(), v1::PAYMENT_METHOD_CARD);

  auto allocate = [&](const std::string& command_id, const std::string& reference, int64_t pence,
                      v1::AllocateFromSuspenseResponse* response) {
    v1::AllocateFromSuspenseRequest r;
    r.mutable_context()->set_command_id(command_id);
    r.mutable_context()->set_tenancy_ref(tenancy_);
    r.set_suspended_posting_id("suspense:" + source + ":" + reference);
    *r.mutable_amount() = app::ProtoPence(pence);
    *r.mutable_value_date() = app::ProtoDate(2026, 4, 12);
    return stub_->AllocateFromSuspense(Call().get(), r, response);
  };
  v1::AllocateFromSuspenseResponse response;
  grpc::Status twice = allocate("alloc-b7", "B7", 2500, &response);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS) << twice.error_message();
  EXPECT_EQ(twice.error_message().rfind("suspended_posting_id: ", 0), 0u) << twice.error_message();
  EXPECT_NE(twice.error_message().find("payment:" + source + ":B7"), std::string::npos)
      << twice.error_message();
  grpc::Status other = allocate("alloc-b8", "B8", 300, &response);
  ASSERT_TRUE(other.ok()) << other.error_message();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2800; }));
  // Refused before the suspense stream released it: B7 stays held (not parked in the transfers
  // account); only B8 was released.
  std::vector<std::string> released;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(host_->bus(), runtime::ServiceTopics::For("ledger").events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    if (ev.envelope().event_type() != "rentstream.ledger.v1.SuspenseReleased") continue;
    v1::SuspenseReleased e;
    ASSERT_TRUE(e.ParseFromString(ev.payload()));
    if (e.tenancy_ref() == tenancy_) released.push_back(e.suspended_posting_id());
  }
  EXPECT_EQ(released, std::vector<std::string>{"suspense:" + source + ":B8"});

  // The held copy is cleared by reversing it on the suspense stream; it can never be allocated
  // after, and a repeat of the reversal changes nothing.
  v1::ReverseHeldPaymentRequest reverse;
  reverse.mutable_context()->set_command_id("reverse-b7");
  v1::ReverseHeldPayment& c = *reverse.mutable_command();
  c.set_suspended_posting_id("suspense:" + source + ":B7");
  *c.mutable_amount() = app::ProtoPence(2500);
  *c.mutable_value_date() = app::ProtoDate(2026, 4, 12);
  c.set_reason("copy of payment:" + source + ":B7");
  v1::ReverseHeldPaymentResponse reversed;
  grpc::Status st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(reversed.result().event_types_size(), 1);
  EXPECT_EQ(reversed.result().event_types(0), "rentstream.ledger.v1.HeldPaymentReversed");
  reverse.mutable_context()->set_command_id("reverse-b7-again");
  st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(reversed.result().event_types_size(), 0);
  grpc::Status after = allocate("alloc-b7-after", "B7", 2500, &response);  // still refused
  EXPECT_EQ(after.error_code(), grpc::StatusCode::ALREADY_EXISTS) << after.error_message();
  // A held payment that bounced: reversed, then refused by the suspense stream's release.
  reverse.mutable_context()->set_command_id("reverse-b9");
  c.set_suspended_posting_id("suspense:" + source + ":B9");
  *c.mutable_amount() = app::ProtoPence(400);
  c.set_reason("card payment charged back");
  st = stub_->ReverseHeldPayment(Call().get(), reverse, &reversed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  grpc::Status bounced = allocate("alloc-b9", "B9", 400, &response);
  EXPECT_EQ(bounced.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << bounced.error_message();
  EXPECT_EQ(Balance(), -2800);
  // Nothing of this test is waiting any more; with the cleared ones, each says how it went.
  EXPECT_TRUE(held(false).empty());
  auto all = held(true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all["B7"].status(), v1::HELD_PAYMENT_STATUS_REVERSED);
  EXPECT_EQ(all["B8"].status(), v1::HELD_PAYMENT_STATUS_ALLOCATED);
  EXPECT_EQ(all["B8"].allocated_to(), tenancy_);
  EXPECT_EQ(all["B9"].status(), v1::HELD_PAYMENT_STATUS_REVERSED);
}

TEST_P(LedgerServiceTest, ATransferMovesACreditToAnotherTenancyAndNeverLosesIt) {
  const std::string source = tenancy_, target = tenancy_ + "T", later = tenancy_ + "X";
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-source", &opened).ok());
  v1::RecordPaymentResponse paid;
  ASSERT_TRUE(Pay("pay-source", "DD-T1", 20000, &paid).ok());  // nothing charged: a credit
  tenancy_ = target;
  ASSERT_TRUE(Open("open-target", &opened).ok());
  tenancy_ = source;
  auto transfer = [&](const std::string& command_id, const std::string& transfer_id,
                      const std::string& to, int64_t pence,
                      v1::TransferBetweenAccountsResponse* response) {
    v1::TransferBetweenAccountsRequest r;
    *r.mutable_context() = Context(command_id);
    v1::TransferOut& c = *r.mutable_command();
    c.set_transfer_id(transfer_id);
    c.set_to_tenancy_ref(to);
    *c.mutable_amount() = app::ProtoPence(pence);
    *c.mutable_value_date() = app::ProtoDate(2026, 4, 10);
    c.set_reason_code("CREDIT");
    c.set_reason("credit moved to the tenant's new tenancy");
    return stub_->TransferBetweenAccounts(Call().get(), r, response);
  };
  const common::v1::Date as_of = app::ProtoDate(2026, 12, 31);
  auto balance_of = [&](const std::string& ref) {
    v1::GetBalanceRequest r;
    r.set_tenancy_ref(ref);
    *r.mutable_as_of() = as_of;
    v1::GetBalanceResponse response;
    return stub_->GetBalance(Call().get(), r, &response).ok() ? response.balance().pence() : -1;
  };

  v1::TransferBetweenAccountsResponse moved;
  grpc::Status st = transfer("transfer-1", "t-1", target, 15000, &moved);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(moved.transfer_out().event_types_size(), 1);
  EXPECT_EQ(moved.transfer_out().event_types(0), "rentstream.ledger.v1.TransferredOut");
  ASSERT_EQ(moved.transfer_in().event_types_size(), 1);
  EXPECT_EQ(moved.transfer_in().event_types(0), "rentstream.ledger.v1.TransferredIn");
  v1::TransferBetweenAccountsResponse again;
  ASSERT_TRUE(transfer("transfer-1", "t-1", target, 15000, &again).ok());  // same command id
  EXPECT_EQ(again.transfer_in().event_ids(0), moved.transfer_in().event_ids(0));
  grpc::Status too_much = transfer("transfer-big", "t-big", target, 5001, &again);
  EXPECT_EQ(too_much.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(too_much.error_message().rfind("amount:", 0), 0u) << too_much.error_message();
  ASSERT_TRUE(rentstream::testing::WaitFor(
      [&] { return balance_of(source) == -5000 && balance_of(target) == -15000; }));

  // To an account that does not exist yet: refused on the target, the money held in the
  // transfers account; a retry with a new command id completes it once the account is open.
  grpc::Status missing = transfer("transfer-2", "t-2", later, 2000, &again);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_message().rfind("to_tenancy_ref:", 0), 0u) << missing.error_message();
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return balance_of(source) == -3000; }));
  tenancy_ = later;
  ASSERT_TRUE(Open("open-later", &opened).ok());
  tenancy_ = source;
  v1::TransferBetweenAccountsResponse completed;
  st = transfer("transfer-2-retry", "t-2", later, 2000, &completed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(completed.transfer_out().event_ids_size(), 0) << "transferred out once";
  EXPECT_EQ(completed.transfer_in().event_ids_size(), 1);
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return balance_of(later) == -2000; }));
  EXPECT_EQ(balance_of(source), -3000);

  // The trial balance over the three streams is zero, and nothing is left in transit.
  int64_t total = 0, transfers = 0, tenants = 0;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(host_->bus(), runtime::ServiceTopics::For("ledger").events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    const std::string& ref = ev.envelope().tenancy_ref();
    if (ref != source && ref != target && ref != later) continue;
    auto posting = app::PostingOf(ev);
    if (!posting) continue;
    for (const v1::JournalLine& l : posting->lines()) {
      total += l.amount().pence();
      if (l.account().has_tenant()) tenants += l.amount().pence();
      if (l.account().control() == v1::CONTROL_ACCOUNT_TRANSFERS) transfers += l.amount().pence();
    }
  }
  EXPECT_EQ(total, 0) << "postings must balance";
  EXPECT_EQ(transfers, 0) << "every transfer was received";
  EXPECT_EQ(tenants, -20000);
}

// ImportPayments itself: a request retried with the same id gets the same answers and posts
// nothing twice; too many lines, or an auditor, are refused with nothing posted.
TEST_P(LedgerServiceTest, ImportPaymentsAnswersARetriedRequestTheSameWay) {
  v1::OpenAccountResponse opened;
  ASSERT_TRUE(Open("open-imp-rpc", &opened).ok());
  v1::ImportPaymentsRequest request;
  request.mutable_context()->set_command_id("imp-rpc-1");
  const std::string late_tenancy = "HA-NOBODY";  // no account yet
  for (int i = 0; i < 4; ++i) {
    v1::ImportPaymentLine& line = *request.add_lines();
    line.set_line_number(2 + i);
    line.set_tenancy_ref(i == 2 ? late_tenancy : tenancy_);
    v1::RecordPayment& p = *line.mutable_payment();
    p.set_method(v1::PAYMENT_METHOD_CARD);
    p.set_source("rpc-" + tenancy_);
    p.set_external_reference("C" + std::to_string(i));
    *p.mutable_received_date() = app::ProtoDate(2026, 4, 10);
    p.mutable_amount()->set_pence(i == 1 ? 0 : 1000);
  }
  v1::ImportPaymentsResponse first;
  ASSERT_TRUE(stub_->ImportPayments(Call().get(), request, &first).ok());
  ASSERT_EQ(first.lines_size(), 4);
  EXPECT_EQ(first.lines(0).status(), v1::IMPORT_LINE_STATUS_IMPORTED);
  EXPECT_EQ(first.lines(0).result().event_types(0), "rentstream.ledger.v1.PaymentReceived");
  EXPECT_EQ(first.lines(1).status(), v1::IMPORT_LINE_STATUS_REJECTED);
  EXPECT_EQ(first.lines(1).reason().rfind("amount:", 0), 0u) << first.lines(1).reason();
  EXPECT_EQ(first.lines(2).status(), v1::IMPORT_LINE_STATUS_SUSPENSE);
  EXPECT_EQ(first.lines(2).line_number(), 4);
  EXPECT_EQ(first.lines(3).status(), v1::IMPORT_LINE_STATUS_IMPORTED);
  ASSERT_TRUE(rentstream::testing::WaitFor([&] { return Balance() == -2000; }));

  // Retried (a lost answer): the same answers, nothing posted twice — the held line now goes
  // straight to suspense, and the line after it keeps its command id.
  v1::ImportPaymentsResponse retried;
  ASSERT_TRUE(stub_->ImportPayments(Call().get(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Balance(), -2000);

  // The file run again as a new request once the held line's account exists: that line is the
  // payment held in suspense (to be allocated from there), not a payment for the new account.
  {
    const std::string first_tenancy = tenancy_;
    tenancy_ = late_tenancy;
    v1::OpenAccountResponse late;
    ASSERT_TRUE(Open("open-imp-late", &late).ok());
    v1::ImportPaymentsRequest again = request;
    again.mutable_context()->set_command_id("imp-rpc-4");
    v1::ImportPaymentsResponse rerun;
    ASSERT_TRUE(stub_->ImportPayments(Call().get(), again, &rerun).ok());
    EXPECT_EQ(rerun.lines(0).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(rerun.lines(2).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(rerun.lines(3).status(), v1::IMPORT_LINE_STATUS_DUPLICATE);
    EXPECT_EQ(Balance(), 0) << "the held payment was posted to the new account as well";
    tenancy_ = first_tenancy;
  }
  EXPECT_EQ(Balance(), -2000);

  v1::ImportPaymentsRequest too_many;
  too_many.mutable_context()->set_command_id("imp-rpc-2");
  for (int i = 0; i < 10001; ++i) *too_many.add_lines() = request.lines(0);
  v1::ImportPaymentsResponse refused;
  grpc::Status st = stub_->ImportPayments(Call().get(), too_many, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("lines:", 0), 0u) << st.error_message();

  auto auditor = std::make_unique<grpc::ClientContext>();
  auditor->AddMetadata("x-rentstream-actor", "auditor-1");
  auditor->AddMetadata("x-rentstream-role", "auditor");
  request.mutable_context()->set_command_id("imp-rpc-3");
  st = stub_->ImportPayments(auditor.get(), request, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Balance(), -2000);
}

INSTANTIATE_TEST_SUITE_P(Buses, LedgerServiceTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

}  // namespace
}  // namespace rentstream::ledger
