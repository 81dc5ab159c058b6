#pragma once
// Civil (calendar) dates with no time zone, as days since 1970-01-01, plus the two places where
// a date meets an instant: the Europe/London calendar day of a UTC instant, and the UTC instant
// of London midnight. Rent weeks start on Monday (domain §2).

#include <compare>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rentstream::core {

enum class Weekday { kMonday = 0, kTuesday, kWednesday, kThursday, kFriday, kSaturday, kSunday };

class Date {
 public:
  // 1970-01-01, like absl::CivilDay: a value to assign over, not a meaningful default.
  constexpr Date() = default;
  // Years 1..9999 are accepted; anything else is OUT_OF_RANGE, a day that does not exist in the
  // month (2026-02-29, 2026-04-31) is INVALID_ARGUMENT.
  static absl::StatusOr<Date> FromYmd(int year, int month, int day);
  // Strict ISO 8601 calendar date "YYYY-MM-DD".
  static absl::StatusOr<Date> Parse(absl::string_view iso);
  static constexpr Date FromDaysSinceEpoch(int64_t days) { return Date(days); }

  int year() const;
  int month() const;
  int day() const;
  constexpr int64_t days_since_epoch() const { return days_; }
  Weekday weekday() const;
  std::string ToIso() const;

  Date AddDays(int64_t days) const { return Date(days_ + days); }
  // Adds calendar months; a day past the end of the target month is clamped to its last day
  // (31 Jan + 1 month = 28/29 Feb). Months may be negative.
  Date AddMonths(int months) const;
  // The Monday on or before this date: the start of its rent week.
  Date RentWeekStart() const;

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  constexpr explicit Date(int64_t days) : days_(days) {}
  int64_t days_ = 0;
};

// b - a in days (negative when b is before a).
constexpr int64_t DaysBetween(Date a, Date b) {
  return b.days_since_epoch() - a.days_since_epoch();
}

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Number of Mondays in a calendar year (52 or 53): weekly-rent years with 53 rent weeks.
int MondaysInYear(int year);

// The calendar date in Europe/London of a UTC instant (seconds since the Unix epoch), using the
// UK summer-time rule in force since 1996 (BST from 01:00 UTC on the last Sunday of March to
// 01:00 UTC on the last Sunday of October).
Date LondonDateOf(int64_t unix_seconds);
// The UTC instant (seconds since the epoch) at which the given date begins in Europe/London.
int64_t LondonMidnight(Date date);

}  // namespace rentstream::core
