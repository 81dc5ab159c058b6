#include "services/escalation/domain/arrears_case.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/escalation/domain/refusal.h"
#include "services/escalation/policy/case_facts.h"

namespace rentstream::escalation {
namespace {

using common::v1::Rejection;
using core::Date;
using core::Money;

// arrangement.h names fields of its Arrangement; the command's names differ.
Rejection ArrangementRejection(const absl::Status& st, bool nothing_owed) {
  if (nothing_owed)
    return Precondition("arrangement_id", "nothing is owed: no arrangement to agree");
  static const std::pair<const char*, const char*> kFields[] = {
      {"arrangement.instalment", "amount.pence"},
      {"arrangement.start", "start_date"},
      {"arrangement.initial_payment.date", "initial_payment_date"},
      {"arrangement.initial_payment", "initial_payment.pence"},
      {"arrangement.tolerance_days", "tolerance_days"},
      {"arrangement.starting_balance", "arrangement_id"},
  };
  const std::string message(st.message());
  const size_t colon = message.find(": ");
  const std::string field = colon == std::string::npos ? "" : message.substr(0, colon);
  const std::string reason = colon == std::string::npos ? message : message.substr(colon + 2);
  for (const auto& [from, to] : kFields) {
    if (field.rfind(from, 0) == 0) return Invalid(to, reason);
  }
  return Invalid(field.empty() ? "arrangement_id" : field, reason);
}

CaseDecision One(CaseEvent event) { return std::vector<CaseEvent>{std::move(event)}; }

// A required date field: set, a real calendar date, and not absurdly far from today.
std::variant<Date, Rejection> RequiredDate(const common::v1::Date& d, const std::string& field,
                                           Date today) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return Invalid(field, "is required");
  auto date = Date::FromYmd(d.year(), d.month(), d.day());
  if (!date.ok()) return Invalid(field, "not a calendar date");
  if (core::DaysBetween(*date, today) > 366 * 10 || core::DaysBetween(today, *date) > 366 * 5) {
    return Invalid(field, absl::StrCat("is too far from the business date ", today.ToIso()));
  }
  return *date;
}

std::optional<Rejection> CheckText(const std::string& text, const std::string& field,
                                   bool required) {
  if (required && text.empty()) return Invalid(field, "is required");
  if (text.size() > kMaxTextLength) {
    return Invalid(field, absl::StrCat("is longer than ", kMaxTextLength, " characters"));
  }
  return std::nullopt;
}

bool IsLive(const v1::Arrangement& a) {
  return a.state() == v1::ARRANGEMENT_STATE_LIVE || a.state() == v1::ARRANGEMENT_STATE_BREACHED;
}

}  // namespace

std::optional<Date> DateOf(const common::v1::Date& d) {
  if (d.year() == 0) return std::nullopt;
  auto date = Date::FromYmd(d.year(), d.month(), d.day());
  if (!date.ok()) return std::nullopt;
  return *date;
}

common::v1::Date ProtoDateOf(Date date) {
  common::v1::Date d;
  d.set_year(date.year());
  d.set_month(date.month());
  d.set_day(date.day());
  return d;
}

CaseDecision Decide(const CaseState&, const v1::RecordContact& c, const CommandInfo& info) {
  const v1::Contact& contact = c.contact();
  if (auto r = CheckText(contact.kind(), "contact.kind", true)) return *r;
  if (policy::ContactKindCodes().Find(contact.kind()) < 0) {
    return Invalid("contact.kind",
                   absl::StrCat("unknown contact kind \"", contact.kind(), "\" (expected ",
                                policy::ContactKindCodes().List(), ")"));
  }
  if (contact.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(contact.channel())) {
    return Invalid("contact.channel", "must be sms, letter, email, phone or visit");
  }
  if (contact.outcome() == v1::CONTACT_OUTCOME_UNSPECIFIED ||
      !v1::ContactOutcome_IsValid(contact.outcome())) {
    return Invalid("contact.outcome", "must be delivered or failed");
  }
  auto date = RequiredDate(contact.date(), "contact.date", info.today);
  if (auto* r = std::get_if<Rejection>(&date)) return *r;
  if (std::get<Date>(date) > info.today) return Invalid("contact.date", "is in the future");
  if (auto r = CheckText(contact.note(), "contact.note", false)) return *r;
  v1::ContactRecorded e;
  *e.mutable_contact() = contact;
  return One(e);
}

