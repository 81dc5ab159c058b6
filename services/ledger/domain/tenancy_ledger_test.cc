#include "services/ledger/domain/tenancy_ledger.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "services/ledger/domain/ledger_test_support.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;
using test::Apply;
using test::Book;
using test::D;
using test::Fold;
using test::Open;
using test::P;
using test::RefusalOf;

TEST(TenancyLedgerTest, AWeeklyPayerOverAYearWithAReturnedDirectDebit) {
  TenancyLedger s;
  JournalBook book;
  ASSERT_EQ(Apply(s, Open()).size(), 1u);
  Book(book, Apply(s, PostCharges{D(2026, 4, 6), D(2027, 4, 4)}));
  EXPECT_EQ(s.charged_periods.size(), 52u);
  EXPECT_EQ(s.balances[AccountKind::kRent], P(52 * 11050));
  // The charge run again, and overlapping: nothing twice.
  EXPECT_TRUE(Apply(s, PostCharges{D(2026, 4, 1), D(2027, 4, 4)}).empty());
  // 52 weekly direct debits, the tenth returned unpaid.
  for (int w = 0; w < 52; ++w) {
    RecordPayment pay{PaymentMethod::kDirectDebit,      "dd-bacs", "DD" + std::to_string(w),
                      D(2026, 4, 6).AddDays(7 * w + 2), P(11050),  AccountKind::kRent};
    Book(book, Apply(s, pay));
  }
  EXPECT_EQ(s.balances[AccountKind::kRent], Money::Zero());
  Book(book, Apply(s, ReversePayment{PaymentPostingId("dd-bacs", "DD9"), D(2026, 6, 15),
                                     "returned unpaid (ARUDD 0)"}));
  EXPECT_EQ(s.balances[AccountKind::kRent], P(11050));
  EXPECT_EQ(BalanceAsOf(s, AccountKind::kRent, D(2026, 6, 14)), Money::Zero());
  // On Monday 15 June: that week's charge (paid on the 17th) and the reversal.
  EXPECT_EQ(BalanceAsOf(s, AccountKind::kRent, D(2026, 6, 15)), P(2 * 11050));
  EXPECT_EQ(BalanceAsOf(s, AccountKind::kRent, D(2026, 6, 17)), P(11050));
  // The book balances, and the tenant's account in it equals the aggregate's.
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(book.Balance(AccountRef::Tenant("HA-000123")), P(11050));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kServiceChargeIncome)), P(-52 * 1050));
  // Reversing twice, or something unknown, is refused.
  Refusal r;
  EXPECT_TRUE(
      Apply(s, ReversePayment{PaymentPostingId("dd-bacs", "DD9"), D(2026, 6, 16), "again"}, &r)
          .empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  EXPECT_TRUE(Apply(s, ReversePayment{"payment:nope:1", D(2026, 6, 16), "x"}, &r).empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kNotFound);
}

TEST(TenancyLedgerTest, BenefitPaymentsComeThroughTheirControlAccounts) {
  TenancyLedger s;
  JournalBook book;
  Apply(s, Open());
  Book(book, Apply(s, PostCharges{D(2026, 4, 6), D(2026, 5, 3)}));
  Book(book, Apply(s, RecordPayment{PaymentMethod::kHousingBenefit, "hb-schedule", "HB-2026-05",
                                    D(2026, 5, 4), P(4 * 11050), AccountKind::kRent}));
  Book(book, Apply(s, RecordPayment{PaymentMethod::kUcManagedPayment, "dwp-apa", "UC-1",
                                    D(2026, 5, 5), P(100), AccountKind::kRent}));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kHousingBenefit)), P(4 * 11050));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kUniversalCredit)), P(100));
  EXPECT_EQ(s.balances[AccountKind::kRent], P(-100));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

