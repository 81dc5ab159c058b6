// The ledger logic as the runtime runs it: movements as the stream's history, payments and held
// payments as keyed records, the decoded state kept as a memo — and the same decisions as with
// everything in the state; states written before each of these kept working.
#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic_fixture.h"

namespace rentstream::ledger::app {
namespace {

// A year of weekly charges, a payment and two one-off postings (whose ids count movements).
std::vector<runtime::Decision> AYear(
    const std::function<runtime::Decision(const google::protobuf::Message&)>& run) {
  std::vector<runtime::Decision> out;
  out.push_back(run(OpenCommand()));
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2027, 4, 4);
  out.push_back(run(charges));
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_STANDING_ORDER);
  pay.set_source("bank");
  pay.set_external_reference("SO-1");
  *pay.mutable_received_date() = ProtoDate(2026, 5, 1);
  *pay.mutable_amount() = ProtoPence(50000);
  out.push_back(run(pay));
  v1::PostAdjustment adjust;
  adjust.set_account_kind(v1::ACCOUNT_KIND_RENT);
  *adjust.mutable_amount() = ProtoPence(-1500);
  *adjust.mutable_value_date() = ProtoDate(2026, 6, 1);
  adjust.set_reason_code("GOODWILL");
  adjust.set_reason("repair delay");
  out.push_back(run(adjust));
  out.push_back(run(adjust));
  return out;
}

TEST_F(LedgerLogicTest, MovementsGoToTheHistoryAndDecisionsAreTheSame) {
  // The same commands folded keeping movements in the state, and as the runtime folds them.
  const std::vector<runtime::Decision> in_state =
      AYear([&](const google::protobuf::Message& c) { return Run(c); });
  const state::v1::TenancyLedgerState kept = state();
  state_ = logic_.NewState();
  sequence_ = 0;
  std::vector<std::string> history;
  history_ = &history;
  const std::vector<runtime::Decision> with_history =
      AYear([&](const google::protobuf::Message& c) { return Run(c); });

  ASSERT_EQ(in_state.size(), with_history.size());
  for (size_t i = 0; i < in_state.size(); ++i) {
    ASSERT_FALSE(with_history[i].rejection.has_value()) << i;
    ASSERT_EQ(in_state[i].events.size(), with_history[i].events.size()) << i;
    for (size_t k = 0; k < in_state[i].events.size(); ++k) {
      EXPECT_EQ(in_state[i].events[k].payload, with_history[i].events[k].payload)
          << "command " << i << " event " << k << ": posting ids count every movement";
    }
  }
  EXPECT_EQ(kept.movements_size(), 55);  // 52 charges, a payment, two adjustments
  EXPECT_EQ(state().movements_size(), 0);
  EXPECT_EQ(state().history_movements(), 55u);
  EXPECT_LT(state().ByteSizeLong(), kept.ByteSizeLong() / 2);
  ASSERT_EQ(history.size(), 55u);

  // For queries: the state with its history is the ledger with every movement.
  auto full = FromProto(kept, kTenancy);
  auto rebuilt = FromProto(state(), kTenancy);
  ASSERT_TRUE(full.ok() && rebuilt.ok());
  ASSERT_TRUE(AddHistory(history, *rebuilt).ok());
  EXPECT_EQ(rebuilt->movements_before, 0u);
  ASSERT_EQ(rebuilt->movements.size(), full->movements.size());
  for (size_t i = 0; i < full->movements.size(); ++i) {
    EXPECT_EQ(rebuilt->movements[i].posting_id, full->movements[i].posting_id);
    EXPECT_EQ(rebuilt->movements[i].amount, full->movements[i].amount);
    EXPECT_EQ(rebuilt->movements[i].description, full->movements[i].description);
  }
  // The review day from the light decode is the full decode's.
  auto light = ChargeStateFromProto(state());
  ASSERT_TRUE(light.ok());
  EXPECT_EQ(NextChargeDue(*light), NextChargeDue(*rebuilt));
  ASSERT_TRUE(NextChargeDue(*light).has_value());
  const core::Date as_of = *core::Date::FromYmd(2026, 9, 1);
  EXPECT_EQ(BalanceAsOf(*rebuilt, AccountKind::kRent, as_of),
            BalanceAsOf(*full, AccountKind::kRent, as_of));

  // A history that does not match the state's count is refused, not half-used.
  std::vector<std::string> extra = history;
  extra.push_back(history.back());
  auto wrong = FromProto(state(), kTenancy);
  EXPECT_EQ(AddHistory(extra, *wrong).code(), absl::StatusCode::kDataLoss);
  std::vector<std::string> garbage = {"\xff\xff"};
  auto bad = FromProto(state(), kTenancy);
  EXPECT_EQ(AddHistory(garbage, *bad).code(), absl::StatusCode::kDataLoss);
}

