// Scenario tests over months of simulated business days: the case decider and the england-default
// policy, with the business-day clock reviewing a case only when its next review date has come
// (as the runtime's review index does) and ledger movements reviewing it at once.
#include "services/escalation/domain/case_review.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "services/escalation/policy/loader.h"

namespace rentstream::escalation {
namespace {

using core::Date;

Date D(const char* iso) { return *Date::Parse(iso); }

std::unique_ptr<policy::PolicySet> Shipped(const std::string& file) {
  std::ifstream in(std::string(RS_POLICY_DIR) + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  auto versions = policy::LoadPolicies(text.str(), file);
  EXPECT_TRUE(versions.ok()) << versions.status();
  auto set = std::make_unique<policy::PolicySet>();
  for (policy::Policy& p : *versions) EXPECT_TRUE(set->Add(std::move(p)).ok());
  return set;
}

// What the notifications service and an officer do with a recommendation: deliver the template
// as a recorded contact, and make the call a task asks for.
const std::map<std::string, std::string> kContactForTemplate = {
    {"early_arrears_reminder", "sms_first"},
    {"pre_action_letter", "pre_action_letter"},
    {"arrangement_breach_warning", "informal_breach_letter"},
    {"court_warning_letter", "court_warning_letter"},
};

struct Decided {
  Date on;
  std::string rule_id;
  v1::ActionKind kind;
};

class CaseSimulation {
 public:
  explicit CaseSimulation(const policy::PolicySet& policies, ledger::v1::TenancyType type)
      : reviewer_(policies) {
    v1::TenancyObserved t;
    t.set_tenancy_type(type);
    t.set_jurisdiction(ledger::v1::JURISDICTION_ENGLAND);
    Evolve(state_, t, "");
  }

  // A ledger movement: recorded, then the case reviewed at once.
  void Ledger(Date day, int64_t change, bool payment, int64_t benefit = 0, int64_t uc = 0) {
    v1::LedgerActivityObserved a;
    *a.mutable_value_date() = ProtoDateOf(day);
    a.mutable_balance_change()->set_pence(change);
    a.set_payment(payment);
    if (!payment && change > 0) a.mutable_weekly_gross_rent()->set_pence(change);
    a.mutable_benefit_expected_change()->set_pence(benefit);
    a.mutable_uc_expected_change()->set_pence(uc);
    Apply({a}, day);
    Apply(reviewer_.Review(state_, day, false), day);
  }

  // The business-day tick: only when the case's review date has come.
  void Tick(Date day) {
    const std::optional<Date> due = reviewer_.NextReview(state_);
    if (due && *due <= day) Apply(reviewer_.Review(state_, day, true), day);
  }

  void Command(const CaseDecision& decision, Date day) {
    ASSERT_TRUE(std::holds_alternative<std::vector<CaseEvent>>(decision))
        << std::get<common::v1::Rejection>(decision).DebugString();
    Apply(std::get<std::vector<CaseEvent>>(decision), day, "officer-1");
    Apply(reviewer_.Review(state_, day, false), day);
  }

  void Contact(const std::string& kind, v1::Channel channel, Date day) {
    v1::RecordContact c;
    c.mutable_contact()->set_kind(kind);
    c.mutable_contact()->set_channel(channel);
    c.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_DELIVERED);
    *c.mutable_contact()->mutable_date() = ProtoDateOf(day);
    Command(Decide(state_, c, {day, "notify"}), day);
  }

  // Acts on the pending recommendation the way the other services would.
  void ActOnPending(Date day) {
    const v1::ActionDecision* d =
        state_.decisions().empty() ? nullptr : &state_.decisions(state_.decisions_size() - 1);
    if (d == nullptr || !state_.open()) return;
    if (d->action().kind() == v1::ACTION_KIND_SEND) {
      auto it = kContactForTemplate.find(d->action().template_id());
      ASSERT_NE(it, kContactForTemplate.end()) << d->action().template_id();
      Contact(it->second, d->action().channel(), day);
    }
  }

  const CaseState& state() const { return state_; }
  const std::vector<Decided>& decided() const { return decided_; }
  std::vector<std::string> Rules() const {
    std::vector<std::string> out;
    for (const Decided& d : decided_) out.push_back(d.rule_id);
    return out;
  }
  const CaseReviewer& reviewer() const { return reviewer_; }

 private:
  void Apply(const std::vector<CaseEvent>& events, Date day, const std::string& actor = "") {
    for (const CaseEvent& e : events) {
      Evolve(state_, e, actor);
      if (auto* d = std::get_if<v1::ActionDecided>(&e)) {
        decided_.push_back({day, d->decision().rule_id(), d->decision().action().kind()});
      }
    }
  }

  CaseReviewer reviewer_;
  CaseState state_;
  std::vector<Decided> decided_;
};

// The first day `rule` was decided, as ISO text ("never" if not) for readable failures.
std::string FirstDecision(const CaseSimulation& sim, const std::string& rule) {
  for (const Decided& d : sim.decided()) {
    if (d.rule_id == rule) return d.on.ToIso();
  }
  return "never";
}

// Arrears → SMS → Pre-Action letter → call → arrangement → breach → warning → NOSP recommended.
TEST(CaseScenario, ArrearsEscalateThroughTheProtocolToANotice) {
  auto policies = Shipped("england-default.yaml");
  CaseSimulation sim(*policies, ledger::v1::TENANCY_TYPE_SECURE);
  bool arrangement_agreed = false;
  for (Date day = D("2026-06-01"); day <= D("2026-09-30"); day = day.AddDays(1)) {
    if (day.weekday() == core::Weekday::kMonday) sim.Ledger(day, 10000, false);  // rent £100
    // Pays the rent every Monday until the end of June, then stops; pays £120 a week (rent +
    // £20 off the arrears) for the two weeks after agreeing the plan, then stops again.
    const bool pays_rent = day <= D("2026-06-29");
    const bool pays_plan = day == D("2026-08-10") || day == D("2026-08-17");
    if (day.weekday() == core::Weekday::kMonday && pays_rent) sim.Ledger(day, -10000, true);
    if (pays_plan) sim.Ledger(day, -12000, true);
    sim.Tick(day);
    sim.ActOnPending(day);
    const auto& decisions = sim.state().decisions();
    if (!arrangement_agreed && !decisions.empty() &&
        decisions.Get(decisions.size() - 1).rule_id() == "officer_contact") {
      // The officer calls the next day and agrees £20 a week from Monday 10 August.
      const Date call = day.AddDays(1);
      v1::AgreeArrangement plan;
      plan.set_arrangement_id("PLAN-1");
      plan.set_kind(v1::ARRANGEMENT_KIND_INFORMAL);
      plan.mutable_amount()->set_pence(2000);
      plan.set_frequency(ledger::v1::FREQUENCY_WEEKLY);
      *plan.mutable_start_date() = ProtoDateOf(D("2026-08-10"));
      sim.Command(Decide(sim.state(), plan, {call, "officer-1"}), call);
      sim.Contact("phone_call", v1::CHANNEL_PHONE, call);
      arrangement_agreed = true;
      day = call;
    }
    if (FirstDecision(sim, "recommend_nosp") != "never") break;
  }
  EXPECT_EQ(FirstDecision(sim, "early_contact_sms"), "2026-07-13");
  EXPECT_EQ(FirstDecision(sim, "pre_action_letter"), "2026-07-20");
  EXPECT_EQ(FirstDecision(sim, "officer_contact"), "2026-08-03");
  EXPECT_EQ(sim.state().arrangement().state(), v1::ARRANGEMENT_STATE_BREACHED);
  // Third instalment due 24 August + 5 days' tolerance: the breach is seen on the 29th.
  EXPECT_EQ(FirstDecision(sim, "arrangement_breach_warning"), "2026-08-29");
  // The same day: the warning letter went out and the protocol steps are all evidenced.
  EXPECT_EQ(FirstDecision(sim, "recommend_nosp"), "2026-08-29");
  const v1::ActionDecision& last = sim.state().decisions(sim.state().decisions_size() - 1);
  EXPECT_EQ(last.action().kind(), v1::ACTION_KIND_RECOMMEND_NOTICE);
  EXPECT_EQ(last.policy_id(), "england-default");
  EXPECT_EQ(last.policy_version(), "2");
  EXPECT_FALSE(last.inputs().empty());  // the "why": the values the rule read
}

// Breathing Space stops every demand and notice for 60 days; the rent due during it still counts,
// and escalation resumes on the whole balance the day after it ends.
TEST(CaseScenario, BreathingSpacePausesThenResumesWithTheRentDueDuringIt) {
  auto policies = Shipped("england-default.yaml");
  CaseSimulation sim(*policies, ledger::v1::TENANCY_TYPE_SECURE);
  const Date bs_from = D("2026-07-15");
  const Date bs_last = bs_from.AddDays(59);
  for (Date day = D("2026-07-06"); day <= D("2026-10-31"); day = day.AddDays(1)) {
    if (day.weekday() == core::Weekday::kMonday) sim.Ledger(day, 10000, false);
    if (day == bs_from) {
      v1::PauseCase pause;
      pause.set_pause_id("BS-1");
      pause.set_kind(v1::PAUSE_KIND_BREATHING_SPACE_STANDARD);
      *pause.mutable_from() = ProtoDateOf(day);
      pause.set_reason("Insolvency Service notification");
      sim.Command(Decide(sim.state(), pause, {day, "officer-1"}), day);
    }
    sim.Tick(day);
    sim.ActOnPending(day);
  }
  for (const Decided& d : sim.decided()) {
    if (d.on >= bs_from && d.on <= bs_last) {
      EXPECT_TRUE(d.kind == v1::ACTION_KIND_NO_ACTION || d.kind == v1::ACTION_KIND_CHECK_DATA)
          << d.rule_id << " on " << d.on.ToIso();
    }
  }
  // The SMS went out before the moratorium; the Pre-Action letter waits for its end.
  EXPECT_LT(FirstDecision(sim, "early_contact_sms"), bs_from.ToIso());
  EXPECT_EQ(FirstDecision(sim, "pre_action_letter"), bs_last.AddDays(1).ToIso());
  // Rent charged during the moratorium is owed: 60 days of it is in the balance.
  EXPECT_GE(sim.state().balance_pence(), 10 * 10000);
}

// A UC tenant whose arrears are only managed payments not yet received is never escalated.
TEST(CaseScenario, UniversalCreditAwaitedIsNotEscalated) {
  auto policies = Shipped("england-default.yaml");
  CaseSimulation sim(*policies, ledger::v1::TENANCY_TYPE_ASSURED);
  int64_t worst = 0;
  for (Date day = D("2026-06-01"); day <= D("2026-12-31"); day = day.AddDays(1)) {
    if (day.weekday() == core::Weekday::kMonday) sim.Ledger(day, 10000, false, 10000, 10000);
    // UC pays monthly in arrears, a week after each assessment period (£433.33 = £100 × 52 / 12).
    if (day.day() == 8 && day > D("2026-06-30")) sim.Ledger(day, -43333, true, -43333, -43333);
    sim.Tick(day);
    worst = std::max(worst, sim.state().balance_pence());
  }
  EXPECT_GT(worst, 4 * 10000);  // the account looks over 4 weeks in arrears at times
  EXPECT_FALSE(sim.state().open());
  EXPECT_TRUE(sim.decided().empty());
}

// Reviews are scheduled, not daily: a case with nothing time-dependent pending is looked at a
// few times a month, and every look is recorded (CaseReviewed) so the next date moves on.
TEST(CaseScenario, TheClockReviewsACaseOnlyOnItsReviewDates) {
  auto policies = Shipped("england-default.yaml");
  CaseSimulation sim(*policies, ledger::v1::TENANCY_TYPE_SECURE);
  sim.Ledger(D("2026-06-01"), 10000, false);
  sim.Ledger(D("2026-06-08"), 10000, false);
  ASSERT_TRUE(sim.state().open());
  int reviews = 0;
  for (Date day = D("2026-06-09"); day <= D("2026-07-08"); day = day.AddDays(1)) {
    const std::optional<Date> due = sim.reviewer().NextReview(sim.state());
    ASSERT_TRUE(due.has_value());
    ASSERT_GT(*due, Date::FromDaysSinceEpoch(sim.state().last_evaluated_day()));
    if (*due <= day) ++reviews;
    sim.Tick(day);
  }
  EXPECT_GT(reviews, 0);
  EXPECT_LT(reviews, 15);
}

}  // namespace
}  // namespace rentstream::escalation