TEST(TenancyLedgerTest, RentChangesAndTerminationKeepHistory) {
  TenancyLedger s;
  Apply(s, Open());
  RentSchedule next = s.schedule;
  next.rates.push_back({D(2027, 4, 5), {{ChargeKind::kNetRent, "RNT", P(10700)}}});
  Refusal r;
  EXPECT_TRUE(Apply(s, ChangeRentSchedule{next, ""}, &r).empty());
  EXPECT_EQ(r.field, "reason");
  ASSERT_EQ(Apply(s, ChangeRentSchedule{next, "annual rent change 2027"}).size(), 1u);
  Apply(s, PostCharges{D(2027, 3, 29), D(2027, 4, 11)});
  EXPECT_EQ(s.balances[AccountKind::kRent], P(11050 + 10700 + 0));  // 29 Mar, 5 Apr; 12 Apr not due
  auto events = Apply(s, TerminateTenancy{D(2027, 4, 11), "tenant moved out"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(s.balances[AccountKind::kRent], Money::Zero());
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(21750));
  // No charges after the end; rent payments go to the former-tenant account.
  EXPECT_TRUE(Apply(s, PostCharges{D(2027, 4, 12), D(2027, 6, 1)}).empty());
  EXPECT_TRUE(Apply(s,
                    RecordPayment{PaymentMethod::kCard, "card", "C1", D(2027, 5, 1), P(500),
                                  AccountKind::kRent},
                    &r)
                  .empty());
  EXPECT_EQ(r.field, "account_kind");
  EXPECT_EQ(Apply(s, RecordPayment{PaymentMethod::kCard, "card", "C1", D(2027, 5, 1), P(500),
                                   AccountKind::kFormerTenantArrears})
                .size(),
            1u);
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(21250));
}

TEST(TenancyLedgerTest, BadCommandsAreRefusedNamingTheField) {
  TenancyLedger empty;
  EXPECT_EQ(RefusalOf(Decide(empty, PostCharges{D(2026, 4, 6), D(2026, 5, 1)}))->kind,
            Refusal::Kind::kNotFound);
  OpenAccount no_tenants = Open();
  no_tenants.info.tenant_ids.clear();
  EXPECT_EQ(RefusalOf(Decide(empty, no_tenants))->field, "tenant_ids");
  OpenAccount early = Open();
  early.schedule.anchor = D(2026, 3, 30);
  early.schedule.rates[0].effective_from = D(2026, 3, 30);
  EXPECT_EQ(RefusalOf(Decide(empty, early))->field, "schedule.anchor");
  OpenAccount tuesday = Open();
  tuesday.schedule.anchor = D(2026, 4, 7);
  EXPECT_EQ(RefusalOf(Decide(empty, tuesday))->field, "schedule.anchor");

  TenancyLedger s;
  Apply(s, Open());
  EXPECT_EQ(RefusalOf(Decide(s, Open()))->kind, Refusal::Kind::kAlreadyExists);
  auto pay = [](int64_t pence, Date d, std::string ref = "R1") {
    return RecordPayment{PaymentMethod::kCash, "allpay", ref, d, P(pence), AccountKind::kRent};
  };
  EXPECT_EQ(RefusalOf(Decide(s, pay(0, D(2026, 5, 1))))->field, "amount");
  EXPECT_EQ(RefusalOf(Decide(s, pay(-5, D(2026, 5, 1))))->field, "amount");
  EXPECT_EQ(RefusalOf(Decide(s, pay(10'000'001, D(2026, 5, 1))))->field, "amount");
  EXPECT_EQ(RefusalOf(Decide(s, pay(100, D(2026, 4, 5))))->field, "received_date");
  EXPECT_EQ(RefusalOf(Decide(s, pay(100, D(2026, 5, 1), "")))->field, "external_reference");
  Apply(s, pay(100, D(2026, 5, 1)));
  auto duplicate = RefusalOf(Decide(s, pay(100, D(2026, 5, 2))));
  ASSERT_TRUE(duplicate.has_value());
  EXPECT_EQ(duplicate->kind, Refusal::Kind::kAlreadyExists);
  EXPECT_EQ(duplicate->field, "external_reference");
  EXPECT_EQ(RefusalOf(Decide(s, PostCharges{D(2026, 5, 1), D(2026, 4, 1)}))->field, "to");
}

