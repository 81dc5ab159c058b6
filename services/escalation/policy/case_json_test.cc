#include "services/escalation/policy/case_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rentstream::escalation::policy {
namespace {

constexpr char kCase[] = R"({
  "today": "2026-03-16",
  "jurisdiction": "england",
  "tenancy_type": "assured",
  "balance": "500.00",
  "tenant_owed_arrears": "450.00",
  "benefit_expected": "50.00",
  "uc_awaited": "50",
  "collectable_arrears": "480.00",
  "weekly_rent": "100.00",
  "payments_this_week": "20.00",
  "last_payment_date": "2026-03-14",
  "latest_letter_failed_validation": true,
  "contacts": [
    {"kind": "letter_one", "channel": "letter", "date": "2026-02-01"},
    {"kind": "sms_first", "channel": "sms", "date": "2026-02-10", "failed": true}
  ],
  "notice": {"kind": "section8", "served": "2026-01-05", "valid_until": null},
  "court": {"hearing_date": "2026-04-20", "outcome": "none", "warning_sent": "2026-03-01"},
  "eviction_date": null,
  "warrant": {"applied": "2026-03-10"},
  "arrangement": {"kind": "informal", "status": "breached", "start": "2026-01-10"},
  "pauses": [{"reason": "breathing_space", "until": "2026-05-01"}, {"reason": "officer"}],
  "vulnerable": true
})";

TEST(CaseJsonTest, ParsesEveryField) {
  absl::StatusOr<CaseFacts> f = CaseFactsFromJson(kCase);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->today.ToIso(), "2026-03-16");
  EXPECT_EQ(f->tenancy_type, TenancyType::kAssured);
  EXPECT_EQ(f->balance.pence(), 50000);
  EXPECT_EQ(f->tenant_owed_arrears.pence(), 45000);
  EXPECT_EQ(f->uc_awaited.pence(), 5000);
  EXPECT_EQ(f->payments_this_week.pence(), 2000);
  EXPECT_EQ(f->last_payment_date->ToIso(), "2026-03-14");
  EXPECT_TRUE(f->latest_letter_failed_validation);
  ASSERT_EQ(f->contacts.size(), 2u);
  EXPECT_EQ(f->contacts[1].kind, ContactKind::kSmsFirst);
  EXPECT_EQ(f->contacts[1].channel, Channel::kSms);
  EXPECT_TRUE(f->contacts[1].failed);
  EXPECT_EQ(f->notice.kind, NoticeKind::kSection8);
  EXPECT_FALSE(f->notice.valid_until.has_value());
  EXPECT_EQ(f->court.hearing_date->ToIso(), "2026-04-20");
  EXPECT_EQ(f->warrant.applied->ToIso(), "2026-03-10");
  EXPECT_EQ(f->arrangement.status, ArrangementStatus::kBreached);
  EXPECT_TRUE(f->pauses[static_cast<int>(PauseReason::kBreathingSpace)].active);
  EXPECT_FALSE(f->pauses[static_cast<int>(PauseReason::kOfficer)].until.has_value());
  EXPECT_TRUE(f->pauses[static_cast<int>(PauseReason::kOfficer)].active);
  EXPECT_FALSE(f->pauses[static_cast<int>(PauseReason::kDispute)].active);
  EXPECT_TRUE(f->vulnerable);
}

TEST(CaseJsonTest, TodayCanComeFromTheCaller) {
  auto f = CaseFactsFromJson(R"({"balance": "1.00"})", core::Date::Parse("2026-01-02").value());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->today.ToIso(), "2026-01-02");
  EXPECT_EQ(CaseFactsFromJson(R"({"balance": "1.00"})").status().message(), "today: required");
}

std::string Error(const std::string& json) {
  auto f = CaseFactsFromJson(json);
  return f.ok() ? "ok" : std::string(f.status().message());
}

TEST(CaseJsonTest, ErrorsNameTheField) {
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "contacts": [
      {"kind": "letter_one", "channel": "letter", "date": "2026-02-01"},
      {"kind": "letter_one", "channel": "letter", "date": "2026-02-01"},
      {"kind": "letter_one", "channel": "letter", "date": "2026-13-01"}]})"),
            "contacts[2].date: not a date \"2026-13-01\"");
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "balance": 12.5})"),
            "balance: expected an amount as a decimal string, e.g. \"12.50\"");
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "balance": "12.505"})"),
            "balance: not an amount \"12.505\"");
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "court": {"outcome": "won"}})"),
            "court.outcome: unknown court outcome \"won\" (expected none, adjourned, "
            "adjourned_on_terms, dismissed, suspended_possession, postponed_possession, "
            "outright_forthwith, outright_dated, money_judgment)");
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "balanse": "1.00"})").substr(0, 23),
            "balanse: unknown field ");
  EXPECT_EQ(
      Error(
          R"({"today": "2026-03-16", "contacts": [{"kind": "letter_one", "date": "2026-01-01"}]})"),
      "contacts[0].channel: required");
  EXPECT_EQ(Error(R"({"today": "2026-03-16", "pauses": [{"reason": "holiday"}]})").substr(0, 37),
            "pauses[0].reason: unknown pause reaso");
  EXPECT_EQ(Error("{"), "case: not valid JSON");
}

TEST(CaseJsonTest, DecisionJson) {
  Decision d;
  d.policy_id = "p";
  d.policy_version = 2;
  d.rule_id = "send_letter_one";
  d.action.kind = ActionKind::kSendTemplate;
  d.action.template_id = "letter_one";
  d.action.channel = Channel::kLetter;
  d.inputs = {{"arrears_after_grace", "£400.00"}};
  d.explanation = {{"send_first_sms", RuleOutcome::kTriggerFalse, "x"},
                   {"send_letter_one", RuleOutcome::kFired, ""}};
  nlohmann::json j = nlohmann::json::parse(DecisionToJson(d));
  EXPECT_EQ(j["rule_id"], "send_letter_one");
  EXPECT_EQ(j["policy_version"], 2);
  EXPECT_EQ(j["action"]["channel"], "letter");
  EXPECT_EQ(j["inputs"]["arrears_after_grace"], "£400.00");
  EXPECT_EQ(j["explanation"][0]["outcome"], "trigger_false");
  EXPECT_FALSE(j["explanation"][1].contains("detail"));
  d.rule_id.clear();
  EXPECT_TRUE(nlohmann::json::parse(DecisionToJson(d))["rule_id"].is_null());
}

}  // namespace
}  // namespace rentstream::escalation::policy
