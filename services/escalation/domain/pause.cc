#include "services/escalation/domain/pause.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rentstream::escalation {
namespace {

using core::Date;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("pause.", field, ": ", why));
}

absl::Status CheckText(absl::string_view field, absl::string_view text, size_t max) {
  if (text.empty() || text.size() > max) {
    return Invalid(field, absl::StrCat("must be 1 to ", max, " characters"));
  }
  return absl::OkStatus();
}

bool KnownKind(PauseKind k) {
  switch (k) {
    case PauseKind::kBreathingSpaceStandard:
    case PauseKind::kBreathingSpaceMentalHealth:
    case PauseKind::kBenefitClaimPending:
    case PauseKind::kVulnerability:
    case PauseKind::kDispute:
    case PauseKind::kDeceasedTenant:
    case PauseKind::kOfficer:
      return true;
  }
  return false;
}

// Both Breathing Space kinds are one family for overlaps: a debtor cannot be in both at once.
bool SameFamily(PauseKind a, PauseKind b) {
  return a == b || (IsBreathingSpace(a) && IsBreathingSpace(b));
}

// Applies the per-kind rules about `until`, filling in a standard Breathing Space's 60th day.
absl::Status NormalizeUntil(Pause& p, const PauseRules& rules) {
  if (p.until && *p.until < p.from) return Invalid("until", "is before from");
  switch (p.kind) {
    case PauseKind::kBreathingSpaceStandard: {
      const Date last = p.from.AddDays(rules.breathing_space_standard_days - 1);
      if (p.until && *p.until > last) {
        return Invalid(
            "until", absl::StrCat("a standard Breathing Space lasts at most ",
                                  rules.breathing_space_standard_days, " days, to ", last.ToIso()));
      }
      if (!p.until) p.until = last;
      return absl::OkStatus();
    }
    case PauseKind::kBreathingSpaceMentalHealth:
      if (p.until) {
        return Invalid("until",
                       "a mental-health crisis Breathing Space ends 30 days after the crisis "
                       "treatment; notify the treatment end instead");
      }
      return absl::OkStatus();
    case PauseKind::kOfficer:
      if (!p.until) return Invalid("until", "an officer pause needs an end date");
      if (*p.until >= p.from.AddMonths(rules.officer_pause_max_months)) {
        return Invalid("until", absl::StrCat("an officer pause lasts less than ",
                                             rules.officer_pause_max_months, " months"));
      }
      return absl::OkStatus();
    default:
      if (p.until && *p.until >= p.from.AddMonths(rules.other_pause_max_months)) {
        return Invalid("until",
                       absl::StrCat("a dated pause lasts less than ", rules.other_pause_max_months,
                                    " months; leave it open-ended instead"));
      }
      return absl::OkStatus();
  }
}

absl::StatusOr<Pause> Normalize(const PauseRequest& r, const PauseRules& rules) {
  if (auto s = CheckText("id", r.id, kMaxPauseIdLength); !s.ok()) return s;
  if (!KnownKind(r.kind)) return Invalid("kind", "unknown pause kind");
  if (auto s = CheckText("actor_id", r.actor_id, kMaxActorIdLength); !s.ok()) return s;
  if (auto s = CheckText("reason", r.reason, kMaxReasonLength); !s.ok()) return s;
  Pause p;
  p.id = r.id;
  p.kind = r.kind;
  p.actor_id = r.actor_id;
  p.reason = r.reason;
  p.from = r.from;
  p.until = r.until;
  if (auto s = NormalizeUntil(p, rules); !s.ok()) return s;
  return p;
}

bool Overlaps(const Pause& existing, const Pause& fresh) {
  const std::optional<Date> last = LastDayInForce(existing);
  if (last && *last < existing.from) return false;  // lifted before it began
  const bool fresh_ends_first = fresh.until && *fresh.until < existing.from;
  const bool existing_ends_first = last && *last < fresh.from;
  return !fresh_ends_first && !existing_ends_first;
}