TEST(ChargeRunTest, NextChargeDueSkipsChargedAndRentFreePeriods) {
  TenancyLedger s;
  EXPECT_FALSE(NextChargeDue(s).has_value());
  OpenAccount open = Open();
  open.schedule.rent_free_periods = {D(2026, 5, 4)};
  Apply(s, open);
  EXPECT_EQ(NextChargeDue(s), D(2026, 4, 6));
  Apply(s, PostCharges{D(2026, 4, 6), D(2026, 4, 27)});
  EXPECT_EQ(NextChargeDue(s), D(2026, 5, 11));  // 4 May is rent-free
  Apply(s, TerminateTenancy{D(2026, 5, 10), "moved out"});
  EXPECT_FALSE(NextChargeDue(s).has_value());
}

TEST(CorrectionsTest, RefundsAdjustmentsAndSundryChargesAreNewPostings) {
  TenancyLedger s;
  JournalBook book;
  Apply(s, Open());
  Book(book, Apply(s, RecordPayment{PaymentMethod::kBankTransfer, "bank", "OVERPAY", D(2026, 4, 6),
                                    P(20000), AccountKind::kRent}));
  Refusal r;
  EXPECT_TRUE(
      Apply(s, IssueRefund{AccountKind::kRent, P(20001), D(2026, 4, 7), "overpaid"}, &r).empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kFailedPrecondition);
  Book(book, Apply(s, IssueRefund{AccountKind::kRent, P(15000), D(2026, 4, 7), "overpaid"}));
  EXPECT_EQ(s.balances[AccountKind::kRent], P(-5000));
  Book(book, Apply(s, PostAdjustment{AccountKind::kRent, P(-250), D(2026, 4, 8), "GOODWILL",
                                     "complaint 1234"}));
  EXPECT_EQ(s.balances[AccountKind::kRent], P(-5250));
  EXPECT_TRUE(
      Apply(s, PostAdjustment{AccountKind::kRent, P(0), D(2026, 4, 8), "X", "y"}, &r).empty());
  EXPECT_EQ(r.field, "amount");
  EXPECT_TRUE(
      Apply(s, PostAdjustment{AccountKind::kRent, P(10), D(2026, 4, 8), "", "y"}, &r).empty());
  EXPECT_EQ(r.field, "reason_code");
  Book(book, Apply(s, PostSundryCharge{AccountKind::kSundryDebt, "REP", "broken door (recharge)",
                                       P(18000), D(2026, 4, 9)}));
  EXPECT_EQ(s.balances[AccountKind::kSundryDebt], P(18000));
  EXPECT_TRUE(
      Apply(s, PostSundryCharge{AccountKind::kRent, "X", "y", P(1), D(2026, 4, 9)}, &r).empty());
  EXPECT_EQ(r.field, "account_kind");
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kSundryIncome)), P(-18000));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kRefunds)), P(-15000));
}

