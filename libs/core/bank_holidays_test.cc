#include "libs/core/bank_holidays.h"

#include <gtest/gtest.h>

#include <set>

namespace rentstream::core {
namespace {

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
Date Easter(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
  int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return D(y, month, day);
}

bool Weekend(Date d) { return d.weekday() >= Weekday::kSaturday; }

// The statutory pattern, computed independently of the table, with the proclaimed changes.
std::set<Date> ByRule(int y) {
  std::set<Date> out;
  Date ny = D(y, 1, 1);
  while (Weekend(ny)) ny = ny.AddDays(1);
  out.insert(ny);
  out.insert(Easter(y).AddDays(-2));
  out.insert(Easter(y).AddDays(1));
  Date early = D(y, 5, 1);
  while (early.weekday() != Weekday::kMonday) early = early.AddDays(1);
  out.insert(y == 2020 ? D(2020, 5, 8) : early);
  Date spring = D(y, 5, 31);
  while (spring.weekday() != Weekday::kMonday) spring = spring.AddDays(-1);
  if (y == 2022) {
    out.insert(D(2022, 6, 2));
    out.insert(D(2022, 6, 3));
  } else {
    out.insert(spring);
  }
  Date summer = D(y, 8, 31);
  while (summer.weekday() != Weekday::kMonday) summer = summer.AddDays(-1);
  out.insert(summer);
  Date christmas = D(y, 12, 25);
  while (Weekend(christmas)) christmas = christmas.AddDays(1);
  out.insert(christmas);
  Date boxing = D(y, 12, 26);
  while (Weekend(boxing) || out.count(boxing)) boxing = boxing.AddDays(1);
  out.insert(boxing);
  if (y == 2022) out.insert(D(2022, 9, 19));
  if (y == 2023) out.insert(D(2023, 5, 8));
  return out;
}

TEST(BankHolidaysTest, TableMatchesTheStatutoryRulesEveryYear) {
  for (int y = kFirstBankHolidayYear; y <= kLastBankHolidayYear; ++y) {
    std::set<Date> table;
    for (const BankHoliday& h : EnglandAndWalesBankHolidays()) {
      if (h.year == y) table.insert(D(h.year, h.month, h.day));
    }
    EXPECT_EQ(table, ByRule(y)) << y;
  }
}

TEST(BankHolidaysTest, TableIsSortedAndOnWeekdays) {
  auto all = EnglandAndWalesBankHolidays();
  ASSERT_GT(all.size(), 80u);
  for (size_t i = 0; i < all.size(); ++i) {
    Date d = D(all[i].year, all[i].month, all[i].day);
    EXPECT_FALSE(Weekend(d)) << d.ToIso();
    if (i > 0) {
      EXPECT_LT(D(all[i - 1].year, all[i - 1].month, all[i - 1].day), d);
    }
  }
}

TEST(BankHolidaysTest, KnowsPublishedDays) {
  EXPECT_TRUE(*IsBankHoliday(D(2022, 9, 19)));   // State Funeral
  EXPECT_TRUE(*IsBankHoliday(D(2023, 5, 8)));    // Coronation
  EXPECT_TRUE(*IsBankHoliday(D(2020, 5, 8)));    // VE Day
  EXPECT_FALSE(*IsBankHoliday(D(2020, 5, 4)));   // the Monday it replaced
  EXPECT_FALSE(*IsBankHoliday(D(2022, 5, 30)));  // moved to 2 June
  EXPECT_TRUE(*IsBankHoliday(D(2026, 12, 28)));  // Boxing Day substitute
  EXPECT_TRUE(*IsBankHoliday(D(2027, 12, 27)));
  EXPECT_TRUE(*IsBankHoliday(D(2027, 12, 28)));
  EXPECT_FALSE(*IsBankHoliday(D(2027, 12, 25)));  // a Saturday: the holiday is the Monday
  EXPECT_TRUE(*IsBankHoliday(D(2026, 4, 3)));
  EXPECT_TRUE(*IsBankHoliday(D(2026, 4, 6)));
}

TEST(WorkingDaysTest, SkipsWeekendsAndHolidays) {
  EXPECT_TRUE(*IsWorkingDay(D(2026, 11, 25)));
  EXPECT_FALSE(*IsWorkingDay(D(2026, 11, 28)));
  EXPECT_FALSE(*IsWorkingDay(D(2026, 12, 25)));
  // Thursday 24 Dec 2026 + 1 working day: Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing
  // substitute) are skipped.
  EXPECT_EQ(*AddWorkingDays(D(2026, 12, 24), 1), D(2026, 12, 29));
  EXPECT_EQ(*AddWorkingDays(D(2026, 12, 29), -1), D(2026, 12, 24));
  EXPECT_EQ(*AddWorkingDays(D(2026, 11, 27), 1), D(2026, 11, 30));
  EXPECT_EQ(*AddWorkingDays(D(2026, 11, 28), 0), D(2026, 11, 28));
  EXPECT_EQ(*AddWorkingDays(D(2026, 4, 2), 2), D(2026, 4, 8));  // over Easter
  EXPECT_EQ(*WorkingDaysBetween(D(2026, 12, 24), D(2026, 12, 29)), 1);
  EXPECT_EQ(*WorkingDaysBetween(D(2026, 12, 29), D(2026, 12, 24)), -1);
  EXPECT_EQ(*WorkingDaysBetween(D(2026, 1, 1), D(2026, 1, 1)), 0);
  // 2026 has 261 weekdays and 8 bank holidays on weekdays.
  EXPECT_EQ(*WorkingDaysBetween(D(2025, 12, 31), D(2026, 12, 31)), 253);
}

TEST(WorkingDaysTest, AddAndCountAgree) {
  for (Date d = D(2025, 1, 1); d < D(2026, 12, 1); d = d.AddDays(3)) {
    for (int n : {1, 5, 10, 28}) {
      Date later = *AddWorkingDays(d, n);
      EXPECT_EQ(*WorkingDaysBetween(d, later), n) << d.ToIso() << " +" << n;
      EXPECT_TRUE(*IsWorkingDay(later));
    }
  }
}

TEST(WorkingDaysTest, RefusesYearsItHasNoDataFor) {
  EXPECT_EQ(IsBankHoliday(D(2019, 12, 25)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(IsWorkingDay(D(2031, 1, 2)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(AddWorkingDays(D(2030, 12, 30), 5).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(WorkingDaysBetween(D(2030, 1, 1), D(2031, 1, 1)).status().code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace rentstream::core
