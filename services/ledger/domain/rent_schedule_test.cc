#include "services/ledger/domain/rent_schedule.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "absl/strings/match.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
Money P(int64_t pence) { return Money::FromPence(pence); }

RentSchedule Weekly(Date anchor) {
  RentSchedule s;
  s.frequency = Frequency::kWeekly;
  s.anchor = anchor;
  s.rates = {
      {anchor,
       {{ChargeKind::kNetRent, "RNT", P(10000)}, {ChargeKind::kServiceCharge, "HTG", P(1050)}}}};
  return s;
}

TEST(RentScheduleTest, WeeklyChargesEveryMondayFromTheAnchor) {
  RentSchedule s = Weekly(D(2026, 4, 6));
  ASSERT_TRUE(ValidateSchedule(s).ok());
  auto periods = PeriodsStartingIn(s, D(2026, 4, 1), D(2026, 4, 30));
  ASSERT_TRUE(periods.ok()) << periods.status();
  ASSERT_EQ(periods->size(), 4u);  // 6, 13, 20, 27 April
  EXPECT_EQ((*periods)[0].start, D(2026, 4, 6));
  EXPECT_EQ((*periods)[0].end, D(2026, 4, 12));
  EXPECT_EQ((*periods)[3].start, D(2026, 4, 27));
  for (const ChargePeriod& p : *periods) {
    EXPECT_EQ(p.total, P(11050));
    EXPECT_EQ(p.lines.size(), 2u);
    EXPECT_FALSE(p.rent_free);
  }
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 4, 15)), D(2026, 4, 13));
  EXPECT_EQ(PeriodStartOn(s, D(2026, 4, 5)).status().code(), absl::StatusCode::kNotFound);
}

TEST(RentScheduleTest, FiftyThreeMondayRentYearsChargeFiftyThreeWeeks) {
  EXPECT_EQ(RentYearStart(2024), D(2024, 4, 1));
  EXPECT_EQ(RentYearStart(2025), D(2025, 4, 7));
  EXPECT_EQ(RentYearStart(2026), D(2026, 4, 6));
  EXPECT_EQ(RentWeeksInRentYear(2024), 53);
  EXPECT_EQ(RentWeeksInRentYear(2025), 52);
  EXPECT_EQ(RentWeeksInRentYear(2019), 53);
  RentSchedule s = Weekly(D(2024, 4, 1));
  auto year = PeriodsStartingIn(s, RentYearStart(2024), RentYearStart(2025).AddDays(-1));
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->size(), 53u);
}

TEST(RentScheduleTest, DatedRateChangesApplyFromTheirDate) {
  RentSchedule s = Weekly(D(2025, 4, 7));
  s.rates.push_back(
      {D(2026, 4, 6),
       {{ChargeKind::kNetRent, "RNT", P(10700)}, {ChargeKind::kServiceCharge, "HTG", P(1100)}}});
  ASSERT_TRUE(ValidateSchedule(s).ok());
  auto periods = PeriodsStartingIn(s, D(2026, 3, 23), D(2026, 4, 13));
  ASSERT_TRUE(periods.ok());
  ASSERT_EQ(periods->size(), 4u);
  EXPECT_EQ((*periods)[1].start, D(2026, 3, 30));
  EXPECT_EQ((*periods)[1].total, P(11050));
  EXPECT_EQ((*periods)[2].start, D(2026, 4, 6));
  EXPECT_EQ((*periods)[2].total, P(11800));
  EXPECT_EQ(*GrossRentOn(s, D(2026, 4, 5)), P(11050));
  EXPECT_EQ(*GrossRentOn(s, D(2026, 4, 6)), P(11800));
}

TEST(RentScheduleTest, RentFreeWeeksAreListedButChargeNothing) {
  RentSchedule s = Weekly(RentYearStart(2026));
  // A 50-week landlord: the two weeks from Monday 21 December are free.
  s.rent_free_periods = {D(2026, 12, 21), D(2026, 12, 28)};
  ASSERT_TRUE(ValidateSchedule(s).ok());
  auto year = PeriodsStartingIn(s, RentYearStart(2026), RentYearStart(2027).AddDays(-1));
  ASSERT_TRUE(year.ok());
  ASSERT_EQ(year->size(), 52u);
  int64_t charged = 0;
  int free = 0;
  for (const ChargePeriod& p : *year) {
    charged += p.total.pence();
    if (p.rent_free) {
      ++free;
      EXPECT_TRUE(p.lines.empty());
      EXPECT_EQ(p.total, Money::Zero());
    }
  }
  EXPECT_EQ(free, 2);
  EXPECT_EQ(charged, 50 * 11050);
}

TEST(RentScheduleTest, FortnightlyAndFourWeeklyCountFromTheAnchor) {
  RentSchedule s = Weekly(D(2026, 1, 5));
  s.frequency = Frequency::kFortnightly;
  auto fortnights = PeriodsStartingIn(s, D(2026, 1, 6), D(2026, 2, 28));
  ASSERT_TRUE(fortnights.ok());
  ASSERT_EQ(fortnights->size(), 3u);  // 19 Jan, 2 Feb, 16 Feb; 5 Jan is before `from`
  EXPECT_EQ((*fortnights)[0].start, D(2026, 1, 19));
  EXPECT_EQ((*fortnights)[0].end, D(2026, 2, 1));
  s.frequency = Frequency::kFourWeekly;
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 3, 1)), D(2026, 2, 2));
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 3, 2)), D(2026, 3, 2));
}

