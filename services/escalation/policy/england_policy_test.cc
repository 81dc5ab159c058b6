// england-default.yaml, both versions: every rule, Breathing Space, the 1 May 2026 change.
#include <functional>

#include "services/escalation/policy/policy_set.h"
#include "services/escalation/policy/policy_test_util.h"

namespace rentstream::escalation::policy {
namespace {

using namespace testing;  // NOLINT: test helpers

// Today 16 March 2026 (version 1 in force). Rent £100 a week; the tenant owes £610: £510
// after a week's grace, 5 whole weeks. Protocol steps done: letter 30 days ago, call 20 days ago.
CaseFacts Base() {
  CaseFacts f;
  f.today = D("2026-03-16");
  f.tenancy_type = TenancyType::kSecure;
  f.balance = Pounds("610");
  f.tenant_owed_arrears = Pounds("610");
  f.collectable_arrears = Pounds("610");
  f.weekly_rent = Pounds("100");
  AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-02-14");
  AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-02-24");
  return f;
}

struct Row {
  const char* name;
  std::function<void(CaseFacts&)> setup;
  const char* expected;
};
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class EnglandTest : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    set_ = new PolicySet;
    for (Policy& p : LoadShipped("england-default.yaml")) ASSERT_TRUE(set_->Add(std::move(p)).ok());
  }
  static PolicySet* set_;
};
PolicySet* EnglandTest::set_ = nullptr;

TEST_P(EnglandTest, FiresTheExpectedRule) {
  CaseFacts f = Base();
  GetParam().setup(f);
  auto policy = set_->Select(f.jurisdiction, f.tenancy_type, f.today);
  ASSERT_NE(policy, nullptr);
  Decision d = *Evaluate(*policy, f, {.explain = true});
  std::string why;
  for (const RuleTrace& t : d.explanation) {
    why += t.rule_id + ": " + std::string(CodeOf(t.outcome)) + " " + t.detail + "\n";
  }
  EXPECT_EQ(d.rule_id, GetParam().expected) << why;
}

void Assured(CaseFacts& f) { f.tenancy_type = TenancyType::kAssured; }
void Owe(CaseFacts& f, const char* pounds) {
  f.balance = f.tenant_owed_arrears = f.collectable_arrears = Pounds(pounds);
}

