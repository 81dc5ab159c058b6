#pragma once
// England & Wales bank holidays 2020–2030 as data (gov.uk/bank-holidays), including the special
// days (VE Day move 2020, Platinum Jubilee 2022, the Queen's funeral 2022, the Coronation 2023),
// and a working-day calculator. Outside the covered years the answer is OUT_OF_RANGE rather than
// a guess: a notice period computed on a missing holiday would be unlawful.

#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"

namespace rentstream::core {

struct BankHoliday {
  int year;
  int month;
  int day;
  std::string_view name;
};

inline constexpr int kFirstBankHolidayYear = 2020;
inline constexpr int kLastBankHolidayYear = 2030;

// Every England & Wales bank holiday of the covered years, in date order.
std::span<const BankHoliday> EnglandAndWalesBankHolidays();

absl::StatusOr<bool> IsBankHoliday(Date date);
// Monday to Friday and not a bank holiday.
absl::StatusOr<bool> IsWorkingDay(Date date);
// The date `n` working days after `from` (n > 0) or before it (n < 0); `from` itself is not
// counted. n == 0 returns `from`.
absl::StatusOr<Date> AddWorkingDays(Date from, int n);
// Working days in the half-open range (from, to]: how many working days have elapsed from
// `from` to `to`. Negative when `to` is before `from`.
absl::StatusOr<int> WorkingDaysBetween(Date from, Date to);

}  // namespace rentstream::core