TEST(WriteOffTest, NeedsADifferentApproverWithAuthorityForTheAmount) {
  TenancyLedger s;
  JournalBook book;
  Apply(s, Open());
  Book(book, Apply(s, PostCharges{D(2026, 4, 6), D(2026, 6, 28)}));  // 12 weeks: £1,326.00
  const Actor officer{"officer-7", Role::kOfficer};
  const Actor leader{"leader-2", Role::kTeamLeader};
  const Actor manager{"manager-1", Role::kIncomeManager};
  auto too_much = RefusalOf(Decide(
      s, RequestWriteOff{"wo-1", AccountKind::kRent, P(200000), "UNTRACED", "gone"}, officer));
  ASSERT_TRUE(too_much.has_value());
  EXPECT_EQ(too_much->field, "amount");  // more than is owed
  Decision d =
      Decide(s, RequestWriteOff{"wo-1", AccountKind::kRent, P(4000), "SMALL", "< £50"}, officer);
  ASSERT_TRUE(std::holds_alternative<std::vector<LedgerEvent>>(d));
  for (const auto& e : std::get<std::vector<LedgerEvent>>(d)) Evolve(s, e);
  // The requester cannot approve; nor can an officer.
  auto self = RefusalOf(
      Decide(s, ApproveWriteOff{"wo-1", D(2026, 7, 1)}, Actor{"officer-7", Role::kIncomeManager}));
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(self->kind, Refusal::Kind::kPermissionDenied);
  EXPECT_EQ(RefusalOf(Decide(s, ApproveWriteOff{"wo-1", D(2026, 7, 1)},
                             Actor{"officer-8", Role::kOfficer}))
                ->kind,
            Refusal::Kind::kPermissionDenied);
  Decision approved = Decide(s, ApproveWriteOff{"wo-1", D(2026, 7, 1)}, leader);
  ASSERT_TRUE(std::holds_alternative<std::vector<LedgerEvent>>(approved));
  auto events = std::get<std::vector<LedgerEvent>>(approved);
  for (const auto& e : events) Evolve(s, e);
  Book(book, events);
  EXPECT_EQ(s.balances[AccountKind::kRent], P(12 * 11050 - 4000));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kWriteOff)), P(4000));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(RefusalOf(Decide(s, ApproveWriteOff{"wo-1", D(2026, 7, 2)}, manager))->kind,
            Refusal::Kind::kNotFound);  // once only
  EXPECT_EQ(
      RefusalOf(Decide(s, RequestWriteOff{"wo-1", AccountKind::kRent, P(1), "X", "y"}, officer))
          ->kind,
      Refusal::Kind::kAlreadyExists);

  // Above the team leader's limit an income manager must approve; a rejection closes it.
  ASSERT_TRUE(Fold(
      s,
      Decide(s, RequestWriteOff{"wo-2", AccountKind::kRent, P(100000), "HARDSHIP", "x"}, officer)));
  LedgerLimits limits;
  limits.team_leader_write_off_limit = P(50000);
  EXPECT_EQ(RefusalOf(Decide(s, ApproveWriteOff{"wo-2", D(2026, 7, 1)}, leader, limits))->kind,
            Refusal::Kind::kPermissionDenied);
  ASSERT_TRUE(Fold(s, Decide(s, RejectWriteOff{"wo-2", "arrangement offered instead"}, manager)));
  EXPECT_EQ(RefusalOf(Decide(s, ApproveWriteOff{"wo-2", D(2026, 7, 1)}, manager, limits))->kind,
            Refusal::Kind::kNotFound);
}

TEST(TenancyLedgerTest, TerminationCreditsPeriodsChargedInAdvance) {
  TenancyLedger s;
  JournalBook book;
  Apply(s, Open());
  Book(book, Apply(s, PostCharges{D(2026, 4, 6), D(2026, 6, 14)}));  // 10 weeks, to 14 June
  auto events = Apply(s, TerminateTenancy{D(2026, 5, 31), "moved out"});
  ASSERT_EQ(events.size(), 3u);  // 1 and 8 June credited, then the move to former arrears
  Book(book, events);
  EXPECT_EQ(s.balances[AccountKind::kRent], Money::Zero());
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(8 * 11050));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kRentIncome)), P(-8 * 10000));
  EXPECT_EQ(book.Balance(AccountRef::Control(ControlAccount::kServiceChargeIncome)), P(-8 * 1050));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(BalanceAsOf(s, AccountKind::kRent, D(2026, 5, 30)), P(8 * 11050));
  EXPECT_EQ(BalanceAsOf(s, AccountKind::kRent, D(2026, 6, 30)), Money::Zero());
}

