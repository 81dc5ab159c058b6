#include "services/escalation/domain/arrangement.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace rentstream::escalation {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
Money P(int64_t pence) { return Money::FromPence(pence); }

// £1,000 of arrears, £50 a week from Monday 6 April 2026, agreed the week before.
Arrangement Weekly() {
  Arrangement a;
  a.kind = ArrangementKind::kInformal;
  a.starting_balance = P(100000);
  a.instalment = P(5000);
  a.frequency = InstalmentFrequency::kWeekly;
  a.agreed_on = D(2026, 4, 1);
  a.start = D(2026, 4, 6);
  return a;
}

Arrangement Monthly(Date start) {
  Arrangement a = Weekly();
  a.frequency = InstalmentFrequency::kCalendarMonthly;
  a.agreed_on = start;
  a.start = start;
  return a;
}

ArrangementAssessment Assess(const Arrangement& a, int64_t balance_pence, Date as_of) {
  auto assessed = AssessArrangement(a, P(balance_pence), as_of);
  EXPECT_TRUE(assessed.ok()) << assessed.status();
  return assessed.ok() ? *assessed : ArrangementAssessment{};
}

TEST(ArrangementValidationTest, RefusesEachBadFieldNamingIt) {
  struct Case {
    std::string name;
    std::function<void(Arrangement&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"zero instalment", [](Arrangement& a) { a.instalment = P(0); }, "instalment"},
      {"negative instalment", [](Arrangement& a) { a.instalment = P(-1); }, "instalment"},
      {"huge instalment", [](Arrangement& a) { a.instalment = P(kMaxInstalmentPence + 1); },
       "instalment"},
      {"no arrears", [](Arrangement& a) { a.starting_balance = P(0); }, "starting_balance"},
      {"huge arrears", [](Arrangement& a) { a.starting_balance = P(kMaxStartingBalancePence + 1); },
       "starting_balance"},
      {"start long before agreement", [](Arrangement& a) { a.start = D(2026, 2, 28); }, "start"},
      {"start far after agreement", [](Arrangement& a) { a.start = D(2026, 10, 2); }, "start"},
      {"negative tolerance", [](Arrangement& a) { a.tolerance_days = -1; }, "tolerance_days"},
      {"long tolerance", [](Arrangement& a) { a.tolerance_days = 29; }, "tolerance_days"},
      {"unknown frequency",
       [](Arrangement& a) { a.frequency = static_cast<InstalmentFrequency>(9); }, "frequency"},
      {"unknown kind", [](Arrangement& a) { a.kind = static_cast<ArrangementKind>(9); }, "kind"},
      {"initial payment after start",
       [](Arrangement& a) {
         a.initial_payment = InitialPayment{P(1000), D(2026, 4, 7)};
       },
       "initial_payment.date"},
      {"initial payment long before agreement",
       [](Arrangement& a) {
         a.initial_payment = InitialPayment{P(1000), D(2026, 2, 28)};
       },
       "initial_payment.date"},
      {"zero initial payment",
       [](Arrangement& a) {
         a.initial_payment = InitialPayment{P(0), D(2026, 4, 1)};
       },
       "initial_payment.amount"},
      {"initial payment above the arrears",
       [](Arrangement& a) {
         a.initial_payment = InitialPayment{P(100001), D(2026, 4, 1)};
       },
       "initial_payment.amount"},
      {"cancelled before agreement", [](Arrangement& a) { a.cancelled_on = D(2026, 3, 31); },
       "cancelled_on"},
      {"completed before agreement", [](Arrangement& a) { a.completed_on = D(2026, 3, 31); },
       "completed_on"},
  };
  ASSERT_TRUE(ValidateArrangement(Weekly()).ok());
  for (const Case& c : cases) {
    Arrangement a = Weekly();
    c.mutate(a);
    const absl::Status s = ValidateArrangement(a);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StrContains(s.message(), "arrangement." + c.field + ":"))
        << c.name << ": " << s.message();
    EXPECT_FALSE(ExpectedBalance(a, D(2026, 5, 1)).ok()) << c.name;
    EXPECT_FALSE(AssessArrangement(a, P(1), D(2026, 5, 1)).ok()) << c.name;
  }
}

