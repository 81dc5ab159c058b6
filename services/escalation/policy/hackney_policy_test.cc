// Domain §6, rule by rule, with the edges: exactly 7 / 14 days, exactly 3 months, notice
// maturity 3 months after service, validity ending 52 weeks after maturity, the blockers.
#include <functional>

#include "services/escalation/policy/policy_test_util.h"

namespace rentstream::escalation::policy {
namespace {

using namespace testing;  // NOLINT: test helpers

// Today is Monday 16 March 2026: 3 months ago is 16 Dec 2025, 7 days ago 9 Mar, 14 days 2 Mar.
// Weekly rent £100, collectable arrears £500: £400 after grace, exactly 4 weeks' rent.
CaseFacts Base() {
  CaseFacts f;
  f.today = D("2026-03-16");
  f.tenancy_type = TenancyType::kSecure;
  f.balance = Pounds("500");
  f.collectable_arrears = Pounds("500");
  f.weekly_rent = Pounds("100");
  f.last_payment_date = D("2026-03-02");
  return f;
}

void CourtBreach(CaseFacts& f) {
  f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kBreached, D("2025-06-01")};
  f.court.hearing_date = D("2025-05-20");
  f.court.outcome = CourtOutcome::kPostponedPossession;
}
void InformalBreach(CaseFacts& f) {
  f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kBreached, D("2026-01-05")};
}

struct Row {
  const char* name;
  std::function<void(CaseFacts&)> setup;
  const char* expected;  // rule id, "" for no action
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class HackneyTest : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    auto policies = LoadShipped("examples/hackney-2020.yaml");
    ASSERT_EQ(policies.size(), 1u);
    policy_ = new Policy(std::move(policies[0]));
  }
  static const Policy* policy_;
};
const Policy* HackneyTest::policy_ = nullptr;

TEST_P(HackneyTest, FiresTheExpectedRule) {
  CaseFacts f = Base();
  GetParam().setup(f);
  Decision d = *Evaluate(*policy_, f, {.explain = true});
  std::string why;
  for (const RuleTrace& t : d.explanation) {
    why += t.rule_id + ": " + std::string(CodeOf(t.outcome)) + " " + t.detail + "\n";
  }
  EXPECT_EQ(d.rule_id, GetParam().expected) << why;
  EXPECT_EQ(FiredRule(*policy_, f), GetParam().expected);  // the fast path agrees
  absl::StatusOr<int> index = FiringRule(*policy_, f);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index < 0 ? "" : policy_->rules[*index].id, GetParam().expected);
}

void Outright(CaseFacts& f, const char* court_date) {
  f.court.hearing_date = D(court_date);
  f.court.outcome = CourtOutcome::kOutrightForthwith;
}

