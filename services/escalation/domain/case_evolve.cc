// Evolve: folding the case's own events into its state (architecture §3: the state is a fold of
// the service's events, so every input the case decides on was recorded as one of them).

#include "services/escalation/domain/arrears_case.h"

namespace rentstream::escalation {
namespace {

using core::Date;

void Apply(CaseState& s, const v1::TenancyObserved& e) {
  s.set_tenancy_known(true);
  s.set_tenancy_type(e.tenancy_type());
  if (e.jurisdiction() != ledger::v1::JURISDICTION_UNSPECIFIED)
    s.set_jurisdiction(e.jurisdiction());
  s.set_patch(e.patch());
}

void Apply(CaseState& s, const v1::LedgerActivityObserved& e) {
  s.set_balance_pence(s.balance_pence() + e.balance_change().pence());
  s.set_benefit_expected_pence(s.benefit_expected_pence() + e.benefit_expected_change().pence());
  s.set_uc_expected_pence(s.uc_expected_pence() + e.uc_expected_change().pence());
  if (e.weekly_gross_rent().pence() > 0)
    s.set_weekly_gross_rent_pence(e.weekly_gross_rent().pence());
  if (e.tenancy_ended()) s.set_tenancy_ended(true);
  const std::optional<Date> value = DateOf(e.value_date());
  if (!value) return;
  const Date week = value->RentWeekStart();
  const std::optional<Date> current = DateOf(s.rent_week_start());
  if (!current || week > *current) {
    *s.mutable_rent_week_start() = ProtoDateOf(week);
    s.set_paid_this_week_pence(0);
    s.set_charged_this_week_pence(0);
  } else if (week < *current) {
    // A posting valued in an earlier week moves the balance but not this week's sums.
    if (e.payment() &&
        (!DateOf(s.last_payment_date()) || *value > *DateOf(s.last_payment_date()))) {
      *s.mutable_last_payment_date() = e.value_date();
    }
    return;
  }
  if (e.payment()) {
    s.set_paid_this_week_pence(s.paid_this_week_pence() - e.balance_change().pence());
    const std::optional<Date> last = DateOf(s.last_payment_date());
    if (!last || *value > *last) *s.mutable_last_payment_date() = e.value_date();
  } else if (e.balance_change().pence() > 0) {
    s.set_charged_this_week_pence(s.charged_this_week_pence() + e.balance_change().pence());
  }
}

void Apply(CaseState& s, const v1::CaseOpened& e) {
  s.set_open(true);
  *s.mutable_opened_on() = e.opened_on();
  const std::optional<Date> on = DateOf(e.opened_on());
  if (on) s.set_last_evaluated_day(on->days_since_epoch());
}

void Apply(CaseState& s, const v1::CaseClosed&) {
  s.set_open(false);
  s.clear_promise_by();
}

void Apply(CaseState& s, const v1::ContactRecorded& e) {
  *s.add_contacts() = e.contact();
  if (s.contacts_size() > kMaxContacts) s.mutable_contacts()->DeleteSubrange(0, 1);
}

void Apply(CaseState& s, const v1::PromiseToPayRecorded& e) {
  *s.mutable_promise_by() = e.promised_by();
}

void Apply(CaseState& s, const v1::ArrangementAgreed& e) {
  *s.mutable_arrangement() = e.arrangement();
}

void Apply(CaseState& s, const v1::ArrangementBreached& e) {
  if (s.arrangement().arrangement_id() == e.arrangement_id()) {
    s.mutable_arrangement()->set_state(v1::ARRANGEMENT_STATE_BREACHED);
  }
}

void Apply(CaseState& s, const v1::ArrangementCompleted& e) {
  if (s.arrangement().arrangement_id() == e.arrangement_id()) {
    s.mutable_arrangement()->set_state(v1::ARRANGEMENT_STATE_COMPLETED);
  }
}

void Apply(CaseState& s, const v1::ArrangementCancelled& e) {
  if (s.arrangement().arrangement_id() == e.arrangement_id()) {
    s.mutable_arrangement()->set_state(v1::ARRANGEMENT_STATE_CANCELLED);
  }
}

void Apply(CaseState& s, const v1::CasePaused& e) {
  // Keep ended pauses for a year only: the one-standard-Breathing-Space-a-year rule needs them.
  const std::optional<Date> from = DateOf(e.pause().from());
  auto* pauses = s.mutable_pauses();
  for (int i = pauses->size() - 1; i >= 0 && from; --i) {
    std::optional<Date> until = DateOf(pauses->Get(i).until());
    if (auto lifted = DateOf(pauses->Get(i).lifted_on())) until = lifted;
    if (until && core::DaysBetween(*until, *from) > 366) pauses->DeleteSubrange(i, 1);
  }
  *s.add_pauses() = e.pause();
}

void Apply(CaseState& s, const v1::CaseResumed& e) {
  for (v1::Pause& p : *s.mutable_pauses()) {
    if (p.pause_id() == e.pause_id()) *p.mutable_lifted_on() = e.resumed_on();
  }
}

void Apply(CaseState& s, const v1::CrisisTreatmentEnded& e) {
  const std::optional<Date> ended = DateOf(e.treatment_ended_on());
  for (v1::Pause& p : *s.mutable_pauses()) {
    if (p.pause_id() != e.pause_id() || !ended) continue;
    *p.mutable_treatment_ended_on() = e.treatment_ended_on();
    *p.mutable_until() =
        ProtoDateOf(ended->AddDays(PauseRules{}.mental_health_after_treatment_days));
  }
}

void Apply(CaseState& s, const v1::VulnerabilityFlagged& e) { s.set_vulnerable(e.active()); }
void Apply(CaseState& s, const v1::NoticeRecorded& e) { *s.mutable_notice() = e.notice(); }

void Apply(CaseState& s, const v1::CourtDateRecorded& e) {
  // A new hearing: the outcome of an earlier one no longer describes the case.
  s.mutable_court()->clear_outcome();
  s.mutable_court()->clear_outcome_date();
  *s.mutable_court()->mutable_court_date() = e.court_date();
}

void Apply(CaseState& s, const v1::CourtOutcomeRecorded& e) {
  s.mutable_court()->set_outcome(e.outcome());
  *s.mutable_court()->mutable_outcome_date() = e.outcome_date();
}

void Apply(CaseState& s, const v1::EvictionDateRecorded& e) {
  *s.mutable_court()->mutable_eviction_date() = e.eviction_date();
}

void Apply(CaseState& s, const v1::ActionDecided& e) {
  *s.add_decisions() = e.decision();
  if (s.decisions_size() > kMaxDecisions) s.mutable_decisions()->DeleteSubrange(0, 1);
  const std::optional<Date> on = DateOf(e.decision().decided_on());
  if (on) s.set_last_evaluated_day(on->days_since_epoch());
}

void Apply(CaseState& s, const v1::CaseReviewed& e) {
  const std::optional<Date> on = DateOf(e.reviewed_on());
  if (on) s.set_last_evaluated_day(on->days_since_epoch());
}

void Apply(CaseState& s, const v1::PolicyAdopted& e) { *s.add_adopted_policies() = e.policy(); }

void Apply(CaseState& s, const v1::StageChanged& e) { s.set_stage(e.to()); }

// Events an officer's (or another service's) command produced: the worklist filters on them.
bool IsOfficerFact(const CaseEvent& e) {
  return std::holds_alternative<v1::ContactRecorded>(e) ||
         std::holds_alternative<v1::PromiseToPayRecorded>(e) ||
         std::holds_alternative<v1::ArrangementAgreed>(e) ||
         std::holds_alternative<v1::ArrangementCancelled>(e) ||
         std::holds_alternative<v1::CasePaused>(e) || std::holds_alternative<v1::CaseResumed>(e) ||
         std::holds_alternative<v1::CrisisTreatmentEnded>(e) ||
         std::holds_alternative<v1::VulnerabilityFlagged>(e);
}

}  // namespace

void Evolve(CaseState& state, const CaseEvent& event, const std::string& actor_id) {
  std::visit([&state](const auto& e) { Apply(state, e); }, event);
  if (IsOfficerFact(event) && !actor_id.empty()) state.set_last_officer_id(actor_id);
}

}  // namespace rentstream::escalation