TEST(ArrangementValidationTest, AcceptsTheBoundaries) {
  Arrangement a = Weekly();
  a.instalment = P(kMaxInstalmentPence);
  a.starting_balance = P(kMaxStartingBalancePence);
  a.start = a.agreed_on.AddDays(-kMaxStartBackdateDays);
  a.tolerance_days = 0;
  a.initial_payment = InitialPayment{a.starting_balance, a.start};
  EXPECT_TRUE(ValidateArrangement(a).ok()) << ValidateArrangement(a);
  a.start = a.agreed_on.AddDays(kMaxStartDelayDays);
  a.tolerance_days = kMaxToleranceDays;
  EXPECT_TRUE(ValidateArrangement(a).ok()) << ValidateArrangement(a);
}

TEST(ArrangementBreachDetectorTest, AnInstalmentCountsOnItsDueDatePlusTolerance) {
  const Arrangement a = Weekly();  // first due Monday 6 April, tolerance 5 days → Saturday 11th
  struct Row {
    Date as_of;
    int64_t due;
    int64_t expected;
  };
  const std::vector<Row> rows = {
      {D(2026, 4, 5), 0, 100000}, {D(2026, 4, 6), 0, 100000}, {D(2026, 4, 10), 0, 100000},
      {D(2026, 4, 11), 1, 95000}, {D(2026, 4, 17), 1, 95000}, {D(2026, 4, 18), 2, 90000},
      {D(2026, 12, 31), 20, 0},   {D(2030, 1, 1), 20, 0},
  };
  for (const Row& r : rows) {
    const ArrangementAssessment got = Assess(a, 100000, r.as_of);
    EXPECT_EQ(got.instalments_due, r.due) << r.as_of.ToIso();
    EXPECT_EQ(got.expected_balance, P(r.expected)) << r.as_of.ToIso();
    EXPECT_EQ(*ExpectedBalance(a, r.as_of), P(r.expected)) << r.as_of.ToIso();
  }
}

TEST(ArrangementBreachDetectorTest, FrequenciesCountFromTheStart) {
  struct Row {
    InstalmentFrequency frequency;
    Date as_of;
    int64_t due;
  };
  // Start Monday 6 April 2026, tolerance 5: counted on the 11th, then every period.
  const std::vector<Row> rows = {
      {InstalmentFrequency::kFortnightly, D(2026, 4, 24), 1},
      {InstalmentFrequency::kFortnightly, D(2026, 4, 25), 2},
      {InstalmentFrequency::kFourWeekly, D(2026, 5, 8), 1},
      {InstalmentFrequency::kFourWeekly, D(2026, 5, 9), 2},
      {InstalmentFrequency::kCalendarMonthly, D(2026, 5, 10), 1},
      {InstalmentFrequency::kCalendarMonthly, D(2026, 5, 11), 2},
  };
  for (const Row& r : rows) {
    Arrangement a = Weekly();
    a.frequency = r.frequency;
    EXPECT_EQ(Assess(a, 100000, r.as_of).instalments_due, r.due)
        << static_cast<int>(r.frequency) << " " << r.as_of.ToIso();
  }
}

TEST(ArrangementBreachDetectorTest, MonthlyFromThe31stClampsWithoutDrifting) {
  const Arrangement a = Monthly(D(2026, 1, 31));
  const std::vector<Date> due = {D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30),
                                 D(2026, 5, 31), D(2026, 6, 30), D(2027, 1, 31)};
  const std::vector<int64_t> n = {0, 1, 2, 3, 4, 5, 12};
  for (size_t i = 0; i < due.size(); ++i) {
    EXPECT_EQ(InstalmentDueDate(a, n[i]), due[i]) << n[i];
  }
  // The February instalment (due the 28th) counts from 5 March, the March one from 5 April.
  EXPECT_EQ(Assess(a, 100000, D(2026, 3, 4)).instalments_due, 1);
  EXPECT_EQ(Assess(a, 100000, D(2026, 3, 5)).instalments_due, 2);
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 4)).instalments_due, 2);
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 5)).instalments_due, 3);
}

