// Payments held in suspense (domain): held, allocated in two recorded steps, reversed when they
// reach no account, and never credited twice with the same payment recorded on the account.
#include <gtest/gtest.h>

#include "services/ledger/domain/ledger_test_support.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {
namespace {

using core::Money;
using test::Apply;
using test::Book;
using test::D;
using test::Open;
using test::P;

TEST(SuspenseTest, AnUnmatchedPaymentIsHeldThenAllocatedInTwoRecordedSteps) {
  TenancyLedger suspense;
  suspense.info.tenancy_ref = kSuspenseStream;
  TenancyLedger tenancy;
  JournalBook book;
  Apply(tenancy, Open());
  Book(book, Apply(suspense, SuspendPayment{PaymentMethod::kCash, "allpay", "AP-77", D(2026, 4, 9),
                                            P(5000), "HA-00O123"}));
  const std::string id = "suspense:allpay:AP-77";
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kSuspense)), P(-5000));
  Refusal r;
  EXPECT_TRUE(
      Apply(suspense,
            SuspendPayment{PaymentMethod::kCash, "allpay", "AP-77", D(2026, 4, 9), P(5000), ""}, &r)
          .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kAlreadyExists);
  EXPECT_TRUE(Apply(tenancy,
                    SuspendPayment{PaymentMethod::kCash, "allpay", "X", D(2026, 4, 9), P(5000), ""},
                    &r)
                  .empty());
  EXPECT_EQ(r.field, "tenancy_ref");

  Book(book, Apply(suspense, ReleaseFromSuspense{id, "HA-000123", P(5000), D(2026, 4, 10)}));
  EXPECT_TRUE(
      Apply(suspense, ReleaseFromSuspense{id, "HA-000123", P(5000), D(2026, 4, 10)}).empty());
  EXPECT_TRUE(
      Apply(suspense, ReleaseFromSuspense{id, "HA-999", P(5000), D(2026, 4, 10)}, &r).empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  Book(book, Apply(tenancy, ReceiveFromSuspense{id, P(5000), AccountKind::kRent, D(2026, 4, 10)}));
  EXPECT_TRUE(
      Apply(tenancy, ReceiveFromSuspense{id, P(5000), AccountKind::kRent, D(2026, 4, 10)}).empty());
  EXPECT_EQ(tenancy.balances[AccountKind::kRent], P(-5000));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kSuspense)), Money::Zero());
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kTransfers)), Money::Zero());
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kBank)), P(5000));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