const Row kRows[] = {
    {"record_court_outcome", [](CaseFacts& f) { f.court.hearing_date = D("2026-03-01"); },
     "record_court_outcome"},
    {"record_court_outcome_even_in_breathing_space",
     [](CaseFacts& f) {
       f.court.hearing_date = D("2026-03-01");
       AddPause(f, PauseReason::kBreathingSpace, D("2026-04-30"));
     },
     "record_court_outcome"},
    {"warrant_on_breached_ppo",
     [](CaseFacts& f) {
       f.court = {D("2025-10-01"), CourtOutcome::kPostponedPossession, D("2025-10-01"), {}};
       f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kBreached,
                        D("2025-10-01")};
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2026-03-09");
     },
     "warrant_on_breached_order"},
    {"no_warrant_in_breathing_space",
     [](CaseFacts& f) {
       f.court = {D("2025-10-01"), CourtOutcome::kPostponedPossession, D("2025-10-01"), {}};
       f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kBreached,
                        D("2025-10-01")};
       AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2026-03-09");
       AddPause(f, PauseReason::kMentalHealthCrisis, std::nullopt);
     },
     ""},
    {"breach_warning_before_warrant",
     [](CaseFacts& f) {
       f.court = {D("2025-10-01"), CourtOutcome::kPostponedPossession, D("2025-10-01"), {}};
       f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kBreached,
                        D("2025-10-01")};
     },
     "arrangement_breach_warning"},
    {"informal_breach_warning",
     [](CaseFacts& f) {
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kBreached, D("2026-01-01")};
     },
     "arrangement_breach_warning"},
    {"early_contact_sms",
     [](CaseFacts& f) {
       Owe(f, "150");
       f.contacts.clear();
     },
     "early_contact_sms"},
    {"no_sms_for_benefit_timing_only",
     [](CaseFacts& f) {
       f.contacts.clear();
       f.balance = Pounds("150");
       f.tenant_owed_arrears = Pounds("0");
       f.benefit_expected = Pounds("150");
     },
     ""},
    {"pre_action_letter", [](CaseFacts& f) { f.contacts.clear(); }, "pre_action_letter"},
    {"officer_contact",
     [](CaseFacts& f) {
       f.contacts.clear();
       AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-03-02");
     },
     "officer_contact"},
    {"refer_vulnerable_tenant", [](CaseFacts& f) { f.vulnerable = true; },
     "refer_vulnerable_tenant"},
    {"recommend_nosp_for_secure", [](CaseFacts&) {}, "recommend_nosp"},
    {"no_notice_in_breathing_space",
     [](CaseFacts& f) { AddPause(f, PauseReason::kBreathingSpace, D("2026-03-16")); }, ""},
    {"notice_again_after_breathing_space_ends",
     [](CaseFacts& f) { AddPause(f, PauseReason::kBreathingSpace, D("2026-03-15")); },
     "recommend_nosp"},
    {"no_notice_with_live_arrangement",
     [](CaseFacts& f) {
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kLive, D("2026-03-01")};
     },
     ""},
    {"no_notice_while_benefit_claim_pending",
     [](CaseFacts& f) { AddPause(f, PauseReason::kBenefitClaimPending, std::nullopt); }, ""},
    {"section8_at_8_weeks_before_may_2026",
     [](CaseFacts& f) {
       Assured(f);
       Owe(f, "900");  // £800 after grace: 8 weeks
     },
     "recommend_section8"},
    {"no_section8_below_8_weeks",
     [](CaseFacts& f) {
       Assured(f);
       Owe(f, "899.99");
     },
     ""},
    {"section8_needs_13_weeks_from_may_2026",
     [](CaseFacts& f) {
       Assured(f);
       f.today = D("2026-05-01");
       Owe(f, "1300");  // 12 weeks after grace
       f.contacts.clear();
       AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-04-01");
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-04-20");
     },
     ""},
    {"section8_at_13_weeks_from_may_2026",
     [](CaseFacts& f) {
       Assured(f);
       f.today = D("2026-05-01");
       Owe(f, "1400");
       f.contacts.clear();
       AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-04-01");
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-04-20");
     },
     "recommend_section8"},
    {"uc_awaited_disregarded_from_may_2026",
     [](CaseFacts& f) {
       Assured(f);
       f.today = D("2026-05-01");
       Owe(f, "1400");
       f.uc_awaited = Pounds("0.01");
       f.contacts.clear();
       AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-04-01");
       AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-04-20");
     },
     ""},
    {"court_warning_after_nosp_period",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2026-02-16"), {}, {}};
     },
     "court_warning_letter"},
    {"no_court_warning_before_nosp_4_weeks",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2026-02-17"), {}, {}};
     },
     ""},
    {"court_claim_14_days_after_warning",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2026-01-05"), {}, {}};
       f.court.warning_sent = D("2026-03-02");
     },
     "recommend_court_claim"},
    {"no_court_claim_13_days_after_warning",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2026-01-05"), {}, {}};
       f.court.warning_sent = D("2026-03-03");
     },
     ""},
    {"nosp_lapses_after_12_months",
     [](CaseFacts& f) {
       f.notice = {NoticeKind::kNosp, D("2025-03-16"), {}, {}};
       f.court.warning_sent = D("2025-05-01");
     },
     "recommend_nosp"},
    {"old_section8_keeps_8_weeks_after_may_2026",
     [](CaseFacts& f) {
       Assured(f);
       f.today = D("2026-05-20");
       Owe(f, "900");
       f.notice = {NoticeKind::kSection8, D("2026-04-20"), {}, {}};
       f.court.warning_sent = D("2026-05-05");
     },
     "recommend_court_claim"},
    {"new_section8_needs_13_weeks_at_claim",
     [](CaseFacts& f) {
       Assured(f);
       f.today = D("2026-06-20");
       Owe(f, "900");
       f.notice = {NoticeKind::kSection8, D("2026-05-05"), {}, {}};
       f.court.warning_sent = D("2026-06-03");
     },
     ""},
    {"licence_review", [](CaseFacts& f) { f.tenancy_type = TenancyType::kLicence; },
     "licence_review"},
    {"hearing_listed_blocks", [](CaseFacts& f) { f.court.hearing_date = D("2026-04-01"); }, ""},
    // The other blockers: an officer or benefit-claim pause, and arrears that are all benefit
    // still expected (nothing the tenant owes).
    {"officer_pause_blocks",
     [](CaseFacts& f) { AddPause(f, PauseReason::kOfficer, D("2026-03-31")); }, ""},
    {"benefit_claim_pending_blocks",
     [](CaseFacts& f) { AddPause(f, PauseReason::kBenefitClaimPending, std::nullopt); }, ""},
    {"benefit_timing_is_not_arrears",
     [](CaseFacts& f) {
       f.benefit_expected = f.balance;
       f.tenant_owed_arrears = Pounds("0");
     },
     ""},
    {"unblocked_base_case_recommends_a_nosp", [](CaseFacts&) {}, "recommend_nosp"},
};

INSTANTIATE_TEST_SUITE_P(Rules, EnglandTest, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EnglandPolicyTest, VersionsAreSelectedByDate) {
  PolicySet set;
  for (Policy& p : LoadShipped("england-default.yaml")) ASSERT_TRUE(set.Add(std::move(p)).ok());
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(
      set.Select(Jurisdiction::kEngland, TenancyType::kAssured, D("2026-04-30"))->header.version,
      1);
  EXPECT_EQ(
      set.Select(Jurisdiction::kEngland, TenancyType::kAssured, D("2026-05-01"))->header.version,
      2);
  EXPECT_EQ(set.Select(Jurisdiction::kEngland, TenancyType::kAssured, D("2021-05-03")), nullptr);
  EXPECT_EQ(set.Select(Jurisdiction::kWales, TenancyType::kSecure, D("2026-05-01")), nullptr);
  Policy again = std::move(LoadShipped("england-default.yaml")[0]);
  EXPECT_FALSE(set.Add(std::move(again)).ok());
}

}  // namespace
}  // namespace rentstream::escalation::policy
