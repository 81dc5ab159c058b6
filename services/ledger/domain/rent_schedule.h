#pragma once
// Rent schedules (domain §2): what a tenancy is charged, per period, from which date. Pure — no
// I/O, no clock. A schedule has a frequency and an anchor (the first period's start), dated rates
// (the annual April change is a new rate, never an edit), and rent-free periods.
//
// Weekly, fortnightly and 4-weekly periods start on Mondays counted from the anchor, so a year
// with 53 rent Mondays has 53 weekly charges: that is the tenancy's rent, and it is why Universal
// Credit (which converts weekly rent as × 52 / 12) falls short in such years. Calendar-monthly
// periods start on the anchor's day of the month, clamped to the month's end.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"

namespace rentstream::ledger {

enum class Frequency { kWeekly, kFortnightly, kFourWeekly, kCalendarMonthly };

// What a charge line is for; decides the income account it is credited to.
enum class ChargeKind { kNetRent, kServiceCharge, kOtherCharge };

struct ChargeLine {
  ChargeKind kind = ChargeKind::kNetRent;
  std::string code;    // the landlord's charge code, e.g. "RNT", "HTG" (heating), "GRD" (garden)
  core::Money amount;  // per period of the schedule's frequency
  friend bool operator==(const ChargeLine&, const ChargeLine&) = default;
};

// The charge lines in force from `effective_from` until the next rate.
struct RentRate {
  core::Date effective_from;
  std::vector<ChargeLine> lines;
};

struct RentSchedule {
  Frequency frequency = Frequency::kWeekly;
  core::Date anchor;            // start of the first period; a Monday unless calendar monthly
  std::vector<RentRate> rates;  // ascending effective_from; the first no later than the anchor
  std::vector<core::Date> rent_free_periods;  // start dates of periods charged nothing
};

// One period's charge. A rent-free period is listed with no lines and a zero total.
struct ChargePeriod {
  core::Date start;
  core::Date end;  // inclusive
  bool rent_free = false;
  std::vector<ChargeLine> lines;
  core::Money total;
};

// Limits that keep a schedule sane (and a charge run bounded).
inline constexpr int64_t kMaxLinesPerRate = 20;
inline constexpr int64_t kMaxRates = 200;
inline constexpr int64_t kMaxPeriodsPerQuery = 2000;  // ~38 years weekly

// INVALID_ARGUMENT naming the field: no rates, rates out of order or starting after the anchor,
// a week-based anchor that is not a Monday, a negative or empty line, too many lines, a rent-free
// date that is not a period start.
absl::Status ValidateSchedule(const RentSchedule& schedule);

// The period containing `day`'s start, or NOT_FOUND before the anchor.
absl::StatusOr<core::Date> PeriodStartOn(const RentSchedule& schedule, core::Date day);

// Every period that starts in [from, to], in order, charged at the rate in force on its start.
absl::StatusOr<std::vector<ChargePeriod>> PeriodsStartingIn(const RentSchedule& schedule,
                                                            core::Date from, core::Date to);

// The gross charge per period (sum of lines) of the rate in force on `day`.
absl::StatusOr<core::Money> GrossRentOn(const RentSchedule& schedule, core::Date day);

// The gross rent as a weekly amount (fortnightly / 2, 4-weekly / 4, monthly × 12 / 52, rounded
// half up to the penny): the unit "weeks of arrears" is measured in.
absl::StatusOr<core::Money> WeeklyGrossRentOn(const RentSchedule& schedule, core::Date day);

// The rent year starts on the first Monday of April; it has 52 or 53 rent Mondays.
core::Date RentYearStart(int year);
int RentWeeksInRentYear(int year);

}  // namespace rentstream::ledger
