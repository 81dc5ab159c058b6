#include "services/escalation/domain/arrangement.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace rentstream::escalation {
namespace {

using core::Date;
using core::Money;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("arrangement.", field, ": ", why));
}

int PeriodDays(InstalmentFrequency f) {
  switch (f) {
    case InstalmentFrequency::kWeekly:
      return 7;
    case InstalmentFrequency::kFortnightly:
      return 14;
    case InstalmentFrequency::kFourWeekly:
      return 28;
    case InstalmentFrequency::kCalendarMonthly:
      return 0;
  }
  return 0;
}

bool KnownFrequency(InstalmentFrequency f) {
  return f == InstalmentFrequency::kWeekly || f == InstalmentFrequency::kFortnightly ||
         f == InstalmentFrequency::kFourWeekly || f == InstalmentFrequency::kCalendarMonthly;
}

bool KnownKind(ArrangementKind k) {
  return k == ArrangementKind::kInformal || k == ArrangementKind::kCourtOrdered;
}

int64_t MonthIndex(Date d) { return int64_t{d.year()} * 12 + (d.month() - 1); }

// Instalments whose due date is on or before `last_due` (all counted by then).
int64_t InstalmentsDueBy(const Arrangement& a, Date last_due) {
  if (last_due < a.start) return 0;
  const int days = PeriodDays(a.frequency);
  if (days > 0) return core::DaysBetween(a.start, last_due) / days + 1;
  int64_t n = MonthIndex(last_due) - MonthIndex(a.start);
  if (InstalmentDueDate(a, n) > last_due) --n;  // clamping never moves a due date past its month
  return n + 1;
}

bool InitialPaymentCounted(const Arrangement& a, Date as_of) {
  return a.initial_payment && a.initial_payment->date.AddDays(a.tolerance_days) <= as_of;
}

std::optional<Date> FirstLifecycleEnd(const Arrangement& a) {
  if (a.cancelled_on && a.completed_on) return std::min(*a.cancelled_on, *a.completed_on);
  return a.cancelled_on ? a.cancelled_on : a.completed_on;
}

absl::Status ValidateAmounts(const Arrangement& a) {
  if (a.instalment <= Money::Zero() || a.instalment.pence() > kMaxInstalmentPence) {
    return Invalid("instalment", absl::StrCat("must be more than £0.00 and at most ",
                                              Money::FromPence(kMaxInstalmentPence).Format(),
                                              ", got ", a.instalment.Format()));
  }
  if (a.starting_balance <= Money::Zero() ||
      a.starting_balance.pence() > kMaxStartingBalancePence) {
    return Invalid("starting_balance",
                   absl::StrCat("must be more than £0.00 and at most ",
                                Money::FromPence(kMaxStartingBalancePence).Format(), ", got ",
                                a.starting_balance.Format()));
  }
  return absl::OkStatus();
}

absl::Status ValidateDates(const Arrangement& a) {
  if (a.start < a.agreed_on.AddDays(-kMaxStartBackdateDays)) {
    return Invalid("start", absl::StrCat(a.start.ToIso(), " is more than ", kMaxStartBackdateDays,
                                         " days before agreed_on ", a.agreed_on.ToIso()));
  }
  if (a.start > a.agreed_on.AddDays(kMaxStartDelayDays)) {
    return Invalid("start", absl::StrCat(a.start.ToIso(), " is more than ", kMaxStartDelayDays,
                                         " days after agreed_on ", a.agreed_on.ToIso()));
  }
  if (a.tolerance_days < 0 || a.tolerance_days > kMaxToleranceDays) {
    return Invalid("tolerance_days",
                   absl::StrCat(a.tolerance_days, " is outside 0..", kMaxToleranceDays));
  }
  if (a.cancelled_on && *a.cancelled_on < a.agreed_on) {
    return Invalid("cancelled_on", "is before agreed_on");
  }
  if (a.completed_on && *a.completed_on < a.agreed_on) {
    return Invalid("completed_on", "is before agreed_on");
  }
  return absl::OkStatus();
}

absl::Status ValidateInitialPayment(const Arrangement& a) {
  if (!a.initial_payment) return absl::OkStatus();
  const InitialPayment& p = *a.initial_payment;
  if (p.amount <= Money::Zero()) {
    return Invalid("initial_payment.amount", absl::StrCat(p.amount.Format(), " is not positive"));
  }
  if (p.amount > a.starting_balance) {
    return Invalid("initial_payment.amount",
                   absl::StrCat(p.amount.Format(), " is more than the starting balance ",
                                a.starting_balance.Format()));
  }
  if (p.date > a.start) {
    return Invalid("initial_payment.date",
                   absl::StrCat(p.date.ToIso(), " is after the start ", a.start.ToIso()));
  }
  if (p.date < a.agreed_on.AddDays(-kMaxStartBackdateDays)) {
    return Invalid("initial_payment.date",
                   absl::StrCat(p.date.ToIso(), " is more than ", kMaxStartBackdateDays,
                                " days before agreed_on ", a.agreed_on.ToIso()));
  }
  return absl::OkStatus();
}