// A second standard moratorium starting within 12 months of another's start, either way round.
// Measured start to start, the more lenient reading: the Insolvency Service, not the landlord,
// decides eligibility, and wrongly refusing a real moratorium would let escalation act during it.
bool TooSoonAfter(const Pause& existing, const Pause& fresh, const PauseRules& rules) {
  if (existing.kind != PauseKind::kBreathingSpaceStandard ||
      fresh.kind != PauseKind::kBreathingSpaceStandard) {
    return false;
  }
  const std::optional<Date> last = LastDayInForce(existing);
  if (last && *last < existing.from) return false;  // withdrawn before it began: never had one
  const int gap = rules.breathing_space_standard_gap_months;
  return fresh.from < existing.from.AddMonths(gap) && existing.from < fresh.from.AddMonths(gap);
}

absl::Status CheckFits(const std::vector<Pause>& book, const Pause& fresh,
                       const PauseRules& rules) {
  if (book.size() >= kMaxPausesPerBook) {
    return absl::FailedPreconditionError(
        absl::StrCat("pause: the book already holds ", kMaxPausesPerBook, " pauses"));
  }
  for (const Pause& p : book) {
    if (p.id == fresh.id) {
      return absl::AlreadyExistsError(absl::StrCat("pause.id: ", fresh.id, " is already used"));
    }
    if (TooSoonAfter(p, fresh, rules)) {
      return absl::FailedPreconditionError(
          absl::StrCat("pause.from: only one standard Breathing Space per ",
                       rules.breathing_space_standard_gap_months, " months; ", p.id, " started ",
                       p.from.ToIso()));
    }
    if (SameFamily(p.kind, fresh.kind) && Overlaps(p, fresh)) {
      return absl::FailedPreconditionError(absl::StrCat("pause.from: overlaps pause ", p.id,
                                                        " of the same kind from ", p.from.ToIso()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsBreathingSpace(PauseKind kind) {
  return kind == PauseKind::kBreathingSpaceStandard ||
         kind == PauseKind::kBreathingSpaceMentalHealth;
}

Blocked BlockedBy(PauseKind kind) {
  if (IsBreathingSpace(kind)) return Blocked::kAllEscalation | Blocked::kFeesAndInterest;
  return Blocked::kAllEscalation;
}

std::optional<Date> LastDayInForce(const Pause& p) {
  std::optional<Date> last = p.until;
  if (p.lifted_on) {
    const Date before_lift = p.lifted_on->AddDays(-1);
    last = last ? std::min(*last, before_lift) : before_lift;
  }
  return last;
}

bool InForceOn(const Pause& p, Date day) {
  const std::optional<Date> last = LastDayInForce(p);
  return p.from <= day && (!last || day <= *last);
}

absl::Status PauseBook::CheckAdd(const PauseRequest& request, const PauseRules& rules) const {
  absl::StatusOr<Pause> fresh = Normalize(request, rules);
  if (!fresh.ok()) return fresh.status();
  return CheckFits(pauses_, *fresh, rules);
}

absl::Status PauseBook::Add(const PauseRequest& request, const PauseRules& rules) {
  absl::StatusOr<Pause> fresh = Normalize(request, rules);
  if (!fresh.ok()) return fresh.status();
  if (auto s = CheckFits(pauses_, *fresh, rules); !s.ok()) return s;
  pauses_.push_back(*std::move(fresh));
  return absl::OkStatus();
}

absl::Status PauseBook::CheckLift(absl::string_view id, Date on, absl::string_view actor_id,
                                  absl::string_view reason) const {
  if (auto s = CheckText("lift.actor_id", actor_id, kMaxActorIdLength); !s.ok()) return s;
  if (auto s = CheckText("lift.reason", reason, kMaxReasonLength); !s.ok()) return s;
  const Pause* p = Find(id);
  if (p == nullptr) return absl::NotFoundError(absl::StrCat("pause.id: no pause ", id));
  if (p->lifted_on) {
    return absl::FailedPreconditionError(
        absl::StrCat("pause.id: ", id, " was already lifted on ", p->lifted_on->ToIso()));
  }
  if (!InForceOn(*p, on)) {
    return absl::FailedPreconditionError(absl::StrCat("pause.id: ", id, " is not in force on ",
                                                      on.ToIso(), " (from ", p->from.ToIso(), ")"));
  }
  return absl::OkStatus();
}

absl::Status PauseBook::Lift(absl::string_view id, Date on, absl::string_view actor_id,
                             absl::string_view reason) {
  if (auto s = CheckLift(id, on, actor_id, reason); !s.ok()) return s;
  Pause* p = FindMutable(id);
  p->lifted_on = on;
  p->lifted_by = std::string(actor_id);
  p->lift_reason = std::string(reason);
  return absl::OkStatus();
}

absl::Status PauseBook::CheckNotifyTreatmentEnded(absl::string_view id, Date treatment_ended_on,
                                                  const PauseRules&) const {
  const Pause* p = Find(id);
  if (p == nullptr) return absl::NotFoundError(absl::StrCat("pause.id: no pause ", id));
  if (p->kind != PauseKind::kBreathingSpaceMentalHealth) {
    return absl::FailedPreconditionError(
        absl::StrCat("pause.id: ", id, " is not a mental-health crisis Breathing Space"));
  }
  if (p->lifted_on || p->treatment_ended_on) {
    return absl::FailedPreconditionError(
        absl::StrCat("pause.id: ", id, " is already lifted or has its treatment end"));
  }
  if (treatment_ended_on < p->from) {
    return Invalid("treatment_ended_on",
                   absl::StrCat(treatment_ended_on.ToIso(), " is before the moratorium began ",
                                p->from.ToIso()));
  }
  return absl::OkStatus();
}

absl::Status PauseBook::NotifyTreatmentEnded(absl::string_view id, Date treatment_ended_on,
                                             const PauseRules& rules) {
  if (auto s = CheckNotifyTreatmentEnded(id, treatment_ended_on, rules); !s.ok()) return s;
  Pause* p = FindMutable(id);
  p->treatment_ended_on = treatment_ended_on;
  p->until = treatment_ended_on.AddDays(rules.mental_health_after_treatment_days);
  return absl::OkStatus();
}

std::vector<Pause> PauseBook::ActiveOn(Date day) const {
  std::vector<Pause> out;
  for (const Pause& p : pauses_) {
    if (InForceOn(p, day)) out.push_back(p);
  }
  return out;
}

Blocked PauseBook::BlockedOn(Date day) const {
  Blocked blocked = Blocked::kNone;
  for (const Pause& p : pauses_) {
    if (InForceOn(p, day)) blocked = blocked | BlockedBy(p.kind);
  }
  return blocked;
}

std::optional<Date> PauseBook::NextReviewDate(Date as_of) const {
  std::optional<Date> next;
  auto consider = [&](Date d) {
    if (d > as_of && (!next || d < *next)) next = d;
  };
  for (const Pause& p : pauses_) {
    const std::optional<Date> last = LastDayInForce(p);
    if (last && *last < p.from) continue;  // never in force
    consider(p.from);
    if (last) consider(last->AddDays(1));
  }
  return next;
}

const Pause* PauseBook::Find(absl::string_view id) const {
  for (const Pause& p : pauses_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

Pause* PauseBook::FindMutable(absl::string_view id) {
  return const_cast<Pause*>(static_cast<const PauseBook*>(this)->Find(id));
}

bool NoticeVoidForBreathingSpace(const PauseBook& book, Date served_on) {
  for (const Pause& p : book.pauses()) {
    if (IsBreathingSpace(p.kind) && InForceOn(p, served_on)) return true;
  }
  return false;
}

}  // namespace rentstream::escalation
