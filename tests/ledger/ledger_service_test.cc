// The ledger service through its gRPC API on both buses: accounts are opened, the charge run is
// idempotent, payments and reversals move the balance, transfers never lose money, and the
// published events balance in double entry. Payment files and suspense: ledger_payments_test.cc.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "libs/runtime/clock.h"
#include "libs/runtime/topics.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "tests/ledger/ledger_service_fixture.h"
#include "tools/rentstream/ledger_import.h"
#include "tools/rentstream/ledger_query.h"

namespace rentstream::ledger {
namespace {

using rentstream::testing::BusKind;
using test::LedgerServiceTest;

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

// A payment file imported naming the account, then a copy of that line naming no account: the
// copy is held in suspense, and allocating it to the account is refused — the tenant is credited
// once — while a payment held that the account never had is allocated.
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
INSTANTIATE_TEST_SUITE_P(Buses, LedgerServiceTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

}  // namespace
}  // namespace rentstream::ledger