const Row kRows[] = {
    // 1. apply for outright possession warrant
    {"warrant_court_date_exactly_3_months_ago", [](CaseFacts& f) { Outright(f, "2025-12-16"); },
     "apply_for_outright_possession_warrant"},
    {"warrant_outright_dated",
     [](CaseFacts& f) {
       Outright(f, "2026-02-01");
       f.court.outcome = CourtOutcome::kOutrightDated;
     },
     "apply_for_outright_possession_warrant"},
    {"warrant_court_date_3_months_and_a_day_ago_is_check_data",
     [](CaseFacts& f) { Outright(f, "2025-12-15"); }, "check_data"},
    {"warrant_already_applied",
     [](CaseFacts& f) {
       Outright(f, "2026-02-01");
       AddContact(f, ContactKind::kWarrantApplied, Channel::kLetter, "2026-03-01");
     },
     "check_data"},
    {"warrant_not_with_live_arrangement",
     [](CaseFacts& f) {
       Outright(f, "2026-02-01");
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kLive, D("2026-02-10")};
     },
     ""},
    {"warrant_blocked_by_eviction_date",
     [](CaseFacts& f) {
       Outright(f, "2026-02-01");
       f.eviction_date = D("2026-04-01");
     },
     "check_data"},
    // 2. review failed letter: ignores the global blockers but not a zero balance
    {"failed_letter", [](CaseFacts& f) { f.latest_letter_failed_validation = true; },
     "review_failed_letter"},
    {"failed_letter_despite_eviction_date",
     [](CaseFacts& f) {
       f.latest_letter_failed_validation = true;
       f.eviction_date = D("2026-04-01");
       AddPause(f, PauseReason::kOfficer, D("2026-04-01"));
     },
     "review_failed_letter"},
    {"failed_letter_but_no_balance",
     [](CaseFacts& f) {
       f.latest_letter_failed_validation = true;
       f.balance = Pounds("0");
     },
     ""},
    // 3. first SMS: £5 <= arrears < £10, no grace
    {"sms_at_exactly_5", [](CaseFacts& f) { f.collectable_arrears = Pounds("5.00"); },
     "send_first_sms"},
    {"sms_at_9_99", [](CaseFacts& f) { f.collectable_arrears = Pounds("9.99"); }, "send_first_sms"},
    {"no_sms_at_4_99", [](CaseFacts& f) { f.collectable_arrears = Pounds("4.99"); }, ""},
    {"no_sms_at_10_and_grace_leaves_nothing",
     [](CaseFacts& f) { f.collectable_arrears = Pounds("10.00"); }, ""},
    {"sms_again_exactly_7_days_after_last",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("6");
       AddContact(f, ContactKind::kSmsFirst, Channel::kSms, "2026-03-09");
     },
     "send_first_sms"},
    {"no_sms_6_days_after_last",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("6");
       AddContact(f, ContactKind::kSmsFirst, Channel::kSms, "2026-03-10");
     },
     ""},
    {"sms_letter_exactly_3_months_ago",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("6");
       AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2025-12-16");
     },
     "send_first_sms"},
    {"no_sms_letter_within_3_months",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("6");
       AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2025-12-17");
     },
     ""},
    {"no_sms_with_notice",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("6");
       f.notice = {NoticeKind::kNosp, D("2024-01-01"), {}, {}};
     },
     ""},
    // 4. letter one: arrears after grace >= £10
    {"letter_one", [](CaseFacts&) {}, "send_letter_one"},
    {"letter_one_at_exactly_10_after_grace",
     [](CaseFacts& f) { f.collectable_arrears = Pounds("110"); }, "send_letter_one"},
    {"no_letter_one_at_9_99_after_grace",
     [](CaseFacts& f) { f.collectable_arrears = Pounds("109.99"); }, ""},
    {"letter_one_when_rent_paid_this_week",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("10");
       f.payments_this_week = Pounds("100");
     },
     "send_letter_one"},
    {"letter_one_again_exactly_3_months_after",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2025-12-16"); },
     "send_letter_one"},
    {"no_letter_one_with_active_arrangement",
     [](CaseFacts& f) {
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kLive, D("2026-01-05")};
     },
     ""},
    // 5. letter two: letter one 14 days to 3 months ago
    {"letter_two_exactly_14_days_after_letter_one",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2026-03-02"); },
     "send_letter_two"},
    {"no_letter_two_13_days_after_letter_one",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2026-03-03"); },
     ""},
    {"letter_two_3_months_less_a_day_after_letter_one",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2025-12-17"); },
     "send_letter_two"},
    {"no_letter_two_when_a_call_came_after_letter_one",
     [](CaseFacts& f) {
       AddContact(f, ContactKind::kLetterOne, Channel::kLetter, "2026-02-01");
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-02-20");
     },
     ""},
    // 6. update court outcome
    {"court_date_passed_without_outcome",
     [](CaseFacts& f) { f.court.hearing_date = D("2026-03-10"); }, "update_court_outcome"},
    {"court_date_today_is_not_yet_passed",
     [](CaseFacts& f) { f.court.hearing_date = D("2026-03-16"); }, ""},
    // 7. court breach visit: breach letter 7 days to 3 months ago
    {"breach_visit_exactly_7_days_after_letter",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2026-03-09");
     },
     "court_breach_visit"},
    {"no_breach_visit_6_days_after_letter",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2026-03-10");
     },
     ""},
    {"breach_visit_exactly_3_months_after_letter",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2025-12-16");
     },
     "court_breach_visit"},
    {"no_breach_visit_3_months_and_a_day_after_letter",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2025-12-15");
     },
     ""},
    // 8. send notice
    {"notice_exactly_7_days_after_letter_two",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-09"); },
     "send_notice"},
    {"no_notice_6_days_after_letter_two",
     [](CaseFacts& f) { AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-10"); },
     ""},
    {"no_notice_below_4_weeks_rent",
     [](CaseFacts& f) {
       f.collectable_arrears = Pounds("499.99");
       AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-09");
     },
     ""},
    {"notice_again_once_the_old_one_lapsed",
     [](CaseFacts& f) {
       // Served 16 Dec 2024: matured 16 Mar 2025, lapsed 52 weeks later on 15 Mar 2026.
       f.notice = {NoticeKind::kNosp, D("2024-12-16"), {}, {}};
     },
     "send_notice"},
    {"notice_lapses_on_the_day_52_weeks_after_maturity",
     [](CaseFacts& f) {
       // Served 17 Dec 2024: matured 17 Mar 2025, valid until 16 Mar 2026 (today) exclusive.
       f.notice = {NoticeKind::kNosp, D("2024-12-17"), {}, {}};
     },
     "send_notice"},
    {"notice_valid_the_day_before_it_lapses",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2024-12-18"), {}, {}};
     },
     "send_court_warning_letter"},
    {"no_notice_after_a_warrant_type_order_in_6_years",
     [](CaseFacts& f) {
       f.court.hearing_date = D("2021-01-01");
       f.court.outcome = CourtOutcome::kSuspendedPossession;
       f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kCompleted,
                        D("2021-01-02")};
       AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-09");
     },
     "check_data"},
    // 9. court breach, no payment
    {"court_breach_no_payment_8_days",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachVisit, Channel::kVisit, "2026-03-09");
       f.last_payment_date = D("2026-03-08");
     },
     "court_breach_no_payment"},
    {"court_breach_paid_7_days_ago",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachVisit, Channel::kVisit, "2026-03-09");
       f.last_payment_date = D("2026-03-09");
     },
     ""},
    {"court_breach_never_paid",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kCourtBreachVisit, Channel::kVisit, "2026-03-01");
       f.last_payment_date.reset();
     },
     "court_breach_no_payment"},
    // 10. informal agreement breach letter
    {"informal_breach_letter",
     [](CaseFacts& f) {
       InformalBreach(f);
       AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-09");
     },
     "send_informal_agreement_breach_letter"},
    {"informal_breach_letter_without_contacts", InformalBreach,
     "send_informal_agreement_breach_letter"},
    {"no_informal_breach_letter_6_days_after_contact",
     [](CaseFacts& f) {
       InformalBreach(f);
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-03-10");
     },
     ""},
    // 11. informal breached after letter
    {"informal_breached_after_letter",
     [](CaseFacts& f) {
       InformalBreach(f);
       AddContact(f, ContactKind::kInformalBreachLetter, Channel::kLetter, "2026-03-09");
     },
     "informal_breached_after_letter"},
    {"informal_breach_with_valid_notice",
     [](CaseFacts& f) {
       InformalBreach(f);
       f.notice = {NoticeKind::kNosp, D("2026-01-05"), {}, {}};
       AddContact(f, ContactKind::kInformalBreachLetter, Channel::kLetter, "2026-03-09");
     },
     ""},
    // 12. address court agreement breach
    {"court_breach_letter",
     [](CaseFacts& f) {
       CourtBreach(f);
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-03-15");
     },
     "address_court_agreement_breach"},
    // 13. court warning letter: notice matured (3 months) and valid
    {"court_warning_when_notice_matures_today",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-12-16"), {}, {}};
     },
     "send_court_warning_letter"},
    {"no_court_warning_a_day_before_maturity",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-12-17"), {}, {}};
     },
     ""},
    // 14. apply for court date: warning >= 14 days ago and after any court date
    {"court_date_14_days_after_warning",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-10-01"), {}, {}};
       f.court.warning_sent = D("2026-03-02");
     },
     "apply_for_court_date"},
    {"no_court_date_13_days_after_warning",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-10-01"), {}, {}};
       f.court.warning_sent = D("2026-03-03");
     },
     ""},
    {"no_court_date_when_warning_predates_hearing",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-10-01"), {}, {}};
       f.court = {D("2026-02-01"), CourtOutcome::kAdjourned, D("2026-02-01"), D("2026-01-15")};
     },
     ""},
    {"court_date_when_warning_follows_hearing",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-10-01"), {}, {}};
       f.court = {D("2026-02-01"), CourtOutcome::kAdjourned, D("2026-02-01"), D("2026-02-10")};
     },
     "apply_for_court_date"},
    // 15. check data (ignores every blocker but the pause)
    {"court_terms_without_court_arrangement",
     [](CaseFacts& f) {
       f.court = {D("2026-01-10"), CourtOutcome::kSuspendedPossession, D("2026-01-10"), {}};
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kLive, D("2026-01-11")};
       f.eviction_date = D("2026-05-01");
     },
     "check_data"},
    {"court_terms_with_court_arrangement_from_hearing",
     [](CaseFacts& f) {
       f.court = {D("2026-01-10"), CourtOutcome::kSuspendedPossession, D("2026-01-10"), {}};
       f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kLive, D("2026-01-10")};
     },
     ""},
    {"outcome_without_court_date",
     [](CaseFacts& f) {
       f.court.outcome = CourtOutcome::kDismissed;
       AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-15");
     },
     "check_data"},
    {"check_data_paused",
     [](CaseFacts& f) {
       f.court.outcome = CourtOutcome::kDismissed;
       AddPause(f, PauseReason::kOfficer, D("2026-03-17"));
     },
     ""},
    // Global blockers
    {"blocked_by_past_eviction_date", [](CaseFacts& f) { f.eviction_date = D("2025-01-01"); }, ""},
    {"blocked_by_future_court_date", [](CaseFacts& f) { f.court.hearing_date = D("2026-03-17"); },
     ""},
    {"blocked_by_pause_until_tomorrow",
     [](CaseFacts& f) { AddPause(f, PauseReason::kOfficer, D("2026-03-17")); }, ""},
    {"pause_ending_today_does_not_block",
     [](CaseFacts& f) { AddPause(f, PauseReason::kOfficer, D("2026-03-16")); }, "send_letter_one"},
    {"open_ended_pause_blocks",
     [](CaseFacts& f) { AddPause(f, PauseReason::kDispute, std::nullopt); }, ""},
    {"nothing_owed",
     [](CaseFacts& f) {
       f.balance = Pounds("-10");
       f.collectable_arrears = Pounds("-10");
     },
     ""},
};