TEST(ArrangementBreachDetectorTest, MonthlyInALeapYearFallsOnThe29thOfFebruary) {
  const Arrangement leap = Monthly(D(2024, 1, 31));
  EXPECT_EQ(InstalmentDueDate(leap, 1), D(2024, 2, 29));
  EXPECT_EQ(InstalmentDueDate(leap, 2), D(2024, 3, 31));
  EXPECT_EQ(InstalmentDueDate(leap, 13), D(2025, 2, 28));
  const Arrangement from_29th = Monthly(D(2027, 1, 29));  // 2027 is not a leap year
  EXPECT_EQ(InstalmentDueDate(from_29th, 1), D(2027, 2, 28));
  EXPECT_EQ(InstalmentDueDate(from_29th, 2), D(2027, 3, 29));
  EXPECT_EQ(InstalmentDueDate(from_29th, 13), D(2028, 2, 29));
  // Counted over the leap day: 29 Feb + 5 days = 5 March 2024.
  EXPECT_EQ(Assess(leap, 100000, D(2024, 3, 4)).instalments_due, 1);
  EXPECT_EQ(Assess(leap, 100000, D(2024, 3, 5)).instalments_due, 2);
}

TEST(ArrangementBreachDetectorTest, InitialPaymentCountsOnceItsDatePlusToleranceHasPassed) {
  Arrangement a = Weekly();
  a.initial_payment = InitialPayment{P(20000), D(2026, 4, 1)};  // counted from 6 April
  EXPECT_EQ(*ExpectedBalance(a, D(2026, 4, 5)), P(100000));
  EXPECT_EQ(*ExpectedBalance(a, D(2026, 4, 6)), P(80000));
  EXPECT_EQ(*ExpectedBalance(a, D(2026, 4, 11)), P(75000));
  EXPECT_EQ(InstalmentsInPlan(a), 16);  // £800 / £50
  // Not paid by the 6th: breached even though no instalment has counted yet.
  const ArrangementAssessment unpaid = Assess(a, 100000, D(2026, 4, 6));
  EXPECT_EQ(unpaid.state, ArrangementState::kBreached);
  EXPECT_EQ(unpaid.breached_by, P(20000));
  EXPECT_EQ(Assess(a, 80000, D(2026, 4, 6)).state, ArrangementState::kLive);
}

TEST(ArrangementBreachDetectorTest, BreachSaysWhetherACourtOrderOrAnInformalPlanWasBroken) {
  Arrangement a = Weekly();
  const Date as_of = D(2026, 4, 18);  // two instalments counted: expected £900
  const ArrangementAssessment informal = Assess(a, 90001, as_of);
  EXPECT_EQ(informal.state, ArrangementState::kBreached);
  EXPECT_EQ(informal.breach, BreachKind::kInformalPlan);
  EXPECT_EQ(informal.breached_by, P(1));
  a.kind = ArrangementKind::kCourtOrdered;
  const ArrangementAssessment court = Assess(a, 90001, as_of);
  EXPECT_EQ(court.state, ArrangementState::kBreached);
  EXPECT_EQ(court.breach, BreachKind::kCourtOrder);
  const ArrangementAssessment kept = Assess(a, 90000, as_of);
  EXPECT_EQ(kept.state, ArrangementState::kLive);
  EXPECT_EQ(kept.breach, BreachKind::kNone);
  EXPECT_EQ(kept.breached_by, Money::Zero());
}

TEST(ArrangementBreachDetectorTest, StatesFollowTheBalanceAndTheLifecycle) {
  Arrangement a = Weekly();
  struct Row {
    std::string name;
    int64_t balance;
    Date as_of;
    ArrangementState state;
  };
  const std::vector<Row> rows = {
      {"arrears grew before anything was due", 120000, D(2026, 4, 10), ArrangementState::kLive},
      {"first instalment unpaid at tolerance", 100000, D(2026, 4, 11), ArrangementState::kBreached},
      {"overpaid", 50000, D(2026, 4, 11), ArrangementState::kLive},
      {"cleared early", 0, D(2026, 4, 8), ArrangementState::kCompleted},
      {"in credit", -500, D(2026, 5, 8), ArrangementState::kCompleted},
      {"plan over, arrears left", 1, D(2027, 1, 1), ArrangementState::kBreached},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(Assess(a, r.balance, r.as_of).state, r.state) << r.name;
  }
  a.cancelled_on = D(2026, 5, 1);
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 30)).state, ArrangementState::kBreached);
  const ArrangementAssessment cancelled = Assess(a, 100000, D(2026, 5, 1));
  EXPECT_EQ(cancelled.state, ArrangementState::kCancelled);
  EXPECT_EQ(cancelled.breach, BreachKind::kNone);
  EXPECT_FALSE(cancelled.next_review_date.has_value());
  a.cancelled_on.reset();
  a.completed_on = D(2026, 5, 1);
  // Recorded as completed: next week's rent charge does not make it breached again.
  EXPECT_EQ(Assess(a, 10000, D(2026, 5, 20)).state, ArrangementState::kCompleted);
}

