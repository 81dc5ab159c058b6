#pragma once
// Pauses on escalation (domain §4 "Breathing Space", §5 "common pauses"): who paused, why, from
// when and until when, and what each pause blocks. Pure — no I/O, no clock.
//
// A pause never touches the balance. Rent falling due during a pause (Breathing Space included)
// is still payable and still counts in the arrears; when the pause lapses, escalation resumes on
// the whole balance, rent due during the pause included. During Breathing Space the law still
// allows pursuing arrears that arise after it starts; Rentstream conservatively blocks all arrears
// escalation for the moratorium's length instead, because telling old debt from new by hand is
// where landlords get it wrong.
//
// Dates are whole civil days. A pause is in force from `from` to its last day inclusive: the
// earlier of `until` and the day before it was lifted.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/core/civil_date.h"

namespace rentstream::escalation {

enum class PauseKind {
  kBreathingSpaceStandard,      // up to 60 days, at most one per 12 months
  kBreathingSpaceMentalHealth,  // crisis treatment + 30 days, no fixed limit
  kBenefitClaimPending,         // HB/UC claim being decided (pre-action protocol)
  kVulnerability,               // vulnerability or safeguarding work in progress
  kDispute,                     // the tenant disputes the debt
  kDeceasedTenant,              // until the estate or a successor is dealt with
  kOfficer,                     // an officer's judgement; must have an end date
};

// What a pause stops, as bits. Each escalation action the policy engine recommends maps to one.
enum class Blocked : uint32_t {
  kNone = 0,
  kDemand = 1u << 0,     // contact to demand payment: SMS, arrears and breach letters, visits
  kNotice = 1u << 1,     // serving an arrears notice (NOSP, Section 8)
  kCourt = 1u << 2,      // starting court steps (warning letter, claim); a listed hearing proceeds
  kWarrant = 1u << 3,    // applying for or enforcing a warrant or money judgment
  kDeduction = 1u << 4,  // requesting DWP third-party deductions
  kFeesAndInterest = 1u << 5,  // adding interest, fees or charges to the moratorium debt
  kAllEscalation = kDemand | kNotice | kCourt | kWarrant | kDeduction,
};

constexpr Blocked operator|(Blocked a, Blocked b) {
  return static_cast<Blocked>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b));
}
constexpr Blocked operator&(Blocked a, Blocked b) {
  return static_cast<Blocked>(static_cast<uint32_t>(a) & static_cast<uint32_t>(b));
}
// True when every bit of `what` is in `set`.
constexpr bool Blocks(Blocked set, Blocked what) {
  return what != Blocked::kNone && (set & what) == what;
}

// What a pause of `kind` blocks. Breathing Space blocks the statutory list (§4): demands,
// notices, possession applications, enforcement, deduction requests, interest and fees. The
// landlord's own pauses block every escalation step but not charges already incurred.
Blocked BlockedBy(PauseKind kind);
bool IsBreathingSpace(PauseKind kind);

// Statutory and policy figures, defaulted to the law in force since 4 May 2021. Held as data so
// the policy layer can pass dated versions rather than the code carrying constants (§ intro).
struct PauseRules {
  int breathing_space_standard_days = 60;
  int breathing_space_standard_gap_months = 12;  // one standard moratorium per 12 months
  int mental_health_after_treatment_days = 30;
  int officer_pause_max_months = 12;
  int other_pause_max_months = 24;  // a dated benefit, vulnerability or dispute pause
};

inline constexpr size_t kMaxPauseIdLength = 64;
inline constexpr size_t kMaxActorIdLength = 64;
inline constexpr size_t kMaxReasonLength = 500;
inline constexpr size_t kMaxPausesPerBook = 500;