INSTANTIATE_TEST_SUITE_P(Rules, HackneyTest, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(HackneyPolicyTest, ShapeOfThePolicy) {
  auto policies = LoadShipped("examples/hackney-2020.yaml");
  ASSERT_EQ(policies.size(), 1u);
  const Policy& p = policies[0];
  EXPECT_EQ(p.header.id, "hackney-2020");
  ASSERT_EQ(p.rules.size(), 15u);
  EXPECT_EQ(p.rules[0].id, "apply_for_outright_possession_warrant");
  EXPECT_EQ(p.rules[14].id, "check_data");
  for (size_t i = 0; i < p.rules.size(); ++i) EXPECT_EQ(p.rules[i].precedence, int(i) + 1);
}

TEST(HackneyPolicyTest, DecisionCarriesInputsAndExplanation) {
  Policy p = std::move(LoadShipped("examples/hackney-2020.yaml")[0]);
  CaseFacts f = Base();
  AddContact(f, ContactKind::kLetterTwo, Channel::kLetter, "2026-03-09");
  Decision d = *Evaluate(p, f, {.explain = true});
  EXPECT_EQ(d.policy_id, "hackney-2020");
  EXPECT_EQ(d.policy_version, 1);
  EXPECT_EQ(d.rule_id, "send_notice");
  EXPECT_EQ(d.action.kind, ActionKind::kRecommendNotice);
  EXPECT_EQ(d.action.notice, NoticeKind::kNosp);
  auto input = [&](const std::string& name) {
    for (const DecisionInput& in : d.inputs) {
      if (in.name == name) return in.value;
    }
    return std::string("missing");
  };
  EXPECT_EQ(input("arrears_after_grace"), "£400.00");
  EXPECT_EQ(input("four_weeks_rent"), "£400.00");
  EXPECT_EQ(input("collectable_arrears"), "£500.00");
  EXPECT_EQ(input("last_contact_date"), "2026-03-09");
  EXPECT_EQ(input("notice_served"), "unset");
  ASSERT_EQ(d.explanation.size(), 8u);
  EXPECT_EQ(d.explanation[0].outcome, RuleOutcome::kTriggerFalse);
  EXPECT_EQ(d.explanation[3].rule_id, "send_letter_one");
  EXPECT_EQ(d.explanation[3].outcome, RuleOutcome::kGuardFalse);
  EXPECT_EQ(d.explanation[3].detail, "no_letter_in_last_3_months");
  EXPECT_EQ(d.explanation[7].outcome, RuleOutcome::kFired);
  f.eviction_date = D("2026-01-01");
  d = *Evaluate(p, f, {.explain = true});
  EXPECT_EQ(d.rule_id, "");
  EXPECT_EQ(d.action.kind, ActionKind::kNoAction);
  EXPECT_EQ(d.explanation[0].outcome, RuleOutcome::kBlocked);
  EXPECT_EQ(d.explanation[0].detail, "eviction_date_set");
  EXPECT_EQ(d.explanation.size(), 15u);
}

}  // namespace
}  // namespace rentstream::escalation::policy
