// wales-default.yaml and scotland-default.yaml: every rule, the notice periods, the blockers.
#include <functional>

#include "services/escalation/policy/policy_test_util.h"

namespace rentstream::escalation::policy {
namespace {

using namespace testing;  // NOLINT: test helpers

// 16 March 2026; rent £100 a week; £610 owed (£510 after grace: 5 weeks); protocol steps done.
CaseFacts Base(Jurisdiction j, TenancyType t) {
  CaseFacts f;
  f.today = D("2026-03-16");
  f.jurisdiction = j;
  f.tenancy_type = t;
  f.balance = f.tenant_owed_arrears = f.collectable_arrears = Pounds("610");
  f.weekly_rent = Pounds("100");
  AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-02-14");
  AddContact(f, ContactKind::kPhoneCall, Channel::kPhone, "2026-02-24");
  return f;
}

struct Row {
  const char* name;
  const char* file;
  Jurisdiction jurisdiction;
  TenancyType tenancy;
  std::function<void(CaseFacts&)> setup;
  const char* expected;
};
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class DefaultPolicyTest : public ::testing::TestWithParam<Row> {};

TEST_P(DefaultPolicyTest, FiresTheExpectedRule) {
  const Row& row = GetParam();
  std::vector<Policy> policies = LoadShipped(row.file);
  ASSERT_EQ(policies.size(), 1u);
  ASSERT_TRUE(policies[0].Covers(row.jurisdiction, row.tenancy));
  CaseFacts f = Base(row.jurisdiction, row.tenancy);
  row.setup(f);
  Decision d = *Evaluate(policies[0], f, {.explain = true});
  std::string why;
  for (const RuleTrace& t : d.explanation) {
    why += t.rule_id + ": " + std::string(CodeOf(t.outcome)) + " " + t.detail + "\n";
  }
  EXPECT_EQ(d.rule_id, row.expected) << why;
}

constexpr char kWales[] = "wales-default.yaml";
constexpr char kScotland[] = "scotland-default.yaml";
constexpr Jurisdiction kW = Jurisdiction::kWales;
constexpr Jurisdiction kS = Jurisdiction::kScotland;
constexpr TenancyType kSecure = TenancyType::kWalesSecureContract;
constexpr TenancyType kStandard = TenancyType::kWalesStandardContract;
constexpr TenancyType kScot = TenancyType::kScottishSecure;

void Owe(CaseFacts& f, const char* pounds) {
  f.balance = f.tenant_owed_arrears = f.collectable_arrears = Pounds(pounds);
}
void BreachedOrder(CaseFacts& f) {
  f.court = {D("2025-10-01"), CourtOutcome::kSuspendedPossession, D("2025-10-01"), {}};
  f.arrangement = {ArrangementKind::kCourtOrdered, ArrangementStatus::kBreached, D("2025-10-01")};
  AddContact(f, ContactKind::kCourtBreachLetter, Channel::kLetter, "2026-03-09");
}
void FreshContacts(CaseFacts& f) { f.contacts.clear(); }
void LetterOnly(CaseFacts& f) {
  f.contacts.clear();
  AddContact(f, ContactKind::kPreActionLetter, Channel::kLetter, "2026-03-02");
}
void Notice(CaseFacts& f, NoticeKind kind, const char* served) {
  f.notice = {kind, D(served), {}, {}};
}

const Row kRows[] = {
    // Wales
    {"wales_record_court_outcome", kWales, kW, kSecure,
     [](CaseFacts& f) { f.court.hearing_date = D("2026-03-01"); }, "record_court_outcome"},
    {"wales_warrant", kWales, kW, kSecure, BreachedOrder, "warrant_on_breached_order"},
    {"wales_breach_warning", kWales, kW, kSecure,
     [](CaseFacts& f) {
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kBreached, D("2026-01-01")};
     },
     "arrangement_breach_warning"},
    {"wales_pre_action_letter", kWales, kW, kSecure, FreshContacts, "pre_action_letter"},
    {"wales_officer_contact", kWales, kW, kSecure, LetterOnly, "officer_contact"},
    {"wales_secure_notice_at_4_weeks", kWales, kW, kSecure, [](CaseFacts&) {},
     "recommend_possession_notice"},
    {"wales_standard_no_notice_below_8_weeks", kWales, kW, kStandard, [](CaseFacts&) {}, ""},
    {"wales_standard_notice_at_8_weeks", kWales, kW, kStandard, [](CaseFacts& f) { Owe(f, "900"); },
     "recommend_possession_notice"},
    {"wales_secure_claim_one_month_after_notice", kWales, kW, kSecure,
     [](CaseFacts& f) { Notice(f, NoticeKind::kWalesPossession, "2026-02-16"); },
     "recommend_court_claim"},
    {"wales_secure_no_claim_before_a_month", kWales, kW, kSecure,
     [](CaseFacts& f) { Notice(f, NoticeKind::kWalesPossession, "2026-02-17"); }, ""},
    {"wales_standard_claim_14_days_after_notice", kWales, kW, kStandard,
     [](CaseFacts& f) {
       Owe(f, "900");
       Notice(f, NoticeKind::kWalesPossession, "2026-03-02");
     },
     "recommend_court_claim"},
    {"wales_standard_notice_lapses_after_6_months", kWales, kW, kStandard,
     [](CaseFacts& f) {
       Owe(f, "900");
       Notice(f, NoticeKind::kWalesPossession, "2025-09-16");
     },
     "recommend_possession_notice"},
    {"wales_breathing_space_blocks", kWales, kW, kSecure,
     [](CaseFacts& f) { AddPause(f, PauseReason::kBreathingSpace, D("2026-04-01")); }, ""},
    // Scotland
    {"scotland_record_court_outcome", kScotland, kS, kScot,
     [](CaseFacts& f) { f.court.hearing_date = D("2026-03-01"); }, "record_court_outcome"},
    {"scotland_enforce_decree", kScotland, kS, kScot, BreachedOrder, "enforce_decree"},
    {"scotland_breach_warning", kScotland, kS, kScot,
     [](CaseFacts& f) {
       f.arrangement = {ArrangementKind::kInformal, ArrangementStatus::kBreached, D("2026-01-01")};
     },
     "arrangement_breach_warning"},
    {"scotland_information_letter", kScotland, kS, kScot, FreshContacts,
     "pre_action_information_letter"},
    {"scotland_debt_advice", kScotland, kS, kScot, LetterOnly, "signpost_debt_advice"},
    {"scotland_notice_of_proceedings", kScotland, kS, kScot, [](CaseFacts&) {},
     "recommend_notice_of_proceedings"},
    {"scotland_claim_4_weeks_after_notice", kScotland, kS, kScot,
     [](CaseFacts& f) { Notice(f, NoticeKind::kScotlandProceedings, "2026-02-16"); },
     "recommend_court_claim"},
    {"scotland_no_claim_before_4_weeks", kScotland, kS, kScot,
     [](CaseFacts& f) { Notice(f, NoticeKind::kScotlandProceedings, "2026-02-17"); }, ""},
    {"scotland_no_proceedings_while_benefit_claim_pending", kScotland, kS, kScot,
     [](CaseFacts& f) { AddPause(f, PauseReason::kBenefitClaimPending, std::nullopt); }, ""},
    {"scotland_moratorium_blocks", kScotland, kS, kScot,
     [](CaseFacts& f) { AddPause(f, PauseReason::kBreathingSpace, D("2026-04-01")); }, ""},
};

INSTANTIATE_TEST_SUITE_P(Rules, DefaultPolicyTest, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace rentstream::escalation::policy
