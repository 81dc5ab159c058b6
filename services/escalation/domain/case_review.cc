#include "services/escalation/domain/case_review.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace rentstream::escalation {
namespace {

namespace pol = ::rentstream::escalation::policy;
using core::Date;

constexpr int kBackstopDays = 28;
constexpr size_t kMaxOffsets = 64;

v1::ActionKind KindOf(pol::ActionKind k) {
  switch (k) {
    case pol::ActionKind::kUpdateData:
      return v1::ACTION_KIND_CHECK_DATA;
    case pol::ActionKind::kSendTemplate:
      return v1::ACTION_KIND_SEND;
    case pol::ActionKind::kCreateTask:
      return v1::ACTION_KIND_OFFICER_TASK;
    case pol::ActionKind::kProposeReferral:
      return v1::ACTION_KIND_PROPOSE_REFERRAL;
    case pol::ActionKind::kRecommendNotice:
      return v1::ACTION_KIND_RECOMMEND_NOTICE;
    case pol::ActionKind::kRecommendCourtClaim:
      return v1::ACTION_KIND_RECOMMEND_COURT_CLAIM;
    case pol::ActionKind::kRecommendWarrant:
      return v1::ACTION_KIND_RECOMMEND_WARRANT;
    default:
      return v1::ACTION_KIND_NO_ACTION;
  }
}

v1::Channel ChannelOf(std::optional<pol::Channel> c) {
  if (!c) return v1::CHANNEL_UNSPECIFIED;
  switch (*c) {
    case pol::Channel::kSms:
      return v1::CHANNEL_SMS;
    case pol::Channel::kLetter:
      return v1::CHANNEL_LETTER;
    case pol::Channel::kEmail:
      return v1::CHANNEL_EMAIL;
    case pol::Channel::kPhone:
      return v1::CHANNEL_PHONE;
    case pol::Channel::kVisit:
      return v1::CHANNEL_VISIT;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

// What Breathing Space forbids whatever the policy says (domain §4): the statutory safety net.
Blocked BlockedAction(v1::ActionKind kind) {
  switch (kind) {
    case v1::ACTION_KIND_SEND:
      return Blocked::kDemand;
    case v1::ACTION_KIND_RECOMMEND_NOTICE:
      return Blocked::kNotice;
    case v1::ACTION_KIND_RECOMMEND_COURT_CLAIM:
      return Blocked::kCourt;
    case v1::ACTION_KIND_RECOMMEND_WARRANT:
      return Blocked::kWarrant;
    default:
      return Blocked::kNone;
  }
}

// The decision without its inputs (see Recommendation).
v1::ActionDecision DecisionOf(const pol::Decision& d, Date today) {
  v1::ActionDecision out;
  *out.mutable_decided_on() = ProtoDateOf(today);
  out.set_rule_id(d.rule_id);
  out.set_policy_id(d.policy_id);
  out.set_policy_version(absl::StrCat(d.policy_version));
  v1::Action* a = out.mutable_action();
  a->set_kind(KindOf(d.action.kind));
  a->set_template_id(d.action.template_id);
  a->set_channel(ChannelOf(d.action.channel));
  a->set_detail(!d.action.task.empty()       ? d.action.task
                : !d.action.referral.empty() ? d.action.referral
                : d.action.notice != pol::NoticeKind::kNone
                    ? std::string(pol::CodeOf(d.action.notice))
                    : "");
  out.set_explanation(d.rule_id.empty() ? "no rule fired" : d.action.summary);
  return out;
}

// What the policy recommends; its inputs join the decision only when it is recorded (most
// reviews find the recommendation unchanged and record none).
struct Recommendation {
  v1::ActionDecision decision;
  std::vector<pol::DecisionInput> inputs;

  v1::ActionDecision WithInputs() && {
    for (pol::DecisionInput& in : inputs) {
      v1::DecisionInput* i = decision.add_inputs();
      i->set_name(std::move(in.name));
      i->set_value(std::move(in.value));
    }
    return std::move(decision);
  }
};

bool SameRecommendation(const v1::ActionDecision& a, const v1::ActionDecision& b) {
  return a.rule_id() == b.rule_id() && a.action().kind() == b.action().kind() &&
         a.action().template_id() == b.action().template_id() &&
         a.policy_version() == b.policy_version() && a.policy_id() == b.policy_id();
}

// The recommendation the policy in force makes on `today`, with Breathing Space's statutory
// blocks applied on top. None when no policy covers the tenancy.
std::optional<Recommendation> Recommend(const pol::PolicySet& policies, const CaseState& s,
                                        Date today) {
  const PauseBook pauses = PauseBookOf(s);  // built once: the facts and the blocks read it
  const pol::CaseFacts facts = FactsOf(s, today, pauses);
  const pol::Policy* policy = policies.Select(facts.jurisdiction, facts.tenancy_type, today);
  if (policy == nullptr) return std::nullopt;
  absl::StatusOr<pol::Decision> decision = pol::Evaluate(*policy, facts);
  if (!decision.ok()) {
    v1::ActionDecision failed;
    *failed.mutable_decided_on() = ProtoDateOf(today);
    failed.set_policy_id(policy->header.id);
    failed.set_policy_version(absl::StrCat(policy->header.version));
    failed.mutable_action()->set_kind(v1::ACTION_KIND_CHECK_DATA);
    failed.set_explanation(
        absl::StrCat("the policy could not be evaluated: ", decision.status().message()));
    return Recommendation{std::move(failed), {}};
  }
  Recommendation recommended{DecisionOf(*decision, today), std::move(decision->inputs)};
  v1::ActionDecision& out = recommended.decision;
  const Blocked wanted = BlockedAction(out.action().kind());
  if (wanted == Blocked::kNone) return recommended;  // nothing a pause could withhold
  const Blocked blocked = pauses.BlockedOn(today);
  for (const Pause& p : pauses.ActiveOn(today)) {
    if (IsBreathingSpace(p.kind) && Blocks(blocked, wanted)) {
      out.set_explanation(absl::StrCat("withheld: Breathing Space ", p.id, " forbids it (rule ",
                                       out.rule_id(), " recommended ",
                                       v1::ActionKind_Name(out.action().kind()), ")"));
      out.mutable_action()->Clear();
      out.mutable_action()->set_kind(v1::ACTION_KIND_NO_ACTION);
      break;
    }
  }
  return recommended;
}

bool Opens(const CaseState& s, Date today) {
  const CasePosition p = PositionOn(s, today);
  return !s.tenancy_ended() && p.tenant_owed.pence() > 0 && p.collectable.pence() > 0;
}

}  // namespace

CaseReviewer::CaseReviewer(const policy::PolicySet& policies) : policies_(policies) {
  for (const pol::Policy* p : policies.All()) {
    for (const pol::Node& n : p->program.nodes) {
      if (n.op == pol::Op::kConst && n.type == pol::ValueType::kInt && n.imm > 0 && n.imm <= 3660) {
        offsets_.push_back(n.imm);
      }
    }
  }
  std::sort(offsets_.begin(), offsets_.end());
  offsets_.erase(std::unique(offsets_.begin(), offsets_.end()), offsets_.end());
  if (offsets_.size() > kMaxOffsets) offsets_.resize(kMaxOffsets);
}

std::vector<CaseEvent> CaseReviewer::Review(const CaseState& state, Date today,
                                            bool scheduled) const {
  std::vector<CaseEvent> out;
  // The state as the events recorded so far leave it: copied only when one of them changes what
  // a later step reads, so the common scheduled review copies no case.
  std::optional<CaseState> evolved;
  const CaseState* next = &state;
  auto record = [&](CaseEvent e) {
    if (!evolved) next = &evolved.emplace(state);
    Evolve(*evolved, e, "");
    out.push_back(std::move(e));
  };
  // ActionDecided and CaseReviewed end the review: they change only the decisions and the last
  // review day, which nothing after them reads here (StageOf does not), so they are not folded.
  auto record_last = [&](CaseEvent e) { out.push_back(std::move(e)); };
  const bool opens_now = !state.open();
  if (!next->open()) {
    if (!Opens(*next, today)) return out;
    v1::CaseOpened opened;
    *opened.mutable_opened_on() = ProtoDateOf(today);
    opened.mutable_balance()->set_pence(next->balance_pence());
    record(std::move(opened));
  } else if (next->balance_pence() <= 0 || next->tenancy_ended()) {
    const v1::Arrangement& a = next->arrangement();
    if (a.state() == v1::ARRANGEMENT_STATE_LIVE || a.state() == v1::ARRANGEMENT_STATE_BREACHED) {
      v1::ArrangementCompleted done;
      done.set_arrangement_id(a.arrangement_id());
      *done.mutable_completed_on() = ProtoDateOf(today);
      if (next->balance_pence() <= 0) record(std::move(done));
    }
    v1::CaseClosed closed;
    *closed.mutable_closed_on() = ProtoDateOf(today);
    closed.set_reason(next->tenancy_ended() ? "tenancy ended: former-tenant arrears"
                                            : "nothing owed");
    record(std::move(closed));
  }

  if (next->open()) {
    const v1::Arrangement& a = next->arrangement();
    if (a.state() == v1::ARRANGEMENT_STATE_LIVE) {
      const core::Money plan_balance = PlanBalanceOn(*next, today);
      auto assessed = AssessArrangement(ArrangementOf(a), plan_balance, today);
      if (assessed.ok() && assessed->state == ArrangementState::kBreached) {
        v1::ArrangementBreached breached;
        breached.set_arrangement_id(a.arrangement_id());
        breached.set_kind(a.kind());
        *breached.mutable_breached_on() = ProtoDateOf(today);
        breached.mutable_expected_balance()->set_pence(assessed->expected_balance.pence());
        breached.mutable_actual_balance()->set_pence(plan_balance.pence());
        record(std::move(breached));
      }
    }
    std::optional<Recommendation> recommended = Recommend(policies_, *next, today);
    const v1::ActionDecision* decision = recommended ? &recommended->decision : nullptr;
    // A case opened by this review starts afresh: a decision kept from an earlier case of the
    // tenancy is history, not the recommendation in force.
    const bool had = !opens_now && !next->decisions().empty();
    const bool changed =
        decision &&
        (had ? !SameRecommendation(next->decisions(next->decisions_size() - 1), *decision)
             : decision->action().kind() != v1::ACTION_KIND_NO_ACTION);
    if (changed) {
      v1::ActionDecided decided;
      *decided.mutable_decision() = std::move(*recommended).WithInputs();
      record_last(std::move(decided));
    } else if (scheduled && out.empty()) {
      v1::CaseReviewed reviewed;
      *reviewed.mutable_reviewed_on() = ProtoDateOf(today);
      if (decision) {
        reviewed.set_policy_id(decision->policy_id());
        reviewed.set_policy_version(decision->policy_version());
        reviewed.set_rule_id(decision->rule_id());
      }
      record_last(std::move(reviewed));
    }
  }
  const v1::CaseStage stage = StageOf(*next);
  if (stage != state.stage()) {
    v1::StageChanged changed;
    changed.set_from(state.stage());
    changed.set_to(stage);
    out.push_back(std::move(changed));
  }
  return out;
}

std::optional<Date> CaseReviewer::NextReview(const CaseState& s) const {
  if (!s.open()) return std::nullopt;
  const Date after = Date::FromDaysSinceEpoch(s.last_evaluated_day());
  Date best = after.AddDays(kBackstopDays);
  auto consider = [&](std::optional<Date> d) {
    if (d && *d > after && *d < best) best = *d;
  };
  auto around = [&](std::optional<Date> d) {
    if (!d) return;
    for (int64_t k : offsets_) {
      // Every date below is at least d + k (a month is at least 28 days) and at most d + 31k + 1
      // (d + 7k past 120): offsets, ascending, that cannot beat `best` or pass `after` are
      // skipped without computing their dates.
      if (d->AddDays(k) >= best) break;
      if (d->AddDays(k <= 120 ? 31 * k + 1 : 7 * k) <= after) continue;
      consider(d->AddDays(k));
      consider(d->AddDays(k + 1));
      consider(d->AddDays(7 * k));
      if (k <= 120) {
        const Date months_on = d->AddMonths(static_cast<int>(k));
        consider(months_on);
        consider(months_on.AddDays(1));
      }
    }
  };
  for (const v1::Contact& c : s.contacts()) around(DateOf(c.date()));
  around(DateOf(s.last_payment_date()));
  around(DateOf(s.notice().served_date()));
  around(DateOf(s.court().court_date()));
  around(DateOf(s.court().outcome_date()));
  around(DateOf(s.court().eviction_date()));
  consider(DateOf(s.court().court_date()));
  consider(DateOf(s.court().eviction_date()));
  if (const std::optional<Date> promise_by = DateOf(s.promise_by())) {
    consider(promise_by->AddDays(1));
  }
  consider(PauseBookOf(s).NextReviewDate(after));
  const v1::Arrangement& a = s.arrangement();
  if (a.state() == v1::ARRANGEMENT_STATE_LIVE) {
    around(DateOf(a.start_date()));
    auto assessed = AssessArrangement(ArrangementOf(a), PlanBalanceOn(s, after), after);
    if (assessed.ok()) consider(assessed->next_review_date);
  }
  return best;
}

}  // namespace rentstream::escalation