// The same payment (source and reference) recorded on the account and held in suspense — a file
// imported naming the account, then again naming none or an unknown one — credits the tenant
// once, whichever comes first.
TEST(SuspenseTest, APaymentRecordedOnTheAccountAndHeldInSuspenseIsCreditedOnce) {
  TenancyLedger suspense;
  suspense.info.tenancy_ref = kSuspenseStream;
  TenancyLedger tenancy;
  JournalBook book;
  Apply(tenancy, Open());
  // Recorded first, then held.
  Book(book, Apply(tenancy,
                   RecordPayment{PaymentMethod::kCash, "allpay", "AP-88", D(2026, 4, 9), P(5000)}));
  Book(book, Apply(suspense, SuspendPayment{PaymentMethod::kCash, "allpay", "AP-88", D(2026, 4, 9),
                                            P(5000), ""}));
  Book(book, Apply(suspense, ReleaseFromSuspense{"suspense:allpay:AP-88", "HA-000123", P(5000),
                                                 D(2026, 4, 10)}));
  Refusal r;
  EXPECT_TRUE(Apply(tenancy,
                    ReceiveFromSuspense{"suspense:allpay:AP-88", P(5000), AccountKind::kRent,
                                        D(2026, 4, 10)},
                    &r)
                  .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kAlreadyExists);
  EXPECT_EQ(r.field, "suspended_posting_id");
  EXPECT_NE(r.reason.find("payment:allpay:AP-88"), std::string::npos) << r.reason;
  EXPECT_EQ(tenancy.balances[AccountKind::kRent], P(-5000));

  // Held and allocated first, then recorded.
  Book(book, Apply(suspense, SuspendPayment{PaymentMethod::kCash, "allpay", "AP-99", D(2026, 4, 9),
                                            P(700), ""}));
  Book(book, Apply(suspense, ReleaseFromSuspense{"suspense:allpay:AP-99", "HA-000123", P(700),
                                                 D(2026, 4, 10)}));
  Book(book, Apply(tenancy, ReceiveFromSuspense{"suspense:allpay:AP-99", P(700), AccountKind::kRent,
                                                D(2026, 4, 10)}));
  EXPECT_TRUE(Apply(tenancy,
                    RecordPayment{PaymentMethod::kCash, "allpay", "AP-99", D(2026, 4, 9), P(700)},
                    &r)
                  .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kAlreadyExists);
  EXPECT_EQ(r.field, "external_reference");
  EXPECT_EQ(tenancy.balances[AccountKind::kRent], P(-5700));
  // Another source's payment of that reference is another payment.
  Book(book, Apply(tenancy, RecordPayment{PaymentMethod::kCash, "paypoint", "AP-99", D(2026, 4, 9),
                                          P(700)}));
  EXPECT_EQ(tenancy.balances[AccountKind::kRent], P(-6400));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

// A held payment that reaches no account (bounced, returned, or a copy of one an account
// recorded) is reversed on the suspense stream: back out through the control account it came
// in by, once, and never released after.
TEST(SuspenseTest, AHeldPaymentIsReversedOnceAndNeverReleasedAfter) {
  TenancyLedger suspense;
  suspense.info.tenancy_ref = kSuspenseStream;
  JournalBook book;
  Book(book, Apply(suspense, SuspendPayment{PaymentMethod::kCash, "allpay", "AP-5", D(2026, 4, 9),
                                            P(4200), ""}));
  const std::string id = "suspense:allpay:AP-5";
  ReverseHeldPayment reverse{id, P(4200), D(2026, 4, 14), "returned by the bank", std::nullopt};
  Refusal r;
  ReverseHeldPayment wrong = reverse;
  wrong.amount = P(4100);
  EXPECT_TRUE(Apply(suspense, wrong, &r).empty());
  EXPECT_EQ(r.field, "amount");
  wrong = reverse;
  wrong.reason = "";
  EXPECT_TRUE(Apply(suspense, wrong, &r).empty());
  EXPECT_EQ(r.field, "reason");
  wrong = reverse;
  wrong.value_date = D(2026, 4, 8);
  EXPECT_TRUE(Apply(suspense, wrong, &r).empty());
  EXPECT_EQ(r.field, "value_date");
  wrong = reverse;
  wrong.method = PaymentMethod::kCard;
  EXPECT_TRUE(Apply(suspense, wrong, &r).empty());
  EXPECT_EQ(r.field, "method");
  TenancyLedger tenancy;
  Apply(tenancy, Open());
  EXPECT_TRUE(Apply(tenancy, reverse, &r).empty());
  EXPECT_EQ(r.field, "tenancy_ref");

  const std::vector<LedgerEvent> reversed = Apply(suspense, reverse);
  ASSERT_EQ(reversed.size(), 1u);
  Book(book, reversed);
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kSuspense)), Money::Zero());
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccountFor(PaymentMethod::kCash))),
            Money::Zero());
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_TRUE(Apply(suspense, reverse).empty());  // a repeat: reversed once
  EXPECT_TRUE(
      Apply(suspense, ReleaseFromSuspense{id, "HA-000123", P(4200), D(2026, 4, 15)}, &r).empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  EXPECT_TRUE(
      Apply(suspense,
            SuspendPayment{PaymentMethod::kCash, "allpay", "AP-5", D(2026, 4, 9), P(4200), ""}, &r)
          .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kAlreadyExists);  // the file again: a duplicate

  // Released (allocated) first: reversed on the account, not here.
  Book(book, Apply(suspense, SuspendPayment{PaymentMethod::kCash, "allpay", "AP-6", D(2026, 4, 9),
                                            P(100), ""}));
  Book(book, Apply(suspense, ReleaseFromSuspense{"suspense:allpay:AP-6", "HA-000123", P(100),
                                                 D(2026, 4, 10)}));
  EXPECT_TRUE(Apply(suspense,
                    ReverseHeldPayment{"suspense:allpay:AP-6", P(100), D(2026, 4, 14), "bounced",
                                       std::nullopt},
                    &r)
                  .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  // Held before the ledger kept the method: the officer names it.
  suspense.suspended["suspense:old:1"] = {P(300), D(2026, 4, 1), "", std::nullopt, false, ""};
  ReverseHeldPayment old{"suspense:old:1", P(300), D(2026, 4, 14), "bounced", std::nullopt};
  EXPECT_TRUE(Apply(suspense, old, &r).empty());
  EXPECT_EQ(r.field, "method");
  old.method = PaymentMethod::kBankTransfer;
  EXPECT_EQ(Apply(suspense, old).size(), 1u);
}

TEST(SuspenseTest, AHeldPaymentsIdNamesThePaymentItIs) {
  EXPECT_EQ(PaymentPostingIdOfHeld(SuspendedPostingId("allpay", "AP:1")),
            PaymentPostingId("allpay", "AP:1"));
  EXPECT_EQ(PaymentPostingIdOfHeld("payment:allpay:AP-1"), std::nullopt);
  EXPECT_EQ(PaymentPostingIdOfHeld(""), std::nullopt);
}

}  // namespace
}  // namespace rentstream::ledger
