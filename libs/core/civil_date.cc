#include "libs/core/civil_date.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace rentstream::core {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Ymd {
  int year;
  int month;
  int day;
};

constexpr Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Ymd{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);

// Last Sunday of a month as days since the epoch.
int64_t LastSunday(int year, int month) {
  int64_t last = DaysFromCivil(year, month, DaysInMonth(year, month));
  const int64_t weekday = ((last % 7) + 7 + 3) % 7;  // 0 = Monday; 1970-01-01 was a Thursday
  return last - ((weekday + 1) % 7);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool InBst(int64_t unix_seconds) {
  const int year = CivilFromDays(FloorDiv(unix_seconds, 86400)).year;
  const int64_t start = LastSunday(year, 3) * 86400 + 3600;
  const int64_t end = LastSunday(year, 10) * 86400 + 3600;
  return unix_seconds >= start && unix_seconds < end;
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

absl::StatusOr<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999) {
    return absl::OutOfRangeError(absl::StrCat("date: year ", year, " is outside 1..9999"));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(absl::StrCat("date: month ", month, " is not 1..12"));
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError(
        absl::StrCat("date: day ", day, " does not exist in ", year, "-", month));
  }
  return Date(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

absl::StatusOr<Date> Date::Parse(absl::string_view iso) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("date: \"", iso, "\" is not an ISO date YYYY-MM-DD"));
  };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lengths[p]; ++i) {
      const char c = iso[starts[p] + i];
      if (c < '0' || c > '9') return bad();
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  return FromYmd(parts[0], parts[1], parts[2]);
}

int Date::year() const { return CivilFromDays(days_).year; }
int Date::month() const { return CivilFromDays(days_).month; }
int Date::day() const { return CivilFromDays(days_).day; }

Weekday Date::weekday() const { return static_cast<Weekday>(((days_ % 7) + 7 + 3) % 7); }

std::string Date::ToIso() const {
  const Ymd ymd = CivilFromDays(days_);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd.year, ymd.month, ymd.day);
  return buf;
}

Date Date::AddMonths(int months) const {
  const Ymd ymd = CivilFromDays(days_);
  const int64_t index = static_cast<int64_t>(ymd.year) * 12 + (ymd.month - 1) + months;
  const int year = static_cast<int>(FloorDiv(index, 12));
  const int month = static_cast<int>(index - static_cast<int64_t>(year) * 12) + 1;
  const int day = std::min(ymd.day, DaysInMonth(year, month));
  return Date(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

Date Date::RentWeekStart() const { return AddDays(-static_cast<int64_t>(weekday())); }

int MondaysInYear(int year) {
  // A year has 53 Mondays when 1 January is a Monday, or a leap year starts on a Sunday.
  const Date jan1 = Date::FromDaysSinceEpoch(DaysFromCivil(year, 1, 1));
  if (jan1.weekday() == Weekday::kMonday) return 53;
  if (IsLeapYear(year) && jan1.weekday() == Weekday::kSunday) return 53;
  return 52;
}

Date LondonDateOf(int64_t unix_seconds) {
  const int64_t local = unix_seconds + (InBst(unix_seconds) ? 3600 : 0);
  return Date::FromDaysSinceEpoch(FloorDiv(local, 86400));
}

int64_t LondonMidnight(Date date) {
  // Midnight local is 23:00 UTC the day before in summer time; transitions happen at 01:00 UTC,
  // so midnight itself is never ambiguous.
  const int64_t utc_midnight = date.days_since_epoch() * 86400;
  const int64_t candidate = utc_midnight - 3600;
  return InBst(candidate) ? candidate : utc_midnight;
}

}  // namespace rentstream::core