TEST(KpiTest, ArrearsCollectionAndAgedDebtOverSeveralTenancies) {
  const Date as_of = D(2026, 6, 14);  // ten weekly charges from 6 April
  TenancyLedger payer, debtor, former;
  Apply(payer, Open("HA-1"));
  Apply(debtor, Open("HA-2"));
  Apply(former, Open("HA-3"));
  for (TenancyLedger* s : {&payer, &debtor}) Apply(*s, PostCharges{D(2026, 4, 6), as_of});
  Apply(former, PostCharges{D(2026, 4, 6), D(2026, 5, 31)});
  for (int w = 0; w < 10; ++w) {
    Apply(payer, RecordPayment{PaymentMethod::kDirectDebit, "bacs", "P" + std::to_string(w),
                               D(2026, 4, 6).AddDays(7 * w), P(11050), AccountKind::kRent});
  }
  Apply(former, TerminateTenancy{D(2026, 5, 31), "evicted"});  // 8 weeks owed moved
  KpiAccumulator kpis(as_of);
  for (TenancyLedger* s : {&payer, &debtor, &former}) kpis.Add(*s);
  const LedgerKpis k = kpis.Result();
  EXPECT_EQ(k.accounts, 2);  // the ended tenancy is not current
  EXPECT_EQ(k.in_arrears, 1);
  EXPECT_EQ(k.over_seven_weeks, 1);
  EXPECT_EQ(k.current_arrears, P(10 * 11050));
  EXPECT_EQ(k.annual_rent_debit, P(2 * 52 * 11050));
  EXPECT_NEAR(k.arrears_percent_of_debit, 100.0 * 10 / 104, 1e-9);
  EXPECT_EQ(k.charged_52_weeks, P(28 * 11050));  // 10 + 10 + 8 weeks charged
  EXPECT_EQ(k.collected_52_weeks, P(10 * 11050));
  EXPECT_NEAR(k.collection_rate_percent, 100.0 * 10 / 28, 1e-9);
  EXPECT_EQ(k.former_tenant_arrears, P(8 * 11050));
  EXPECT_EQ(k.aged_accounts[2], 1);  // 10 weeks: (8, 13]
  EXPECT_EQ(k.aged_amount[2], P(10 * 11050));

  // The same accounts split between two replicas: the parts' sums merged give the same figures,
  // the percentages made from the whole, not from the parts' percentages.
  KpiAccumulator here(as_of), there(as_of);
  here.Add(payer);
  there.Add(debtor);
  there.Add(former);
  here.Merge(there.Result());
  const LedgerKpis merged = here.Result();
  EXPECT_EQ(merged.accounts, k.accounts);
  EXPECT_EQ(merged.in_arrears, k.in_arrears);
  EXPECT_EQ(merged.over_seven_weeks, k.over_seven_weeks);
  EXPECT_EQ(merged.current_arrears, k.current_arrears);
  EXPECT_EQ(merged.annual_rent_debit, k.annual_rent_debit);
  EXPECT_EQ(merged.charged_52_weeks, k.charged_52_weeks);
  EXPECT_EQ(merged.collected_52_weeks, k.collected_52_weeks);
  EXPECT_EQ(merged.former_tenant_arrears, k.former_tenant_arrears);
  EXPECT_EQ(merged.written_off_52_weeks, k.written_off_52_weeks);
  EXPECT_EQ(merged.aged_accounts, k.aged_accounts);
  EXPECT_EQ(merged.aged_amount, k.aged_amount);
  EXPECT_NEAR(merged.arrears_percent_of_debit, k.arrears_percent_of_debit, 1e-9);
  EXPECT_NEAR(merged.collection_rate_percent, k.collection_rate_percent, 1e-9);
}

// Runs a year of business days: charges every Monday (the charge run), then `each_day`.
template <typename EachDay>
void RunYear(TenancyLedger& s, EachDay each_day) {
  for (Date d = D(2026, 4, 6); d < D(2027, 4, 5); d = d.AddDays(1)) {
    Apply(s, PostCharges{d, d});
    each_day(d);
  }
}

TEST(ArrearsTest, HousingBenefitPaidFourWeeklyInArrearsIsNotTenantArrears) {
  TenancyLedger s;
  Apply(s, Open());
  BenefitAward hb{BenefitKind::kHousingBenefit, Frequency::kWeekly, P(11050), D(2026, 4, 6), {}};
  ASSERT_EQ(Apply(s, SetBenefitAward{hb, "HB award letter 2026-04-02"}).size(), 1u);
  Money worst_balance;
  RunYear(s, [&](Date d) {
    // The council pays on the Monday after each 4 weeks, for those 4 weeks.
    const int64_t days = core::DaysBetween(D(2026, 4, 6), d);
    if (days > 0 && days % 28 == 0) {
      Apply(s, RecordPayment{PaymentMethod::kHousingBenefit, "hb-schedule", "HB-" + d.ToIso(), d,
                             P(4 * 11050), AccountKind::kRent});
    }
    const ArrearsPosition p = ArrearsAsOf(s, d);
    worst_balance = std::max(worst_balance, p.balance);
    ASSERT_EQ(p.tenant_owed, Money::Zero()) << d.ToIso() << " balance " << p.balance.Format();
  });
  // The account looked up to four weeks in arrears: technical arrears, all benefit timing.
  EXPECT_EQ(worst_balance, P(4 * 11050));
}

