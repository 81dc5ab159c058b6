#include "services/ledger/domain/rent_schedule.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

int PeriodDays(Frequency f) {
  switch (f) {
    case Frequency::kWeekly:
      return 7;
    case Frequency::kFortnightly:
      return 14;
    case Frequency::kFourWeekly:
      return 28;
    case Frequency::kCalendarMonthly:
      return 0;
  }
  return 0;
}

int MonthIndex(Date d) { return d.year() * 12 + (d.month() - 1); }

// The start of period number `n` (0 = the anchor's).
Date NthPeriodStart(const RentSchedule& s, int64_t n) {
  const int days = PeriodDays(s.frequency);
  if (days > 0) return s.anchor.AddDays(n * days);
  return s.anchor.AddMonths(static_cast<int>(n));
}

// Number of the period containing `day` (day >= anchor).
int64_t PeriodNumber(const RentSchedule& s, Date day) {
  const int days = PeriodDays(s.frequency);
  if (days > 0) return core::DaysBetween(s.anchor, day) / days;
  int64_t n = MonthIndex(day) - MonthIndex(s.anchor);
  if (NthPeriodStart(s, n) > day) --n;
  return n;
}

const RentRate* RateOn(const RentSchedule& s, Date day) {
  const RentRate* found = nullptr;
  for (const RentRate& r : s.rates) {
    if (r.effective_from <= day) found = &r;
  }
  return found;
}

absl::StatusOr<Money> Gross(const RentRate& rate) {
  Money total;
  for (const ChargeLine& line : rate.lines) {
    auto sum = total.CheckedAdd(line.amount);
    if (!sum.ok()) return sum.status();
    total = *sum;
  }
  return total;
}

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

}  // namespace

absl::Status ValidateSchedule(const RentSchedule& s) {
  if (s.frequency != Frequency::kCalendarMonthly && s.anchor.weekday() != core::Weekday::kMonday) {
    return Invalid("anchor", absl::StrCat(s.anchor.ToIso(),
                                          " is not a Monday (rent weeks start on "
                                          "Monday)"));
  }
  if (s.rates.empty()) return Invalid("rates", "a schedule needs at least one rate");
  if (static_cast<int64_t>(s.rates.size()) > kMaxRates) {
    return Invalid("rates", absl::StrCat("more than ", kMaxRates));
  }
  if (s.rates.front().effective_from > s.anchor) {
    return Invalid("rates[0].effective_from", "the first rate must be in force at the anchor");
  }
  for (size_t i = 0; i < s.rates.size(); ++i) {
    const RentRate& rate = s.rates[i];
    const std::string field = absl::StrCat("rates[", i, "]");
    if (i > 0 && rate.effective_from <= s.rates[i - 1].effective_from) {
      return Invalid(field + ".effective_from", "rates must be in ascending date order");
    }
    if (rate.lines.empty()) return Invalid(field + ".lines", "a rate needs at least one line");
    if (static_cast<int64_t>(rate.lines.size()) > kMaxLinesPerRate) {
      return Invalid(field + ".lines", absl::StrCat("more than ", kMaxLinesPerRate));
    }
    for (size_t j = 0; j < rate.lines.size(); ++j) {
      const ChargeLine& line = rate.lines[j];
      const std::string lf = absl::StrCat(field, ".lines[", j, "]");
      if (line.code.empty() || line.code.size() > 16) {
        return Invalid(lf + ".code", "must be 1 to 16 characters");
      }
      if (line.amount.is_negative()) return Invalid(lf + ".amount", "must not be negative");
    }
    if (auto gross = Gross(rate); !gross.ok()) return Invalid(field, gross.status().message());
  }
  for (size_t i = 0; i < s.rent_free_periods.size(); ++i) {
    const Date d = s.rent_free_periods[i];
    if (d < s.anchor || NthPeriodStart(s, PeriodNumber(s, d)) != d) {
      return Invalid(absl::StrCat("rent_free_periods[", i, "]"),
                     absl::StrCat(d.ToIso(), " is not the start of a rent period"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Date> PeriodStartOn(const RentSchedule& s, Date day) {
  if (day < s.anchor) {
    return absl::NotFoundError(absl::StrCat("no rent period on ", day.ToIso(),
                                            ": the schedule starts ", s.anchor.ToIso()));
  }
  return NthPeriodStart(s, PeriodNumber(s, day));
}

absl::StatusOr<std::vector<ChargePeriod>> PeriodsStartingIn(const RentSchedule& s, Date from,
                                                            Date to) {
  if (to < from) return Invalid("to", "is before from");
  std::vector<ChargePeriod> out;
  const Date first = std::max(from, s.anchor);
  if (to < first) return out;
  int64_t n = PeriodNumber(s, first);
  if (NthPeriodStart(s, n) < first) ++n;
  for (Date start = NthPeriodStart(s, n); start <= to; start = NthPeriodStart(s, ++n)) {
    if (static_cast<int64_t>(out.size()) >= kMaxPeriodsPerQuery) {
      return Invalid(
          "to", absl::StrCat("the range holds more than ", kMaxPeriodsPerQuery, " rent periods"));
    }
    ChargePeriod p;
    p.start = start;
    p.end = NthPeriodStart(s, n + 1).AddDays(-1);
    p.rent_free = std::find(s.rent_free_periods.begin(), s.rent_free_periods.end(), start) !=
                  s.rent_free_periods.end();
    if (!p.rent_free) {
      const RentRate* rate = RateOn(s, start);
      if (rate == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("no rent rate in force on ", start.ToIso()));
      }
      p.lines = rate->lines;
      auto gross = Gross(*rate);
      if (!gross.ok()) return gross.status();
      p.total = *gross;
    }
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<Money> GrossRentOn(const RentSchedule& s, Date day) {
  const RentRate* rate = RateOn(s, day);
  if (rate == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("no rent rate in force on ", day.ToIso()));
  }
  return Gross(*rate);
}

absl::StatusOr<Money> WeeklyGrossRentOn(const RentSchedule& s, Date day) {
  auto gross = GrossRentOn(s, day);
  if (!gross.ok()) return gross.status();
  int64_t numerator = 1, denominator = 1;
  switch (s.frequency) {
    case Frequency::kWeekly:
      break;
    case Frequency::kFortnightly:
      denominator = 2;
      break;
    case Frequency::kFourWeekly:
      denominator = 4;
      break;
    case Frequency::kCalendarMonthly:
      numerator = 12;
      denominator = 52;
      break;
  }
  auto scaled = gross->CheckedMultiply(numerator);
  if (!scaled.ok()) return scaled.status();
  // Half up, in pence (gross rent is never negative).
  return Money::FromPence((scaled->pence() + denominator / 2) / denominator);
}

Date RentYearStart(int year) {
  Date d = *Date::FromYmd(year, 4, 1);
  while (d.weekday() != core::Weekday::kMonday) d = d.AddDays(1);
  return d;
}

int RentWeeksInRentYear(int year) {
  return static_cast<int>(core::DaysBetween(RentYearStart(year), RentYearStart(year + 1)) / 7);
}

}  // namespace rentstream::ledger