// Payments recorded, refused as duplicates, reversed (twice), a reversal of nothing, another one.
std::vector<runtime::Decision> PaymentsAndReversals(
    const std::function<runtime::Decision(const google::protobuf::Message&)>& run) {
  std::vector<runtime::Decision> out;
  out.push_back(run(OpenCommand()));
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 4, 26);
  out.push_back(run(charges));
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bacs");
  pay.set_external_reference("DD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(11050);
  out.push_back(run(pay));
  out.push_back(run(pay));  // a duplicate
  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("returned unpaid");
  out.push_back(run(reverse));
  out.push_back(run(reverse));  // already reversed
  reverse.set_original_posting_id("payment:bacs:DD-9");
  out.push_back(run(reverse));  // no such payment
  pay.set_external_reference("DD-2");
  out.push_back(run(pay));
  return out;
}

TEST_F(LedgerLogicTest, PaymentsAreKeyedRecordsAndDecisionsAreTheSame) {
  const std::vector<runtime::Decision> in_state =
      PaymentsAndReversals([&](const google::protobuf::Message& c) { return Run(c); });
  ASSERT_EQ(state().payments_size(), 2);
  state_ = logic_.NewState();
  sequence_ = 0;
  std::vector<std::string> history;
  history_ = &history;
  const std::vector<runtime::Decision> keyed =
      PaymentsAndReversals([&](const google::protobuf::Message& c) { return Run(c); });

  ASSERT_EQ(in_state.size(), keyed.size());
  for (size_t i = 0; i < in_state.size(); ++i) {
    ASSERT_EQ(in_state[i].rejection.has_value(), keyed[i].rejection.has_value()) << i;
    if (keyed[i].rejection.has_value()) {
      EXPECT_EQ(in_state[i].rejection->code(), keyed[i].rejection->code()) << i;
      EXPECT_EQ(in_state[i].rejection->field(), keyed[i].rejection->field()) << i;
    }
    ASSERT_EQ(in_state[i].events.size(), keyed[i].events.size()) << i;
    for (size_t k = 0; k < in_state[i].events.size(); ++k) {
      EXPECT_EQ(in_state[i].events[k].payload, keyed[i].events[k].payload) << i;
    }
  }
  EXPECT_EQ(keyed[3].rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
  EXPECT_EQ(keyed[5].rejection->code(), common::v1::REJECTION_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(keyed[6].rejection->code(), common::v1::REJECTION_CODE_NOT_FOUND);

  // The state a decision loads holds no payment; each is a keyed record by posting id.
  EXPECT_EQ(state().payments_size(), 0);
  EXPECT_TRUE(state().keyed_records());
  ASSERT_EQ(keyed_.size(), 2u);
  state::v1::PaymentRecord first;
  ASSERT_TRUE(first.ParseFromString(keyed_.at(PaymentKey("payment:bacs:DD-1"))));
  EXPECT_TRUE(first.reversed());
  EXPECT_EQ(first.amount().pence(), 11050);
  state::v1::PaymentRecord second;
  ASSERT_TRUE(second.ParseFromString(keyed_.at(PaymentKey("payment:bacs:DD-2"))));
  EXPECT_FALSE(second.reversed());

  // Queries see every payment: the ledger with its history and keyed records is the one kept
  // whole in the state.
  runtime::SideRecords side{history, keyed_};
  auto ledger = LedgerForQueries(state(), kTenancy, side);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  ASSERT_EQ(ledger->payments.size(), 2u);
  EXPECT_TRUE(ledger->payments.at("payment:bacs:DD-1").reversed);
  runtime::SideRecords bad{history, {{PaymentKey("payment:x:1"), "\xff\xff"}}};
  EXPECT_EQ(LedgerForQueries(state(), kTenancy, bad).status().code(), absl::StatusCode::kDataLoss);
  runtime::SideRecords misfiled{history, {{PaymentKey("payment:x:1"), second.SerializeAsString()}}};
  EXPECT_EQ(LedgerForQueries(state(), kTenancy, misfiled).status().code(),
            absl::StatusCode::kDataLoss)
      << "a record under another payment's key";

  // Folding without the keyed records is refused, even on a stream with no movements yet.
  common::v1::Event event;
  event.mutable_envelope()->set_tenancy_ref(kTenancy);
  event.mutable_envelope()->set_event_type("rentstream.ledger.v1.PaymentReversed");
  state::v1::TenancyLedgerState no_movements = state();
  no_movements.set_history_movements(0);
  EXPECT_EQ(logic_.Evolve(no_movements, event).code(), absl::StatusCode::kFailedPrecondition);
}

// The host keeps no outcome of a RecordPayment (RecallsOutcomeOf): the payment's keyed record
// keeps what recorded it, and a repeat of that command is answered from it as the first time.
TEST_F(LedgerLogicTest, ARepeatOfTheCommandThatRecordedAPaymentIsAnsweredAsTheFirstTime) {
  std::vector<std::string> history;
  history_ = &history;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bacs");
  pay.set_external_reference("DD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(11050);
  const runtime::Decision first = RunWithId("cmd-pay", pay);
  ASSERT_FALSE(first.rejection.has_value());
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_FALSE(first.recalled.has_value());
  const std::string& received = v1::PaymentReceived::descriptor()->full_name();
  EXPECT_TRUE(logic_.RecallsOutcomeOf(received));
  EXPECT_FALSE(logic_.RecallsOutcomeOf(v1::PaymentReversed::descriptor()->full_name()));
  EXPECT_FALSE(logic_.RecallsOutcomeOf(v1::PaymentSuspended::descriptor()->full_name()));
  const uint64_t sequence = sequence_;
  const std::string key = PaymentKey("payment:bacs:DD-1");
  state::v1::PaymentRecord record;
  ASSERT_TRUE(record.ParseFromString(keyed_.at(key)));
  EXPECT_EQ(record.receipt().command_id(), "cmd-pay");
  EXPECT_EQ(record.receipt().event_id(), absl::StrCat("evt-", sequence));
  EXPECT_EQ(record.receipt().sequence(), sequence);

  const auto expect_recalled = [&](const runtime::Decision& d, const std::string& when) {
    EXPECT_FALSE(d.rejection.has_value()) << when;
    EXPECT_TRUE(d.events.empty()) << when;
    ASSERT_TRUE(d.recalled.has_value()) << when;
    EXPECT_EQ(d.recalled->sequence(), sequence) << when;
    ASSERT_EQ(d.recalled->event_ids_size(), 1) << when;
    EXPECT_EQ(d.recalled->event_ids(0), absl::StrCat("evt-", sequence)) << when;
    ASSERT_EQ(d.recalled->event_types_size(), 1) << when;
    EXPECT_EQ(d.recalled->event_types(0), received) << when;
  };
  expect_recalled(RunWithId("cmd-pay", pay), "a repeat");
  EXPECT_EQ(sequence_, sequence) << "a repeat records nothing";

  // Another command naming the same payment is a duplicate, as ever.
  const runtime::Decision other = Run(pay);
  ASSERT_TRUE(other.rejection.has_value());
  EXPECT_EQ(other.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);

  // The payment reversed: its record keeps the receipt (read back by the reversal's fold).
  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("returned unpaid");
  ASSERT_FALSE(Run(reverse).rejection.has_value());
  ASSERT_TRUE(record.ParseFromString(keyed_.at(key)));
  EXPECT_TRUE(record.reversed());
  expect_recalled(RunWithId("cmd-pay", pay), "after a reversal");

  // A record written before receipts were kept: not recalled (the host remembered that
  // command's outcome then, and answers a repeat from it before any decision).
  record.clear_receipt();
  keyed_[key] = record.SerializeAsString();
  const runtime::Decision older = RunWithId("cmd-pay", pay);
  EXPECT_FALSE(older.recalled.has_value());
  ASSERT_TRUE(older.rejection.has_value());
  EXPECT_EQ(older.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
}

TEST_F(LedgerLogicTest, HeldPaymentsAreKeyedRecordsOfTheSuspenseStream) {
  tenancy_ = kSuspenseStream;
  std::vector<std::string> history;
  history_ = &history;
  v1::SuspendPayment suspend;
  suspend.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  suspend.set_source("bank");
  suspend.set_external_reference("BT-1");
  *suspend.mutable_received_date() = ProtoDate(2026, 4, 8);
  *suspend.mutable_amount() = ProtoPence(1000);
  ASSERT_FALSE(Run(suspend).rejection.has_value());
  runtime::Decision again = Run(suspend);
  ASSERT_TRUE(again.rejection.has_value());
  EXPECT_EQ(again.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
  const std::string id = "suspense:bank:BT-1";
  v1::ReleaseFromSuspense release;
  release.set_suspended_posting_id(id);
  release.set_tenancy_ref(kTenancy);
  *release.mutable_amount() = ProtoPence(1000);
  *release.mutable_value_date() = ProtoDate(2026, 4, 9);
  ASSERT_FALSE(Run(release).rejection.has_value());
  release.set_tenancy_ref("HA-000456");
  runtime::Decision elsewhere = Run(release);
  ASSERT_TRUE(elsewhere.rejection.has_value());
  EXPECT_EQ(elsewhere.rejection->code(), common::v1::REJECTION_CODE_FAILED_PRECONDITION);
  release.set_suspended_posting_id("suspense:bank:BT-9");
  EXPECT_EQ(Run(release).rejection->code(), common::v1::REJECTION_CODE_NOT_FOUND);

  // The suspense stream's state holds none of them, however many there are.
  EXPECT_EQ(state().suspended_size(), 0);
  ASSERT_EQ(keyed_.size(), 1u);
  state::v1::SuspendedPayment held;
  ASSERT_TRUE(held.ParseFromString(keyed_.at(SuspendedKey(id))));
  EXPECT_EQ(held.released_to(), kTenancy);
  EXPECT_EQ(held.amount().pence(), 1000);
}

// A held payment's keyed record keeps its method (so a reversal knows the control account) and,
// once reversed, says so: a later release is refused.
TEST_F(LedgerLogicTest, AReversedHeldPaymentsRecordSaysSoAndItIsNotReleased) {
  tenancy_ = kSuspenseStream;
  std::vector<std::string> history;
  history_ = &history;
  v1::SuspendPayment suspend;
  suspend.set_method(v1::PAYMENT_METHOD_CARD);
  suspend.set_source("card");
  suspend.set_external_reference("C-9");
  *suspend.mutable_received_date() = ProtoDate(2026, 4, 8);
  *suspend.mutable_amount() = ProtoPence(2500);
  suspend.set_raw_reference("HA-00O9");  // as the payer wrote it
  ASSERT_FALSE(Run(suspend).rejection.has_value());
  const std::string id = "suspense:card:C-9";
  state::v1::SuspendedPayment held;
  ASSERT_TRUE(held.ParseFromString(keyed_.at(SuspendedKey(id))));
  EXPECT_EQ(held.method(), v1::PAYMENT_METHOD_CARD);
  EXPECT_EQ(held.raw_reference(), "HA-00O9");
  EXPECT_FALSE(held.reversed());

  v1::ReverseHeldPayment reverse;
  reverse.set_suspended_posting_id(id);
  *reverse.mutable_amount() = ProtoPence(2500);
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 10);
  reverse.set_reason("card payment charged back");
  const runtime::Decision reversed = Run(reverse);
  ASSERT_FALSE(reversed.rejection.has_value());
  ASSERT_EQ(reversed.events.size(), 1u);
  EXPECT_EQ(reversed.events[0].event_type, "rentstream.ledger.v1.HeldPaymentReversed");
  ASSERT_TRUE(held.ParseFromString(keyed_.at(SuspendedKey(id))));
  EXPECT_TRUE(held.reversed());
  EXPECT_EQ(held.method(), v1::PAYMENT_METHOD_CARD);
  EXPECT_TRUE(Run(reverse).events.empty());  // a repeat

  v1::ReleaseFromSuspense release;
  release.set_suspended_posting_id(id);
  release.set_tenancy_ref(kTenancy);
  *release.mutable_amount() = ProtoPence(2500);
  *release.mutable_value_date() = ProtoDate(2026, 4, 11);
  const runtime::Decision refused = Run(release);
  ASSERT_TRUE(refused.rejection.has_value());
  EXPECT_EQ(refused.rejection->code(), common::v1::REJECTION_CODE_FAILED_PRECONDITION);
  // Only suspense commands go to the suspense stream, and this one only there.
  tenancy_ = kTenancy;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  const runtime::Decision elsewhere = Run(reverse);
  ASSERT_TRUE(elsewhere.rejection.has_value());
  EXPECT_EQ(elsewhere.rejection->field(), "tenancy_ref");
}

// The account's keyed record of a payment is read when a held payment of the same source and
// reference is to be received: it is the same payment, refused, and the balance moves once.
TEST_F(LedgerLogicTest, AHeldPaymentTheAccountRecordedAlreadyIsNotReceivedAgain) {
  std::vector<std::string> history;
  history_ = &history;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  pay.set_source("bank");
  pay.set_external_reference("BT-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(1000);
  ASSERT_FALSE(Run(pay).rejection.has_value());
  ASSERT_EQ(state().payments_size(), 0);  // a keyed record, read only when a decision names it
  v1::ReceiveFromSuspense receive;
  receive.set_suspended_posting_id("suspense:bank:BT-1");
  *receive.mutable_amount() = ProtoPence(1000);
  receive.set_account_kind(v1::ACCOUNT_KIND_RENT);
  *receive.mutable_value_date() = ProtoDate(2026, 4, 9);
  const runtime::Decision twice = Run(receive);
  ASSERT_TRUE(twice.rejection.has_value());
  EXPECT_EQ(twice.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
  EXPECT_EQ(twice.rejection->field(), "suspended_posting_id");
  EXPECT_TRUE(twice.events.empty());
  // Another payment held is received.
  receive.set_suspended_posting_id("suspense:bank:BT-2");
  const runtime::Decision other = Run(receive);
  EXPECT_FALSE(other.rejection.has_value());
  EXPECT_EQ(other.events.size(), 1u);
}

TEST_F(LedgerLogicTest, ATransferOfAKeyedPaymentChangesItsRecord) {
  std::vector<std::string> history;
  history_ = &history;
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_CARD);
  pay.set_source("card");
  pay.set_external_reference("C-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(5000);
  ASSERT_FALSE(RunWithId("cmd-card", pay).rejection.has_value());
  const uint64_t paid_at = sequence_;
  v1::TransferOut out;
  out.set_transfer_id("t-1");
  out.set_to_tenancy_ref("HA-000456");
  out.set_payment_posting_id("payment:card:C-1");
  out.set_account_kind(v1::ACCOUNT_KIND_RENT);
  *out.mutable_amount() = ProtoPence(3000);
  *out.mutable_value_date() = ProtoDate(2026, 4, 10);
  out.set_reason_code("MISALLOCATED");
  out.set_reason("paid to the wrong account");
  runtime::Decision d = Run(out, "officer-7");
  ASSERT_FALSE(d.rejection.has_value()) << d.rejection->reason();
  state::v1::PaymentRecord record;
  ASSERT_TRUE(record.ParseFromString(keyed_.at(PaymentKey("payment:card:C-1"))));
  EXPECT_EQ(record.transferred().pence(), 3000);
  // It keeps the receipt of the command that recorded it: a repeat is answered as the first time.
  EXPECT_EQ(record.receipt().command_id(), "cmd-card");
  EXPECT_EQ(record.receipt().sequence(), paid_at);
  const runtime::Decision repeat = RunWithId("cmd-card", pay);
  ASSERT_TRUE(repeat.recalled.has_value());
  EXPECT_EQ(repeat.recalled->sequence(), paid_at);
  EXPECT_EQ(state().payments_size(), 0);
  // What is left of it is what the record says: 20.00, not 50.00.
  out.set_transfer_id("t-2");
  runtime::Decision too_much = Run(out, "officer-7");
  ASSERT_TRUE(too_much.rejection.has_value());
  EXPECT_EQ(too_much.rejection->field(), "amount");
  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:card:C-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("chargeback");
  EXPECT_EQ(Run(reverse).rejection->code(), common::v1::REJECTION_CODE_FAILED_PRECONDITION)
      << "part of it was transferred";
  out.set_payment_posting_id("payment:card:C-9");
  EXPECT_EQ(Run(out, "officer-7").rejection->code(), common::v1::REJECTION_CODE_NOT_FOUND);
}

TEST_F(LedgerLogicTest, TheMemoKeptBetweenCallsDecidesAndFoldsAsADecodedStateWould) {
  // The same commands as the runtime runs them, keeping the logic's memo between calls, and
  // decoding the state afresh for every command: the same decisions, state, history and records.
  struct Pass {
    std::vector<runtime::Decision> decisions;
    std::string state;
    std::vector<std::string> history;
    runtime::KeyedRecords keyed;
  };
  auto run_all = [&](bool forget) {
    state_ = logic_.NewState();
    memo_.reset();
    keyed_.clear();
    sequence_ = 0;
    commands_ = 0;  // the same command ids: their receipts are in the keyed records
    forget_memo_ = forget;
    std::vector<std::string> history;
    history_ = &history;
    Pass out;
    out.decisions = AYear([&](const google::protobuf::Message& c) { return Run(c); });
    // A second year (the tick's path: charges) and payments with reversals on the same account.
    v1::PostCharges charges;
    *charges.mutable_from() = ProtoDate(2027, 4, 5);
    *charges.mutable_to() = ProtoDate(2028, 4, 2);
    out.decisions.push_back(Run(charges));
    for (runtime::Decision& d :
         PaymentsAndReversals([&](const google::protobuf::Message& c) { return Run(c); })) {
      out.decisions.push_back(std::move(d));
    }
    out.state = state().SerializeAsString();
    out.history = history;
    out.keyed = keyed_;
    history_ = nullptr;
    return out;
  };
  const Pass kept = run_all(false);
  const Pass decoded = run_all(true);
  ASSERT_EQ(kept.decisions.size(), decoded.decisions.size());
  for (size_t i = 0; i < kept.decisions.size(); ++i) {
    ASSERT_EQ(kept.decisions[i].rejection.has_value(), decoded.decisions[i].rejection.has_value());
    if (kept.decisions[i].rejection.has_value()) {
      EXPECT_EQ(kept.decisions[i].rejection->SerializeAsString(),
                decoded.decisions[i].rejection->SerializeAsString())
          << i;
    }
    ASSERT_EQ(kept.decisions[i].events.size(), decoded.decisions[i].events.size()) << i;
    for (size_t k = 0; k < kept.decisions[i].events.size(); ++k) {
      EXPECT_EQ(kept.decisions[i].events[k].payload, decoded.decisions[i].events[k].payload) << i;
    }
  }
  EXPECT_EQ(kept.state, decoded.state);
  EXPECT_EQ(kept.history, decoded.history);
  EXPECT_EQ(kept.keyed, decoded.keyed);
  EXPECT_GT(kept.history.size(), 100u);
}

TEST_F(LedgerLogicTest, PaymentsAStateKeptStayThereAndNewOnesAreKeyed) {
  // A projection written before keyed records: its payment is in the state.
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::RecordPayment pay;
  pay.set_method(v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bacs");
  pay.set_external_reference("DD-1");
  *pay.mutable_received_date() = ProtoDate(2026, 4, 8);
  *pay.mutable_amount() = ProtoPence(11050);
  ASSERT_FALSE(Run(pay).rejection.has_value());
  ASSERT_EQ(state().payments_size(), 1);
  std::vector<std::string> history;
  history_ = &history;

  runtime::Decision again = Run(pay);
  ASSERT_TRUE(again.rejection.has_value()) << "found in the state";
  EXPECT_EQ(again.rejection->code(), common::v1::REJECTION_CODE_ALREADY_EXISTS);
  v1::ReversePayment reverse;
  reverse.set_original_posting_id("payment:bacs:DD-1");
  *reverse.mutable_value_date() = ProtoDate(2026, 4, 14);
  reverse.set_reason("returned unpaid");
  ASSERT_FALSE(Run(reverse).rejection.has_value());
  ASSERT_EQ(state().payments_size(), 1);
  EXPECT_TRUE(state().payments(0).reversed()) << "changed where it is kept";
  EXPECT_TRUE(keyed_.empty());
  pay.set_external_reference("DD-2");
  ASSERT_FALSE(Run(pay).rejection.has_value());
  EXPECT_EQ(state().payments_size(), 1);
  EXPECT_EQ(keyed_.size(), 1u);
  EXPECT_TRUE(keyed_.count(PaymentKey("payment:bacs:DD-2")));
}

TEST_F(LedgerLogicTest, AStateWithMovementsKeepsThemAndAddsNewOnesToTheHistory) {
  // A projection written before the history store: its movements stay first in the state.
  ASSERT_FALSE(Run(OpenCommand()).rejection.has_value());
  v1::PostCharges charges;
  *charges.mutable_from() = ProtoDate(2026, 4, 6);
  *charges.mutable_to() = ProtoDate(2026, 4, 19);
  ASSERT_FALSE(Run(charges).rejection.has_value());
  ASSERT_EQ(state().movements_size(), 2);
  std::vector<std::string> history;
  history_ = &history;
  *charges.mutable_to() = ProtoDate(2026, 4, 26);
  ASSERT_FALSE(Run(charges).rejection.has_value());
  EXPECT_EQ(state().movements_size(), 2);
  EXPECT_EQ(state().history_movements(), 1u);
  auto ledger = FromProto(state(), kTenancy);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE(AddHistory(history, *ledger).ok());
  ASSERT_EQ(ledger->movements.size(), 3u);
  EXPECT_EQ(ledger->movements[2].posting_id, "charge:HA-000123:rent:2026-04-20");

  // Once it keeps history, folding without a history store is refused: the new movement would
  // come before the older ones kept as history.
  common::v1::Event event;
  event.mutable_envelope()->set_tenancy_ref(kTenancy);
  event.mutable_envelope()->set_event_type("rentstream.ledger.v1.ChargePosted");
  EXPECT_EQ(logic_.Evolve(*state_, event).code(), absl::StatusCode::kFailedPrecondition);
  auto short_history = FromProto(state(), kTenancy);
  EXPECT_EQ(AddHistory({}, *short_history).code(), absl::StatusCode::kDataLoss)
      << "a history missing movements is refused, not shown short";
}

}  // namespace
}  // namespace rentstream::ledger::app