TEST(ArrearsTest, UniversalCreditManagedPaymentsMonthlyAreNotTenantArrears) {
  TenancyLedger s;
  Apply(s, Open());
  // Weekly rent × 52 / 12, as UC converts it; paid a week after each monthly assessment period.
  BenefitAward uc{
      BenefitKind::kUniversalCredit, Frequency::kCalendarMonthly, P(47883), D(2026, 4, 6), {}};
  ASSERT_EQ(Apply(s, SetBenefitAward{uc, "UC housing element, APA agreed"}).size(), 1u);
  RunYear(s, [&](Date d) {
    for (int m = 1; m <= 12; ++m) {
      if (d == D(2026, 4, 6).AddMonths(m).AddDays(7)) {
        Apply(s, RecordPayment{PaymentMethod::kUcManagedPayment, "dwp-apa", "UC-" + d.ToIso(), d,
                               P(47883), AccountKind::kRent});
      }
    }
    const ArrearsPosition p = ArrearsAsOf(s, d);
    ASSERT_LE(p.tenant_owed, P(100)) << d.ToIso();  // pennies of the ×52/12 rounding at most
  });
}

TEST(ArrearsTest, PartialBenefitLeavesTheShortfallToTheTenant) {
  TenancyLedger s;
  Apply(s, Open());
  BenefitAward hb{BenefitKind::kHousingBenefit, Frequency::kWeekly, P(8000), D(2026, 4, 6), {}};
  Apply(s, SetBenefitAward{hb, "partial HB"});
  for (Date d = D(2026, 4, 6); d <= D(2026, 5, 31); d = d.AddDays(1)) {
    Apply(s, PostCharges{d, d});
    // The tenant pays their £30.50 share each Friday, but misses two weeks in May.
    if (d.weekday() == core::Weekday::kFriday && d != D(2026, 5, 15) && d != D(2026, 5, 22)) {
      Apply(s, RecordPayment{PaymentMethod::kCard, "card", "T-" + d.ToIso(), d, P(3050),
                             AccountKind::kRent});
    }
    if (d == D(2026, 5, 4)) {
      Apply(s, RecordPayment{PaymentMethod::kHousingBenefit, "hb", "HB-1", d, P(4 * 8000),
                             AccountKind::kRent});
    }
  }
  const ArrearsPosition p = ArrearsAsOf(s, D(2026, 5, 31));
  EXPECT_EQ(p.tenant_owed, P(2 * 3050));
  EXPECT_EQ(p.benefit_expected, P(4 * 8000));  // weeks from 4 May, paid on 1 June
  // Ending the award stops the accrual.
  Apply(s, EndBenefitAward{BenefitKind::kHousingBenefit, D(2026, 5, 24), "claim ended"});
  EXPECT_EQ(ArrearsAsOf(s, D(2026, 5, 31)).benefit_expected, P(3 * 8000));
  Refusal r;
  EXPECT_TRUE(
      Apply(s, EndBenefitAward{BenefitKind::kHousingBenefit, D(2026, 6, 1), "again"}, &r).empty());
  EXPECT_EQ(r.kind, Refusal::Kind::kNotFound);
  BenefitAward uc_weekly{
      BenefitKind::kUniversalCredit, Frequency::kWeekly, P(1), D(2026, 4, 6), {}};
  EXPECT_TRUE(Apply(s, SetBenefitAward{uc_weekly, "x"}, &r).empty());
  EXPECT_EQ(r.field, "award.frequency");
}