struct PauseRequest {
  std::string id;  // chosen by the caller (e.g. the command id), unique in the book
  PauseKind kind = PauseKind::kOfficer;
  std::string actor_id;  // who
  std::string reason;    // why
  core::Date from;
  // Last day in force, inclusive. Required for officer pauses; defaulted to the 60th day for a
  // standard Breathing Space; must be empty for a mental-health one (it is set when the end of
  // the crisis treatment is notified).
  std::optional<core::Date> until;
};

struct Pause {
  std::string id;
  PauseKind kind = PauseKind::kOfficer;
  std::string actor_id;
  std::string reason;
  core::Date from;
  std::optional<core::Date> until;               // inclusive; none = open-ended
  std::optional<core::Date> treatment_ended_on;  // mental-health Breathing Space only
  std::optional<core::Date> lifted_on;           // first day no longer in force
  std::string lifted_by;
  std::string lift_reason;
};

// The last day `pause` is in force, or none while it is open-ended.
std::optional<core::Date> LastDayInForce(const Pause& pause);
bool InForceOn(const Pause& pause, core::Date day);

// A tenancy's pauses, past and present (kept: the 12-month rule and void notices look back).
// Every mutation is all-or-nothing: a refused one leaves the book unchanged, so a decider can call
// the Check* method and an evolver the mutating one with the same arguments.
class PauseBook {
 public:
  // INVALID_ARGUMENT naming the field (empty or long id/actor/reason, until before from, a
  // standard Breathing Space over 60 days, an officer pause without an end or over 12 months, an
  // until on a mental-health Breathing Space); ALREADY_EXISTS for a reused id;
  // FAILED_PRECONDITION for an overlap with a pause of the same kind (both Breathing Space kinds
  // count as one: a debtor cannot be in both), a second standard Breathing Space starting within
  // 12 months of the previous one's start, or a full book.
  absl::Status CheckAdd(const PauseRequest& request, const PauseRules& rules = {}) const;
  absl::Status Add(const PauseRequest& request, const PauseRules& rules = {});

  // Ends a pause from the start of `on`. INVALID_ARGUMENT for an empty or long actor or reason;
  // NOT_FOUND for an unknown id; FAILED_PRECONDITION when the pause was already lifted or is not
  // in force on `on` (lapsed, or not yet started).
  absl::Status CheckLift(absl::string_view id, core::Date on, absl::string_view actor_id,
                         absl::string_view reason) const;
  absl::Status Lift(absl::string_view id, core::Date on, absl::string_view actor_id,
                    absl::string_view reason);

  // Sets a mental-health Breathing Space's last day to `treatment_ended_on` + 30 days.
  // FAILED_PRECONDITION unless it is a mental-health Breathing Space, not lifted, with no end
  // notified yet; INVALID_ARGUMENT when the treatment ended before the moratorium began.
  absl::Status CheckNotifyTreatmentEnded(absl::string_view id, core::Date treatment_ended_on,
                                         const PauseRules& rules = {}) const;
  absl::Status NotifyTreatmentEnded(absl::string_view id, core::Date treatment_ended_on,
                                    const PauseRules& rules = {});

  std::vector<Pause> ActiveOn(core::Date day) const;
  // The union of what the pauses in force on `day` block.
  Blocked BlockedOn(core::Date day) const;
  // The first day after `as_of` on which the set of pauses in force changes (one lapses or one
  // starts): the date the service must re-evaluate the case, when escalation resumes with the rent
  // due during the pause. None when nothing will change by itself (only open-ended pauses).
  std::optional<core::Date> NextReviewDate(core::Date as_of) const;

  const Pause* Find(absl::string_view id) const;
  const std::vector<Pause>& pauses() const { return pauses_; }

 private:
  Pause* FindMutable(absl::string_view id);
  std::vector<Pause> pauses_;  // in the order added
};

// A notice served while any Breathing Space was in force is void (§4, §7.4), even if the
// moratorium was lifted or notified to the landlord afterwards.
bool NoticeVoidForBreathingSpace(const PauseBook& book, core::Date served_on);

}  // namespace rentstream::escalation