TEST(ArrangementBreachDetectorTest, NextReviewIsTheNextInstalmentDatePlusTolerance) {
  Arrangement a = Weekly();
  ArrangementAssessment got = Assess(a, 100000, D(2026, 4, 1));
  EXPECT_EQ(got.next_instalment_date, D(2026, 4, 6));
  EXPECT_EQ(got.next_review_date, D(2026, 4, 11));
  got = Assess(a, 100000, D(2026, 4, 11));  // breached: still re-checked at the next count
  EXPECT_EQ(got.next_instalment_date, D(2026, 4, 13));
  EXPECT_EQ(got.next_review_date, D(2026, 4, 18));
  a.initial_payment = InitialPayment{P(20000), D(2026, 4, 2)};
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 1)).next_review_date, D(2026, 4, 7));
  a.tolerance_days = 0;
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 2)).next_review_date, D(2026, 4, 6));
  // After the last instalment nothing changes with time any more.
  got = Assess(a, 100, D(2026, 12, 1));
  EXPECT_EQ(got.expected_balance, Money::Zero());
  EXPECT_FALSE(got.next_instalment_date.has_value());
  EXPECT_FALSE(got.next_review_date.has_value());
  EXPECT_FALSE(Assess(a, 0, D(2026, 4, 20)).next_review_date.has_value());
}

TEST(ArrangementBreachDetectorTest, ZeroToleranceCountsOnTheDueDate) {
  Arrangement a = Weekly();
  a.tolerance_days = 0;
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 5)).instalments_due, 0);
  EXPECT_EQ(Assess(a, 100000, D(2026, 4, 6)).instalments_due, 1);
}

TEST(ArrangementBreachDetectorTest, TheLastInstalmentClearsOnlyWhatIsLeft) {
  Arrangement a = Weekly();
  a.starting_balance = P(12000);  // £120 at £50: £50, £50, £20
  EXPECT_EQ(InstalmentsInPlan(a), 3);
  const ArrangementAssessment got = Assess(a, 2000, D(2026, 4, 24));
  EXPECT_EQ(got.instalments_due, 2);
  EXPECT_EQ(got.expected_balance, P(2000));
  EXPECT_EQ(got.next_instalment_date, D(2026, 4, 20));
  EXPECT_EQ(Assess(a, 2000, D(2026, 6, 1)).instalments_due, 3);
  EXPECT_EQ(*ExpectedBalance(a, D(2026, 6, 1)), Money::Zero());
}

// ---- properties

Arrangement RandomArrangement() {
  Arrangement a;
  a.kind = *rc::gen::element(ArrangementKind::kInformal, ArrangementKind::kCourtOrdered);
  a.frequency =
      *rc::gen::element(InstalmentFrequency::kWeekly, InstalmentFrequency::kFortnightly,
                        InstalmentFrequency::kFourWeekly, InstalmentFrequency::kCalendarMonthly);
  a.starting_balance = P(*rc::gen::inRange<int64_t>(1, 1'000'000));
  // At most ~50 instalments, so a property can walk the whole plan day by day.
  const int64_t smallest = std::max<int64_t>(1, a.starting_balance.pence() / 50);
  a.instalment = P(*rc::gen::inRange<int64_t>(smallest, a.starting_balance.pence() + 1000));
  a.agreed_on = D(2024, 1, 1).AddDays(*rc::gen::inRange(0, 1500));
  a.start = a.agreed_on.AddDays(*rc::gen::inRange(-kMaxStartBackdateDays, kMaxStartDelayDays + 1));
  a.tolerance_days = *rc::gen::inRange(0, kMaxToleranceDays + 1);
  if (*rc::gen::arbitrary<bool>()) {
    const int64_t amount = *rc::gen::inRange<int64_t>(1, a.starting_balance.pence() + 1);
    const Date earliest =
        std::max(a.agreed_on.AddDays(-kMaxStartBackdateDays), a.start.AddDays(-60));
    const Date date =
        earliest.AddDays(*rc::gen::inRange<int64_t>(0, core::DaysBetween(earliest, a.start) + 1));
    a.initial_payment = InitialPayment{P(amount), date};
  }
  RC_ASSERT(ValidateArrangement(a).ok());
  return a;
}