// Any sequence of charge runs, payments and reversals: the postings balance in a double-entry
// book, and the balance as of D is the sum of the movements valued on or before D.
RC_GTEST_PROP(TenancyLedgerProperty, PostingsBalanceAndBalanceAsOfIsTheFold, ()) {
  TenancyLedger s;
  JournalBook book;
  auto fold = [&](const Decision& d) {
    if (std::holds_alternative<Refusal>(d)) return;
    for (const LedgerEvent& e : std::get<std::vector<LedgerEvent>>(d)) {
      Evolve(s, e);
      std::visit(
          [&](const auto& ev) {
            if constexpr (requires { ev.posting.lines; }) {
              RC_ASSERT(book.Post(ev.posting).ok());
            }
          },
          e);
    }
  };
  fold(Decide(s, Open()));
  const int steps = *rc::gen::inRange(1, 40);
  for (int i = 0; i < steps; ++i) {
    const Date day = D(2026, 4, 6).AddDays(*rc::gen::inRange(0, 400));
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        fold(Decide(s, PostCharges{day, day.AddDays(*rc::gen::inRange(0, 60))}));
        break;
      case 1:
        fold(
            Decide(s, RecordPayment{PaymentMethod::kBankTransfer, "bank",
                                    "R" + std::to_string(*rc::gen::inRange(0, 30)), day,
                                    P(*rc::gen::inRange<int64_t>(1, 100000)), AccountKind::kRent}));
        break;
      default:
        if (!s.payments.empty()) {
          auto it = s.payments.begin();
          std::advance(it, *rc::gen::inRange<size_t>(0, s.payments.size()));
          fold(Decide(s, ReversePayment{it->first, day, "returned"}));
        }
    }
    RC_ASSERT(*book.TrialBalance() == Money::Zero());
  }
  RC_ASSERT(book.Balance(AccountRef::Tenant("HA-000123")) == s.balances[AccountKind::kRent]);
  const Date as_of = D(2026, 4, 6).AddDays(*rc::gen::inRange(-10, 500));
  RC_ASSERT(BalanceAsOf(s, AccountKind::kRent, as_of) ==
            *book.BalanceAsOf(AccountRef::Tenant("HA-000123"), as_of));
}

// ChargePosted tells other services what they need to judge arrears without the ledger's rules:
// the weekly gross rent and the part of the charge benefit will pay (its UC part separately).
TEST(ArrearsTest, ChargesCarryWeeklyRentAndTheBenefitCover) {
  TenancyLedger s;
  Apply(s, Open());
  BenefitAward hb{BenefitKind::kHousingBenefit, Frequency::kWeekly, P(8000), D(2026, 4, 6), {}};
  Apply(s, SetBenefitAward{hb, "partial HB"});
  // £216.67 a month is £50.00 a week (× 12 / 52).
  BenefitAward uc{
      BenefitKind::kUniversalCredit, Frequency::kCalendarMonthly, P(21667), D(2026, 4, 13), {}};
  ASSERT_EQ(Apply(s, SetBenefitAward{uc, "UC from the second week"}).size(), 1u);
  const std::vector<LedgerEvent> first = Apply(s, PostCharges{D(2026, 4, 6), D(2026, 4, 6)});
  ASSERT_EQ(first.size(), 1u);
  const auto& week1 = std::get<ChargePosted>(first[0]);
  EXPECT_EQ(week1.weekly_gross_rent, P(11050));
  EXPECT_EQ(week1.benefit_covered, P(8000));
  EXPECT_EQ(week1.universal_credit_covered, P(0));
  const std::vector<LedgerEvent> second = Apply(s, PostCharges{D(2026, 4, 13), D(2026, 4, 13)});
  ASSERT_EQ(second.size(), 1u);
  const auto& week2 = std::get<ChargePosted>(second[0]);
  EXPECT_EQ(week2.benefit_covered, P(11050));  // 80 + 50 capped at the charge
  EXPECT_EQ(week2.universal_credit_covered, P(5000));
}

}  // namespace
}  // namespace rentstream::ledger
