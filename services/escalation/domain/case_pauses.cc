// Pauses on a case (pause.h holds the rules): the case keeps them as proto Pause records; the
// decisions rebuild a PauseBook from them and ask it.

#include "absl/strings/str_cat.h"
#include "services/escalation/domain/arrears_case.h"
#include "services/escalation/domain/refusal.h"

namespace rentstream::escalation {
namespace {

using common::v1::Rejection;
using core::Date;

std::optional<PauseKind> KindOf(v1::PauseKind kind) {
  switch (kind) {
    case v1::PAUSE_KIND_BREATHING_SPACE_STANDARD:
      return PauseKind::kBreathingSpaceStandard;
    case v1::PAUSE_KIND_BREATHING_SPACE_MENTAL_HEALTH:
      return PauseKind::kBreathingSpaceMentalHealth;
    case v1::PAUSE_KIND_BENEFIT_CLAIM_PENDING:
      return PauseKind::kBenefitClaimPending;
    case v1::PAUSE_KIND_VULNERABILITY:
      return PauseKind::kVulnerability;
    case v1::PAUSE_KIND_DISPUTE:
      return PauseKind::kDispute;
    case v1::PAUSE_KIND_DECEASED:
      return PauseKind::kDeceasedTenant;
    case v1::PAUSE_KIND_OFFICER:
      return PauseKind::kOfficer;
    default:
      return std::nullopt;
  }
}

}  // namespace

PauseBook PauseBookOf(const CaseState& s) {
  PauseBook book;
  for (const v1::Pause& p : s.pauses()) {
    const std::optional<PauseKind> kind = KindOf(p.kind());
    const std::optional<Date> from = DateOf(p.from());
    if (!kind || !from) continue;
    PauseRequest request{p.pause_id(), *kind, p.actor_id(), p.reason(), *from, DateOf(p.until())};
    if (*kind == PauseKind::kBreathingSpaceMentalHealth) request.until.reset();
    // Recorded pauses were valid when decided; a rule change since must not lose them.
    if (!book.Add(request).ok()) continue;
    if (auto ended = DateOf(p.treatment_ended_on())) {
      (void)book.NotifyTreatmentEnded(p.pause_id(), *ended);
    }
    if (auto lifted = DateOf(p.lifted_on()))
      (void)book.Lift(p.pause_id(), *lifted, "recorded", "resumed");
  }
  return book;
}

CaseDecision Decide(const CaseState& s, const v1::PauseCase& c, const CommandInfo& info) {
  const std::optional<PauseKind> kind = KindOf(c.kind());
  if (!kind) return RejectionOf(absl::InvalidArgumentError("kind: not a pause kind"), "kind");
  const std::optional<Date> from = DateOf(c.from());
  if (!from) return RejectionOf(absl::InvalidArgumentError("from: is required"), "from");
  if (core::DaysBetween(info.today, *from) > 366 || core::DaysBetween(*from, info.today) > 3660) {
    return RejectionOf(absl::InvalidArgumentError("from: is more than a year ahead or ten back"),
                       "from");
  }
  if (c.has_until() && !DateOf(c.until())) {
    return RejectionOf(absl::InvalidArgumentError("until: not a calendar date"), "until");
  }
  PauseRequest request{c.pause_id(), *kind, info.actor_id, c.reason(), *from, DateOf(c.until())};
  if (*kind == PauseKind::kBreathingSpaceStandard && !request.until) {
    request.until = from->AddDays(PauseRules{}.breathing_space_standard_days - 1);
  }
  if (absl::Status st = PauseBookOf(s).CheckAdd(request); !st.ok())
    return RejectionOf(st, "pause_id");
  v1::CasePaused e;
  v1::Pause* p = e.mutable_pause();
  p->set_pause_id(c.pause_id());
  p->set_kind(c.kind());
  *p->mutable_from() = ProtoDateOf(*from);
  if (request.until) *p->mutable_until() = ProtoDateOf(*request.until);
  p->set_reason(c.reason());
  p->set_actor_id(info.actor_id);
  return std::vector<CaseEvent>{std::move(e)};
}

CaseDecision Decide(const CaseState& s, const v1::ResumeCase& c, const CommandInfo& info) {
  if (c.has_resumed_on() && !DateOf(c.resumed_on())) {
    return RejectionOf(absl::InvalidArgumentError("resumed_on: not a calendar date"), "resumed_on");
  }
  const Date on = DateOf(c.resumed_on()).value_or(info.today);
  if (absl::Status st = PauseBookOf(s).CheckLift(c.pause_id(), on, info.actor_id, c.reason());
      !st.ok()) {
    return RejectionOf(st, "pause_id");
  }
  v1::CaseResumed e;
  e.set_pause_id(c.pause_id());
  *e.mutable_resumed_on() = ProtoDateOf(on);
  e.set_reason(c.reason());
  return std::vector<CaseEvent>{std::move(e)};
}

CaseDecision Decide(const CaseState& s, const v1::NotifyCrisisTreatmentEnded& c,
                    const CommandInfo& info) {
  const std::optional<Date> ended = DateOf(c.treatment_ended_on());
  if (!ended || *ended > info.today.AddDays(366) || core::DaysBetween(*ended, info.today) > 3660) {
    return RejectionOf(absl::InvalidArgumentError("treatment_ended_on: a date within ten years"),
                       "treatment_ended_on");
  }
  if (absl::Status st = PauseBookOf(s).CheckNotifyTreatmentEnded(c.pause_id(), *ended); !st.ok()) {
    return RejectionOf(st, "pause_id");
  }
  v1::CrisisTreatmentEnded e;
  e.set_pause_id(c.pause_id());
  *e.mutable_treatment_ended_on() = c.treatment_ended_on();
  return std::vector<CaseEvent>{std::move(e)};
}

Arrangement ArrangementOf(const v1::Arrangement& a) {
  Arrangement out;
  out.kind = a.kind() == v1::ARRANGEMENT_KIND_COURT_ORDERED ? ArrangementKind::kCourtOrdered
                                                            : ArrangementKind::kInformal;
  out.starting_balance = core::Money::FromPence(a.starting_balance().pence());
  out.instalment = core::Money::FromPence(a.amount().pence());
  switch (a.frequency()) {
    case ledger::v1::FREQUENCY_FORTNIGHTLY:
      out.frequency = InstalmentFrequency::kFortnightly;
      break;
    case ledger::v1::FREQUENCY_FOUR_WEEKLY:
      out.frequency = InstalmentFrequency::kFourWeekly;
      break;
    case ledger::v1::FREQUENCY_CALENDAR_MONTHLY:
      out.frequency = InstalmentFrequency::kCalendarMonthly;
      break;
    default:
      out.frequency = InstalmentFrequency::kWeekly;
  }
  out.agreed_on = DateOf(a.agreed_date()).value_or(Date());
  out.start = DateOf(a.start_date()).value_or(out.agreed_on);
  if (a.initial_payment().pence() != 0) {
    out.initial_payment = InitialPayment{core::Money::FromPence(a.initial_payment().pence()),
                                         DateOf(a.initial_payment_date()).value_or(out.start)};
  }
  out.tolerance_days = a.tolerance_days();
  return out;
}

}  // namespace rentstream::escalation