// Expected balance and instalments counted, for a valid arrangement. Amounts are bounded by
// validation and the count is capped at the plan's length, so int64 pence cannot overflow.
struct Expectation {
  Money expected;
  int64_t counted = 0;
  int64_t in_plan = 0;
};

Expectation Expect(const Arrangement& a, Date as_of) {
  Expectation e;
  e.in_plan = InstalmentsInPlan(a);
  e.counted = std::min(e.in_plan, InstalmentsDueBy(a, as_of.AddDays(-a.tolerance_days)));
  int64_t pence = a.starting_balance.pence() - e.counted * a.instalment.pence();
  if (InitialPaymentCounted(a, as_of)) pence -= a.initial_payment->amount.pence();
  e.expected = Money::FromPence(std::max<int64_t>(pence, 0));
  return e;
}

std::optional<Date> NextReview(const Arrangement& a, const Expectation& e, Date as_of) {
  std::optional<Date> next;
  if (a.initial_payment && !InitialPaymentCounted(a, as_of)) {
    next = a.initial_payment->date.AddDays(a.tolerance_days);
  }
  if (e.expected > Money::Zero() && e.counted < e.in_plan) {
    const Date instalment = InstalmentDueDate(a, e.counted).AddDays(a.tolerance_days);
    next = next ? std::min(*next, instalment) : instalment;
  }
  return next;
}

}  // namespace

absl::Status ValidateArrangement(const Arrangement& a) {
  if (!KnownKind(a.kind)) return Invalid("kind", "unknown arrangement kind");
  if (!KnownFrequency(a.frequency)) return Invalid("frequency", "unknown instalment frequency");
  if (auto s = ValidateAmounts(a); !s.ok()) return s;
  if (auto s = ValidateDates(a); !s.ok()) return s;
  return ValidateInitialPayment(a);
}

Date InstalmentDueDate(const Arrangement& a, int64_t n) {
  const int days = PeriodDays(a.frequency);
  if (days > 0) return a.start.AddDays(n * days);
  return a.start.AddMonths(static_cast<int>(n));
}

int64_t InstalmentsInPlan(const Arrangement& a) {
  if (a.instalment <= Money::Zero()) return 0;
  int64_t remaining = a.starting_balance.pence();
  if (a.initial_payment) remaining -= a.initial_payment->amount.pence();
  if (remaining <= 0) return 0;
  return (remaining + a.instalment.pence() - 1) / a.instalment.pence();
}

absl::StatusOr<Money> ExpectedBalance(const Arrangement& a, Date as_of) {
  if (auto s = ValidateArrangement(a); !s.ok()) return s;
  return Expect(a, as_of).expected;
}

absl::StatusOr<ArrangementAssessment> AssessArrangement(const Arrangement& a, Money actual,
                                                        Date as_of) {
  if (auto s = ValidateArrangement(a); !s.ok()) return s;
  const Expectation e = Expect(a, as_of);
  ArrangementAssessment out;
  out.expected_balance = e.expected;
  out.instalments_due = e.counted;
  if (e.counted < e.in_plan) out.next_instalment_date = InstalmentDueDate(a, e.counted);
  if (const auto ended = FirstLifecycleEnd(a); ended && *ended <= as_of) {
    out.state = a.cancelled_on && *a.cancelled_on == *ended ? ArrangementState::kCancelled
                                                            : ArrangementState::kCompleted;
    out.next_instalment_date.reset();
    return out;
  }
  out.next_review_date = NextReview(a, e, as_of);
  const bool anything_due = e.counted > 0 || InitialPaymentCounted(a, as_of);
  if (actual <= Money::Zero()) {
    out.state = ArrangementState::kCompleted;
    out.next_review_date.reset();
    out.next_instalment_date.reset();
  } else if (anything_due && actual > e.expected) {
    out.state = ArrangementState::kBreached;
    out.breach = a.kind == ArrangementKind::kCourtOrdered ? BreachKind::kCourtOrder
                                                          : BreachKind::kInformalPlan;
    out.breached_by = Money::FromPence(actual.pence() - e.expected.pence());
  } else {
    out.state = ArrangementState::kLive;
  }
  return out;
}

}  // namespace rentstream::escalation
