#pragma once
// Payment arrangements (domain §6, §7.3): an agreement to clear arrears by regular instalments,
// informal (agreed with the officer) or court-ordered (the terms of a suspended or postponed
// possession order). Pure — no I/O, no clock: "today" is the `as_of` argument.
//
// The breach check follows Hackney's nightly ArrangementBreachDetector (domain §6):
//   expected = starting balance − initial payment (once its date + tolerance has passed)
//              − instalments counted × instalment (never below zero);
//   instalment n (0-based) is due on start + n periods and is counted once its due date +
//   tolerance has been reached (tolerance = days allowed for payments in flight, §3);
//   breached when the actual balance is above expected; completed when it is zero or in credit.
// AssessArrangement is that detector. Deliberate difference from Hackney's Ruby: calendar-monthly
// due dates are computed from the start date (start.AddMonths(n), clamped to the month's end),
// never by adding a month to the previous date, so a plan starting 31 January is due on the last
// day of every month rather than drifting to the 28th; the tolerance is then added to each.
//
// `as_of` means "at the end of that day": an instalment whose due date + tolerance is as_of is
// counted, so a payment arriving on the last tolerance day still keeps the plan live.

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"

namespace rentstream::escalation {

enum class ArrangementKind { kInformal, kCourtOrdered };
enum class InstalmentFrequency { kWeekly, kFortnightly, kFourWeekly, kCalendarMonthly };
enum class ArrangementState { kLive, kBreached, kCompleted, kCancelled };

// A broken court order leads toward a warrant, a broken informal plan to a letter (§7.3), so a
// breach says which it is.
enum class BreachKind { kNone, kInformalPlan, kCourtOrder };

// Limits that keep a command sane (TigerBeetle style: a limit on everything).
inline constexpr int kDefaultToleranceDays = 5;
inline constexpr int kMaxToleranceDays = 28;
inline constexpr int64_t kMaxInstalmentPence = 5'000'000;         // £50,000
inline constexpr int64_t kMaxStartingBalancePence = 100'000'000;  // £1,000,000
// A start may be backdated a little (the plan was agreed on the phone last week) and may begin a
// while after agreement (next pay day, the date in a court order), but not arbitrarily.
inline constexpr int kMaxStartBackdateDays = 31;
inline constexpr int kMaxStartDelayDays = 183;

struct InitialPayment {
  core::Money amount;
  core::Date date;  // on or before the arrangement's start
};

struct Arrangement {
  ArrangementKind kind = ArrangementKind::kInformal;
  // Arrears when the plan was agreed; the amount the instalments must clear.
  core::Money starting_balance;
  // By how much the arrears must fall each period, i.e. what the tenant pays on top of the rent.
  core::Money instalment;
  InstalmentFrequency frequency = InstalmentFrequency::kWeekly;
  core::Date agreed_on;
  core::Date start;  // the first instalment's due date
  std::optional<InitialPayment> initial_payment;
  // Captured from the landlord's policy when the plan is agreed, so a later policy change does
  // not retroactively breach (or rescue) existing plans and replays stay deterministic.
  int tolerance_days = kDefaultToleranceDays;
  // Lifecycle dates recorded by the case aggregate; from these days on the plan is no longer
  // assessed against the balance (a completed plan does not "re-breach" when next week's rent is
  // charged).
  std::optional<core::Date> cancelled_on;
  std::optional<core::Date> completed_on;
};

struct ArrangementAssessment {
  ArrangementState state = ArrangementState::kLive;
  core::Money expected_balance;
  int64_t instalments_due = 0;  // counted as of the assessment date, capped at the plan's length
  // Due date of the first instalment not yet counted (it may be on or before as_of while still
  // within its tolerance); none once the plan's last instalment has been counted.
  std::optional<core::Date> next_instalment_date;
  // The first day after as_of on which the expected balance changes, so the service can index the
  // case by it; none when nothing more changes with time (completed, cancelled, expected already
  // zero). Payments and charges re-trigger an assessment on their own.
  std::optional<core::Date> next_review_date;
  BreachKind breach = BreachKind::kNone;  // kNone unless state is kBreached
  core::Money breached_by;                // actual − expected when breached, otherwise zero
};

// INVALID_ARGUMENT naming the field: unknown kind or frequency, instalment not in (0, £50,000],
// starting balance not in (0, £1,000,000], start more than 31 days before or 183 days after
// agreed_on, tolerance outside 0..28, an initial payment that is not positive, exceeds the
// starting balance, falls after the start or long before agreement, lifecycle dates before
// agreed_on.
absl::Status ValidateArrangement(const Arrangement& arrangement);

// Due date of instalment `n` (0 = the start), counted from the start date so monthly plans
// never drift. Precondition: n >= 0.
core::Date InstalmentDueDate(const Arrangement& arrangement, int64_t n);

// Number of instalments needed to clear the starting balance after the initial payment.
int64_t InstalmentsInPlan(const Arrangement& arrangement);

// The expected arrears balance at the end of `as_of`. Refuses an invalid arrangement.
absl::StatusOr<core::Money> ExpectedBalance(const Arrangement& arrangement, core::Date as_of);

// The nightly breach check (domain §6) of `actual_balance` (positive = arrears) at the end of
// `as_of`. Before anything has fallen due (nothing counted yet) a plan is live whatever the
// balance, as in Hackney: there is nothing yet to have broken.
absl::StatusOr<ArrangementAssessment> AssessArrangement(const Arrangement& arrangement,
                                                        core::Money actual_balance,
                                                        core::Date as_of);

}  // namespace rentstream::escalation