CaseDecision Decide(const CaseState&, const v1::RecordPromiseToPay& c, const CommandInfo& info) {
  if (c.amount().pence() <= 0) return Invalid("amount.pence", "must be positive");
  if (c.amount().pence() > kMaxInstalmentPence) return Invalid("amount.pence", "is absurd");
  auto by = RequiredDate(c.promised_by(), "promised_by", info.today);
  if (auto* r = std::get_if<Rejection>(&by)) return *r;
  if (std::get<Date>(by) < info.today) return Invalid("promised_by", "is in the past");
  v1::PromiseToPayRecorded e;
  *e.mutable_amount() = c.amount();
  *e.mutable_promised_by() = c.promised_by();
  *e.mutable_recorded_on() = ProtoDateOf(info.today);
  return One(e);
}

CaseDecision Decide(const CaseState& s, const v1::AgreeArrangement& c, const CommandInfo& info) {
  if (auto r = CheckText(c.arrangement_id(), "arrangement_id", true)) return *r;
  if (c.kind() != v1::ARRANGEMENT_KIND_INFORMAL && c.kind() != v1::ARRANGEMENT_KIND_COURT_ORDERED) {
    return Invalid("kind", "must be informal or court_ordered");
  }
  if (c.frequency() == ledger::v1::FREQUENCY_UNSPECIFIED ||
      !ledger::v1::Frequency_IsValid(c.frequency())) {
    return Invalid("frequency", "must be weekly, fortnightly, four_weekly or calendar_monthly");
  }
  auto start = RequiredDate(c.start_date(), "start_date", info.today);
  if (auto* r = std::get_if<Rejection>(&start)) return *r;
  if (c.initial_payment().pence() != 0) {
    auto initial = RequiredDate(c.initial_payment_date(), "initial_payment_date", info.today);
    if (auto* r = std::get_if<Rejection>(&initial)) return *r;
  }
  if (s.arrangement().arrangement_id() == c.arrangement_id()) {
    return Refuse(common::v1::REJECTION_CODE_ALREADY_EXISTS, "arrangement_id",
                  "an arrangement with this id was already agreed");
  }
  if (IsLive(s.arrangement())) {
    return Precondition("arrangement_id",
                        absl::StrCat("arrangement ", s.arrangement().arrangement_id(),
                                     " is still live: cancel it first"));
  }
  v1::ArrangementAgreed e;
  v1::Arrangement* a = e.mutable_arrangement();
  a->set_arrangement_id(c.arrangement_id());
  a->set_kind(c.kind());
  *a->mutable_amount() = c.amount();
  a->set_frequency(c.frequency());
  *a->mutable_start_date() = c.start_date();
  *a->mutable_initial_payment() = c.initial_payment();
  *a->mutable_initial_payment_date() = c.initial_payment_date();
  // The whole debt when agreed; assessments then allow this week's rent to be paid this week.
  a->mutable_starting_balance()->set_pence(s.balance_pence());
  a->set_tolerance_days(c.tolerance_days() > 0 ? c.tolerance_days() : kDefaultToleranceDays);
  a->set_state(v1::ARRANGEMENT_STATE_LIVE);
  *a->mutable_agreed_date() = ProtoDateOf(info.today);
  if (absl::Status st = ValidateArrangement(ArrangementOf(*a)); !st.ok()) {
    return ArrangementRejection(st, s.balance_pence() <= 0);
  }
  return One(e);
}

CaseDecision Decide(const CaseState& s, const v1::CancelArrangement& c, const CommandInfo& info) {
  if (c.arrangement_id() != s.arrangement().arrangement_id() || c.arrangement_id().empty()) {
    return Refuse(common::v1::REJECTION_CODE_NOT_FOUND, "arrangement_id",
                  "no such arrangement on this case");
  }
  if (!IsLive(s.arrangement())) {
    return Precondition("arrangement_id", "the arrangement is already completed or cancelled");
  }
  if (auto r = CheckText(c.reason(), "reason", true)) return *r;
  v1::ArrangementCancelled e;
  e.set_arrangement_id(c.arrangement_id());
  *e.mutable_cancelled_on() = ProtoDateOf(info.today);
  e.set_reason(c.reason());
  return One(e);
}

CaseDecision Decide(const CaseState&, const v1::FlagVulnerability& c, const CommandInfo& info) {
  if (auto r = CheckText(c.category(), "category", true)) return *r;
  v1::VulnerabilityFlagged e;
  e.set_category(c.category());
  *e.mutable_flagged_on() = ProtoDateOf(info.today);
  e.set_active(c.active());
  return One(e);
}