RC_GTEST_PROP(ArrangementProperty, ExpectedBalanceIsNeverNegativeAndNeverRises, ()) {
  const Arrangement a = RandomArrangement();
  Money previous = a.starting_balance;
  Date day = a.agreed_on.AddDays(-40);
  for (int step = 0; step < 80; ++step) {
    day = day.AddDays(*rc::gen::inRange(0, 20));
    const Money expected = *ExpectedBalance(a, day);
    RC_ASSERT(expected >= Money::Zero());
    RC_ASSERT(expected <= previous);
    previous = expected;
  }
}

// A tenant who pays the initial payment and each instalment (the last one only what is left) on
// its due date is never breached; paying each `late` days late is fine within the tolerance.
RC_GTEST_PROP(ArrangementProperty, PayingEachInstalmentWithinToleranceIsNeverABreach, ()) {
  const Arrangement a = RandomArrangement();
  const int late = *rc::gen::inRange(0, a.tolerance_days + 1);
  std::vector<std::pair<Date, int64_t>> payments;
  int64_t owed = a.starting_balance.pence();
  if (a.initial_payment) {
    payments.push_back({a.initial_payment->date.AddDays(late), a.initial_payment->amount.pence()});
    owed -= a.initial_payment->amount.pence();
  }
  for (int64_t n = 0; owed > 0; ++n) {
    const int64_t pay = std::min(owed, a.instalment.pence());
    payments.push_back({InstalmentDueDate(a, n).AddDays(late), pay});
    owed -= pay;
  }
  const Date last = payments.back().first.AddDays(10);
  for (Date day = a.agreed_on.AddDays(-kMaxStartBackdateDays); day <= last;
       day = day.AddDays(*rc::gen::inRange(1, 9))) {
    int64_t balance = a.starting_balance.pence();
    for (const auto& [paid_on, pence] : payments) {
      if (paid_on <= day) balance -= pence;
    }
    const ArrangementAssessment got = *AssessArrangement(a, P(balance), day);
    RC_ASSERT(got.state != ArrangementState::kBreached);
  }
}

// Paying the first instalment one day beyond the tolerance is a breach on the last tolerance day,
// of the kind the arrangement is.
RC_GTEST_PROP(ArrangementProperty, PayingBeyondToleranceIsABreach, ()) {
  Arrangement a = RandomArrangement();
  a.initial_payment.reset();
  const Date counted = a.start.AddDays(a.tolerance_days);
  const ArrangementAssessment got = *AssessArrangement(a, a.starting_balance, counted);
  RC_ASSERT(got.state == ArrangementState::kBreached);
  RC_ASSERT(got.breach == (a.kind == ArrangementKind::kCourtOrdered ? BreachKind::kCourtOrder
                                                                    : BreachKind::kInformalPlan));
  RC_ASSERT(AssessArrangement(a, a.starting_balance, counted.AddDays(-1))->state ==
            ArrangementState::kLive);
}

RC_GTEST_PROP(ArrangementProperty, MonthlyDueDatesKeepTheStartDayClampedToMonthEnd, ()) {
  const Date start = D(2020, 1, 1).AddDays(*rc::gen::inRange(0, 3000));
  const Arrangement a = Monthly(start);
  const int64_t n = *rc::gen::inRange(0, 240);
  const Date due = InstalmentDueDate(a, n);
  RC_ASSERT(due.day() == std::min(start.day(), core::DaysInMonth(due.year(), due.month())));
  RC_ASSERT((due.year() * 12 + due.month()) - (start.year() * 12 + start.month()) == n);
}

}  // namespace
}  // namespace rentstream::escalation
