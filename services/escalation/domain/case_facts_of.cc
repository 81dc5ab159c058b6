// The policy's view of a case (policy/case_facts.h) built from the case state.

#include "services/escalation/domain/case_review.h"

namespace rentstream::escalation {
namespace {

namespace pol = ::rentstream::escalation::policy;
using core::Date;
using core::Money;

pol::TenancyType TenancyTypeOf(const CaseState& s) {
  if (s.jurisdiction() == ledger::v1::JURISDICTION_WALES) {
    return s.tenancy_type() == ledger::v1::TENANCY_TYPE_SECURE
               ? pol::TenancyType::kWalesSecureContract
               : pol::TenancyType::kWalesStandardContract;
  }
  if (s.jurisdiction() == ledger::v1::JURISDICTION_SCOTLAND) {
    return pol::TenancyType::kScottishSecure;
  }
  switch (s.tenancy_type()) {
    case ledger::v1::TENANCY_TYPE_ASSURED:
      return pol::TenancyType::kAssured;
    case ledger::v1::TENANCY_TYPE_STARTER:
      return pol::TenancyType::kStarter;
    case ledger::v1::TENANCY_TYPE_LICENCE:
      return pol::TenancyType::kLicence;
    default:
      return pol::TenancyType::kSecure;
  }
}

pol::Channel ChannelOf(v1::Channel c) {
  switch (c) {
    case v1::CHANNEL_SMS:
      return pol::Channel::kSms;
    case v1::CHANNEL_EMAIL:
      return pol::Channel::kEmail;
    case v1::CHANNEL_PHONE:
      return pol::Channel::kPhone;
    case v1::CHANNEL_VISIT:
      return pol::Channel::kVisit;
    default:
      return pol::Channel::kLetter;
  }
}

pol::CourtOutcome OutcomeOf(v1::CourtOutcome o, bool secure) {
  switch (o) {
    case v1::COURT_OUTCOME_ADJOURNED:
      return pol::CourtOutcome::kAdjourned;
    case v1::COURT_OUTCOME_ADJOURNED_ON_TERMS:
      return pol::CourtOutcome::kAdjournedOnTerms;
    case v1::COURT_OUTCOME_DISMISSED:
      return pol::CourtOutcome::kDismissed;
    case v1::COURT_OUTCOME_SUSPENDED_ORDER:
      return secure ? pol::CourtOutcome::kPostponedPossession
                    : pol::CourtOutcome::kSuspendedPossession;
    case v1::COURT_OUTCOME_OUTRIGHT_FORTHWITH:
      return pol::CourtOutcome::kOutrightForthwith;
    case v1::COURT_OUTCOME_OUTRIGHT_DATED:
      return pol::CourtOutcome::kOutrightDated;
    case v1::COURT_OUTCOME_MONEY_JUDGMENT:
      return pol::CourtOutcome::kMoneyJudgment;
    default:
      return pol::CourtOutcome::kNone;
  }
}

pol::NoticeKind NoticeOf(v1::NoticeKind k) {
  switch (k) {
    case v1::NOTICE_KIND_NOSP:
      return pol::NoticeKind::kNosp;
    case v1::NOTICE_KIND_SECTION_8:
      return pol::NoticeKind::kSection8;
    case v1::NOTICE_KIND_WALES_POSSESSION:
      return pol::NoticeKind::kWalesPossession;
    case v1::NOTICE_KIND_SCOTLAND_PROCEEDINGS:
      return pol::NoticeKind::kScotlandProceedings;
    default:
      return pol::NoticeKind::kNone;
  }
}

pol::ArrangementStatus StatusOf(v1::ArrangementState s) {
  switch (s) {
    case v1::ARRANGEMENT_STATE_LIVE:
      return pol::ArrangementStatus::kLive;
    case v1::ARRANGEMENT_STATE_BREACHED:
      return pol::ArrangementStatus::kBreached;
    case v1::ARRANGEMENT_STATE_COMPLETED:
      return pol::ArrangementStatus::kCompleted;
    case v1::ARRANGEMENT_STATE_CANCELLED:
      return pol::ArrangementStatus::kCancelled;
    default:
      return pol::ArrangementStatus::kNone;
  }
}

pol::PauseReason ReasonOf(PauseKind k) {
  switch (k) {
    case PauseKind::kBreathingSpaceStandard:
      return pol::PauseReason::kBreathingSpace;
    case PauseKind::kBreathingSpaceMentalHealth:
      return pol::PauseReason::kMentalHealthCrisis;
    case PauseKind::kBenefitClaimPending:
      return pol::PauseReason::kBenefitClaimPending;
    case PauseKind::kVulnerability:
      return pol::PauseReason::kVulnerability;
    case PauseKind::kDispute:
      return pol::PauseReason::kDispute;
    case PauseKind::kDeceasedTenant:
      return pol::PauseReason::kDeceased;
    default:
      return pol::PauseReason::kOfficer;
  }
}

}  // namespace

pol::CaseFacts FactsOf(const CaseState& s, Date today) { return FactsOf(s, today, PauseBookOf(s)); }

pol::CaseFacts FactsOf(const CaseState& s, Date today, const PauseBook& pauses) {
  pol::CaseFacts f;
  f.today = today;
  f.jurisdiction = s.jurisdiction() == ledger::v1::JURISDICTION_WALES ? pol::Jurisdiction::kWales
                   : s.jurisdiction() == ledger::v1::JURISDICTION_SCOTLAND
                       ? pol::Jurisdiction::kScotland
                       : pol::Jurisdiction::kEngland;
  f.tenancy_type = TenancyTypeOf(s);
  const CasePosition p = PositionOn(s, today);
  f.balance = p.balance;
  f.tenant_owed_arrears = p.tenant_owed;
  f.benefit_expected = p.benefit_expected;
  f.uc_awaited = p.uc_expected;
  f.collectable_arrears = p.collectable;
  f.weekly_rent = p.weekly_gross_rent;
  f.payments_this_week = p.payments_this_week;
  f.last_payment_date = DateOf(s.last_payment_date());

  bool latest_letter_failed = false;
  f.contacts.reserve(s.contacts_size());
  for (const v1::Contact& c : s.contacts()) {
    const std::optional<Date> date = DateOf(c.date());
    if (!date) continue;
    // An unknown code counts as "other" (Find, not ParseCode: no error message to build).
    const int code = pol::ContactKindCodes().Find(c.kind());
    const pol::ContactKind kind =
        code >= 0 ? static_cast<pol::ContactKind>(code) : pol::ContactKind::kOther;
    const bool failed = c.outcome() == v1::CONTACT_OUTCOME_FAILED;
    f.contacts.push_back({kind, ChannelOf(c.channel()), *date, failed});
    if (c.channel() == v1::CHANNEL_LETTER) latest_letter_failed = failed;
    if (kind == pol::ContactKind::kCourtWarningLetter && !failed) f.court.warning_sent = date;
    if (kind == pol::ContactKind::kWarrantApplied) f.warrant.applied = date;
  }
  f.latest_letter_failed_validation = latest_letter_failed;

  f.notice.kind = NoticeOf(s.notice().kind());
  f.notice.served = DateOf(s.notice().served_date());
  f.court.hearing_date = DateOf(s.court().court_date());
  f.court.outcome =
      OutcomeOf(s.court().outcome(), s.tenancy_type() == ledger::v1::TENANCY_TYPE_SECURE);
  f.court.outcome_date = DateOf(s.court().outcome_date());
  f.eviction_date = DateOf(s.court().eviction_date());

  const v1::Arrangement& a = s.arrangement();
  if (a.state() != v1::ARRANGEMENT_STATE_UNSPECIFIED) {
    f.arrangement.kind = a.kind() == v1::ARRANGEMENT_KIND_COURT_ORDERED
                             ? pol::ArrangementKind::kCourtOrdered
                             : pol::ArrangementKind::kInformal;
    f.arrangement.status = StatusOf(a.state());
    f.arrangement.start = DateOf(a.start_date());
  }
  for (const Pause& pause : pauses.ActiveOn(today)) {
    pol::Pause& slot = f.pauses[static_cast<int>(ReasonOf(pause.kind))];
    slot.active = true;
    slot.until = LastDayInForce(pause);
  }
  f.vulnerable = s.vulnerable();
  return f;
}

}  // namespace rentstream::escalation