CaseDecision Decide(const CaseState& s, const v1::RecordNoticeServed& c, const CommandInfo& info) {
  const v1::Notice& n = c.notice();
  if (n.kind() == v1::NOTICE_KIND_UNSPECIFIED || !v1::NoticeKind_IsValid(n.kind())) {
    return Invalid("notice.kind",
                   "must be nosp, section_8, wales_possession or scotland_proceedings");
  }
  auto served = RequiredDate(n.served_date(), "notice.served_date", info.today);
  if (auto* r = std::get_if<Rejection>(&served)) return *r;
  if (std::get<Date>(served) > info.today) return Invalid("notice.served_date", "is in the future");
  if (NoticeVoidForBreathingSpace(PauseBookOf(s), std::get<Date>(served))) {
    return Precondition("notice.served_date",
                        "a notice served during Breathing Space is void (domain §4)");
  }
  v1::NoticeRecorded e;
  *e.mutable_notice() = n;
  return One(e);
}

CaseDecision Decide(const CaseState&, const v1::RecordCourtDate& c, const CommandInfo& info) {
  auto date = RequiredDate(c.court_date(), "court_date", info.today);
  if (auto* r = std::get_if<Rejection>(&date)) return *r;
  v1::CourtDateRecorded e;
  *e.mutable_court_date() = c.court_date();
  return One(e);
}

CaseDecision Decide(const CaseState& s, const v1::RecordCourtOutcome& c, const CommandInfo& info) {
  if (c.outcome() == v1::COURT_OUTCOME_UNSPECIFIED || !v1::CourtOutcome_IsValid(c.outcome())) {
    return Invalid("outcome", "must be a court outcome");
  }
  if (!DateOf(s.court().court_date())) {
    return Precondition("outcome", "no court date is recorded for this case");
  }
  auto date = RequiredDate(c.outcome_date(), "outcome_date", info.today);
  if (auto* r = std::get_if<Rejection>(&date)) return *r;
  v1::CourtOutcomeRecorded e;
  e.set_outcome(c.outcome());
  *e.mutable_outcome_date() = c.outcome_date();
  return One(e);
}

CaseDecision Decide(const CaseState&, const v1::RecordEvictionDate& c, const CommandInfo& info) {
  auto date = RequiredDate(c.eviction_date(), "eviction_date", info.today);
  if (auto* r = std::get_if<Rejection>(&date)) return *r;
  v1::EvictionDateRecorded e;
  *e.mutable_eviction_date() = c.eviction_date();
  return One(e);
}

CasePosition PositionOn(const CaseState& s, Date today) {
  CasePosition p;
  p.balance = Money::FromPence(s.balance_pence());
  p.benefit_expected = Money::FromPence(std::max<int64_t>(0, s.benefit_expected_pence()));
  p.uc_expected = Money::FromPence(std::max<int64_t>(0, s.uc_expected_pence()));
  p.tenant_owed =
      Money::FromPence(std::max<int64_t>(0, s.balance_pence() - p.benefit_expected.pence()));
  p.weekly_gross_rent = Money::FromPence(s.weekly_gross_rent_pence());
  auto week = DateOf(s.rent_week_start());
  if (week && *week == today.RentWeekStart()) {
    p.payments_this_week = Money::FromPence(s.paid_this_week_pence());
    p.charges_this_week = Money::FromPence(s.charged_this_week_pence());
  }
  p.collectable = Money::FromPence(p.balance.pence() - p.charges_this_week.pence() +
                                   p.payments_this_week.pence());
  return p;
}

core::Money PlanBalanceOn(const CaseState& s, Date today) {
  const CasePosition p = PositionOn(s, today);
  return Money::FromPence(p.balance.pence() - p.charges_this_week.pence());
}

v1::CaseStage StageOf(const CaseState& s) {
  if (!s.open())
    return s.opened_on().year() != 0 ? v1::CASE_STAGE_CLOSED : v1::CASE_STAGE_UNSPECIFIED;
  if (DateOf(s.court().eviction_date())) return v1::CASE_STAGE_EVICTION;
  if (DateOf(s.court().court_date())) return v1::CASE_STAGE_COURT;
  if (DateOf(s.notice().served_date())) return v1::CASE_STAGE_NOTICE;
  if (IsLive(s.arrangement())) return v1::CASE_STAGE_ARRANGEMENT;
  if (!s.contacts().empty()) return v1::CASE_STAGE_CONTACT;
  return v1::CASE_STAGE_MONITORING;
}

}  // namespace rentstream::escalation