TEST(RentScheduleTest, CalendarMonthlyClampsToTheEndOfShortMonths) {
  RentSchedule s;
  s.frequency = Frequency::kCalendarMonthly;
  s.anchor = D(2026, 1, 31);
  s.rates = {{D(2026, 1, 1), {{ChargeKind::kNetRent, "RNT", P(43333)}}}};
  ASSERT_TRUE(ValidateSchedule(s).ok());
  auto months = PeriodsStartingIn(s, D(2026, 1, 1), D(2026, 5, 31));
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->size(), 5u);
  EXPECT_EQ((*months)[0].start, D(2026, 1, 31));
  EXPECT_EQ((*months)[1].start, D(2026, 2, 28));
  EXPECT_EQ((*months)[1].end, D(2026, 3, 30));
  EXPECT_EQ((*months)[2].start, D(2026, 3, 31));
  EXPECT_EQ((*months)[3].start, D(2026, 4, 30));
  EXPECT_EQ((*months)[4].start, D(2026, 5, 31));
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 3, 15)), D(2026, 2, 28));
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 3, 30)), D(2026, 2, 28));
  EXPECT_EQ(*PeriodStartOn(s, D(2026, 3, 31)), D(2026, 3, 31));
}

TEST(RentScheduleTest, WeeklyEquivalentRoundsHalfUp) {
  RentSchedule s;
  s.frequency = Frequency::kCalendarMonthly;
  s.anchor = D(2026, 1, 1);
  s.rates = {{D(2026, 1, 1), {{ChargeKind::kNetRent, "RNT", P(43333)}}}};
  EXPECT_EQ(*WeeklyGrossRentOn(s, D(2026, 2, 1)), P(10000));  // 433.33 × 12 / 52 = 99.999
  s = Weekly(D(2026, 1, 5));
  s.frequency = Frequency::kFortnightly;
  s.rates[0].lines = {{ChargeKind::kNetRent, "RNT", P(201)}};
  EXPECT_EQ(*WeeklyGrossRentOn(s, D(2026, 1, 5)), P(101));  // 100.5p → 101p
  s.frequency = Frequency::kFourWeekly;
  s.rates[0].lines = {{ChargeKind::kNetRent, "RNT", P(40000)}};
  EXPECT_EQ(*WeeklyGrossRentOn(s, D(2026, 1, 5)), P(10000));
  EXPECT_EQ(WeeklyGrossRentOn(s, D(2025, 1, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RentScheduleTest, BadSchedulesAreRefusedNamingTheField) {
  struct Case {
    std::function<void(RentSchedule&)> edit;
    const char* field;
  };
  const Case cases[] = {
      {[](RentSchedule& s) { s.anchor = D(2026, 4, 7); }, "anchor"},
      {[](RentSchedule& s) { s.rates.clear(); }, "rates"},
      {[](RentSchedule& s) { s.rates[0].effective_from = D(2026, 4, 7); },
       "rates[0].effective_from"},
      {[](RentSchedule& s) {
         s.rates.push_back({D(2026, 4, 6), s.rates[0].lines});
       },
       "rates[1].effective_from"},
      {[](RentSchedule& s) { s.rates[0].lines.clear(); }, "rates[0].lines"},
      {[](RentSchedule& s) { s.rates[0].lines[1].amount = P(-1); }, "rates[0].lines[1].amount"},
      {[](RentSchedule& s) { s.rates[0].lines[0].code = ""; }, "rates[0].lines[0].code"},
      {[](RentSchedule& s) { s.rent_free_periods = {D(2026, 4, 8)}; }, "rent_free_periods[0]"},
      {[](RentSchedule& s) { s.rent_free_periods = {D(2026, 3, 30)}; }, "rent_free_periods[0]"},
      {[](RentSchedule& s) {
         s.rates[0].lines = {{ChargeKind::kNetRent, "A", P(std::numeric_limits<int64_t>::max())},
                             {ChargeKind::kNetRent, "B", P(1)}};
       },
       "rates[0]"},
  };
  for (const Case& c : cases) {
    RentSchedule s = Weekly(D(2026, 4, 6));
    c.edit(s);
    absl::Status st = ValidateSchedule(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StartsWith(st.message(), std::string(c.field) + ":")) << st;
  }
}

TEST(RentScheduleTest, QueriesAreBounded) {
  RentSchedule s = Weekly(D(2026, 4, 6));
  EXPECT_EQ(PeriodsStartingIn(s, D(2026, 5, 1), D(2026, 4, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PeriodsStartingIn(s, D(2026, 4, 6), D(2070, 1, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto before = PeriodsStartingIn(s, D(2026, 1, 1), D(2026, 4, 5));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
}

}  // namespace
}  // namespace rentstream::ledger
