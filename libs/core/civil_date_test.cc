#include "libs/core/civil_date.h"

#include <gtest/gtest.h>

namespace rentstream::core {
namespace {

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

TEST(DateTest, RoundTripsThroughDaysSinceEpoch) {
  EXPECT_EQ(D(1970, 1, 1).days_since_epoch(), 0);
  EXPECT_EQ(D(1969, 12, 31).days_since_epoch(), -1);
  EXPECT_EQ(D(2000, 3, 1).days_since_epoch(), 11017);
  for (int64_t days = -719000; days < 2900000; days += 997) {
    Date d = Date::FromDaysSinceEpoch(days);
    EXPECT_EQ(D(d.year(), d.month(), d.day()), d) << days;
  }
}

TEST(DateTest, RejectsDaysThatDoNotExist) {
  EXPECT_EQ(Date::FromYmd(2026, 2, 29).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Date::FromYmd(2028, 2, 29).ok());
  EXPECT_EQ(Date::FromYmd(1900, 2, 29).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Date::FromYmd(2000, 2, 29).ok());
  EXPECT_EQ(Date::FromYmd(2026, 4, 31).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(2026, 13, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(2026, 0, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(2026, 1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(0, 1, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Date::FromYmd(10000, 1, 1).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(DateTest, ParsesAndFormatsIso) {
  EXPECT_EQ(Date::Parse("2026-11-25")->ToIso(), "2026-11-25");
  EXPECT_EQ(*Date::Parse("0001-01-01"), D(1, 1, 1));
  for (const char* bad : {"", "2026-1-25", "2026/11/25", "26-11-25", "2026-11-2x", " 2026-11-25",
                          "2026-11-25 ", "2026-02-30", "+026-11-25", "2026-11-25T00:00"}) {
    EXPECT_FALSE(Date::Parse(bad).ok()) << bad;
  }
}

TEST(DateTest, KnowsWeekdays) {
  EXPECT_EQ(D(1970, 1, 1).weekday(), Weekday::kThursday);
  EXPECT_EQ(D(2026, 11, 25).weekday(), Weekday::kWednesday);
  EXPECT_EQ(D(2026, 11, 23).weekday(), Weekday::kMonday);
  EXPECT_EQ(D(1969, 12, 28).weekday(), Weekday::kSunday);
}

TEST(DateTest, AddsDaysAndCountsThem) {
  EXPECT_EQ(D(2026, 12, 31).AddDays(1), D(2027, 1, 1));
  EXPECT_EQ(D(2028, 2, 28).AddDays(1), D(2028, 2, 29));
  EXPECT_EQ(D(2026, 3, 1).AddDays(-1), D(2026, 2, 28));
  EXPECT_EQ(DaysBetween(D(2026, 1, 1), D(2027, 1, 1)), 365);
  EXPECT_EQ(DaysBetween(D(2028, 1, 1), D(2029, 1, 1)), 366);
  EXPECT_EQ(DaysBetween(D(2026, 5, 1), D(2026, 4, 1)), -30);
}

TEST(DateTest, AddsMonthsClampingToTheEndOfTheMonth) {
  EXPECT_EQ(D(2026, 1, 29).AddMonths(1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 1, 30).AddMonths(1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(1), D(2026, 2, 28));
  EXPECT_EQ(D(2028, 1, 29).AddMonths(1), D(2028, 2, 29));
  EXPECT_EQ(D(2028, 1, 31).AddMonths(1), D(2028, 2, 29));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(2), D(2026, 3, 31));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(3), D(2026, 4, 30));
  EXPECT_EQ(D(2026, 3, 31).AddMonths(-1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 11, 15).AddMonths(3), D(2027, 2, 15));
  EXPECT_EQ(D(2026, 1, 15).AddMonths(-1), D(2025, 12, 15));
  EXPECT_EQ(D(2026, 5, 31).AddMonths(-24), D(2024, 5, 31));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(0), D(2026, 1, 31));
  // Clamping is not carried: month by month from 31 Jan differs from adding months at once.
  EXPECT_EQ(D(2026, 1, 31).AddMonths(1).AddMonths(1), D(2026, 3, 28));
}

TEST(DateTest, RentWeeksStartOnMonday) {
  EXPECT_EQ(D(2026, 11, 25).RentWeekStart(), D(2026, 11, 23));
  EXPECT_EQ(D(2026, 11, 23).RentWeekStart(), D(2026, 11, 23));
  EXPECT_EQ(D(2026, 11, 29).RentWeekStart(), D(2026, 11, 23));
  EXPECT_EQ(D(2027, 1, 1).RentWeekStart(), D(2026, 12, 28));
  EXPECT_EQ(D(1970, 1, 1).RentWeekStart(), D(1969, 12, 29));
}

TEST(DateTest, CountsFiftyThreeMondayYears) {
  EXPECT_EQ(MondaysInYear(2024), 53);  // starts on a Monday
  EXPECT_EQ(MondaysInYear(2029), 53);
  EXPECT_EQ(MondaysInYear(2026), 52);
  EXPECT_EQ(MondaysInYear(2040), 53);  // leap year starting on a Sunday
  EXPECT_EQ(MondaysInYear(2025), 52);
  for (int y = 2000; y < 2060; ++y) {
    int mondays = 0;
    for (Date d = D(y, 1, 1); d.year() == y; d = d.AddDays(1)) {
      mondays += d.weekday() == Weekday::kMonday;
    }
    EXPECT_EQ(MondaysInYear(y), mondays) << y;
  }
}

TEST(LondonTimeTest, DatesFollowBritishSummerTime) {
  const int64_t utc_midnight = D(2026, 7, 1).days_since_epoch() * 86400;
  // 23:30 UTC on 30 June is 00:30 BST on 1 July.
  EXPECT_EQ(LondonDateOf(utc_midnight - 1800), D(2026, 7, 1));
  EXPECT_EQ(LondonDateOf(utc_midnight - 3601), D(2026, 6, 30));
  // In winter London is UTC.
  const int64_t winter = D(2026, 12, 1).days_since_epoch() * 86400;
  EXPECT_EQ(LondonDateOf(winter - 1), D(2026, 11, 30));
  EXPECT_EQ(LondonDateOf(winter), D(2026, 12, 1));
}

TEST(LondonTimeTest, HandlesTheChangeoverDays) {
  // 2026: BST starts 29 March 01:00 UTC, ends 25 October 01:00 UTC.
  EXPECT_EQ(LondonMidnight(D(2026, 3, 29)), D(2026, 3, 29).days_since_epoch() * 86400);
  EXPECT_EQ(LondonMidnight(D(2026, 3, 30)), D(2026, 3, 30).days_since_epoch() * 86400 - 3600);
  EXPECT_EQ(LondonMidnight(D(2026, 10, 25)), D(2026, 10, 25).days_since_epoch() * 86400 - 3600);
  EXPECT_EQ(LondonMidnight(D(2026, 10, 26)), D(2026, 10, 26).days_since_epoch() * 86400);
  for (Date d = D(2025, 1, 1); d < D(2028, 1, 1); d = d.AddDays(1)) {
    const int64_t m = LondonMidnight(d);
    EXPECT_EQ(LondonDateOf(m), d) << d.ToIso();
    EXPECT_EQ(LondonDateOf(m - 1), d.AddDays(-1)) << d.ToIso();
  }
}

}  // namespace
}  // namespace rentstream::core
