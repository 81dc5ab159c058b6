#include "services/escalation/policy/evaluator.h"

#include <gtest/gtest.h>

#include "services/escalation/policy/compiler.h"

namespace rentstream::escalation::policy {
namespace {

core::Date D(const char* iso) { return *core::Date::Parse(iso); }
core::Money P(int64_t pence) { return core::Money::FromPence(pence); }

enum class Tri { kFalse, kTrue, kUnset };

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() {
    facts_.today = D("2026-03-16");
    facts_.balance = P(50000);
    facts_.weekly_rent = P(12000);
    facts_.collectable_arrears = P(38000);
    facts_.payments_this_week = P(2000);
  }

  // Compiles a boolean expression (with optional definitions) and evaluates it on facts_.
  absl::StatusOr<Tri> Eval(const std::string& text,
                           const std::vector<DefinitionSource>& defs = {}) {
    Program program;
    Compiler compiler("t.yaml", &program);
    if (absl::Status st = compiler.AddDefinitions(defs); !st.ok()) return st;
    absl::StatusOr<CompiledExpr> e = compiler.CompileCondition(text, 7, "test");
    if (!e.ok()) return e.status();
    Evaluator ev(program, facts_);
    Value v = ev.Eval(e->root);
    if (ev.overflowed()) return absl::OutOfRangeError("overflow");
    if (!v.set) return Tri::kUnset;
    return v.v ? Tri::kTrue : Tri::kFalse;
  }
  std::string Error(const std::string& text, const std::vector<DefinitionSource>& defs = {}) {
    absl::StatusOr<Tri> r = Eval(text, defs);
    return r.ok() ? "ok" : std::string(r.status().message());
  }

  CaseFacts facts_;
};

TEST_F(EvaluatorTest, MoneyIsExactPence) {
  EXPECT_EQ(*Eval("balance == £500.00"), Tri::kTrue);
  EXPECT_EQ(*Eval("balance - 4 * weekly_rent == 20.00"), Tri::kTrue);
  EXPECT_EQ(*Eval("weekly_rent * 3 > balance"), Tri::kFalse);
  EXPECT_EQ(*Eval("max(0.00, weekly_rent - payments_this_week) == 100.00"), Tri::kTrue);
  EXPECT_EQ(*Eval("min(balance, weekly_rent) == weekly_rent"), Tri::kTrue);
  EXPECT_EQ(*Eval("-balance < 0.00"), Tri::kTrue);
  EXPECT_EQ(*Eval("0.1 + 0.2 == 0.30"), Tri::kTrue);
}

TEST_F(EvaluatorTest, WeeksOfRentRoundsDown) {
  EXPECT_EQ(*Eval("weeks_of_rent(balance) == 4"), Tri::kTrue);
  facts_.weekly_rent = P(0);
  EXPECT_EQ(*Eval("weeks_of_rent(balance) == 4"), Tri::kUnset);
}

TEST_F(EvaluatorTest, DatesAndCalendarMonths) {
  facts_.last_payment_date = D("2026-03-04");
  EXPECT_EQ(*Eval("days_since(last_payment_date) == 12"), Tri::kTrue);
  EXPECT_EQ(*Eval("days_until(2026-03-20) == 4"), Tri::kTrue);
  EXPECT_EQ(*Eval("days_between(2026-03-01, today) == 15"), Tri::kTrue);
  EXPECT_EQ(*Eval("add_months(2025-12-16, 3) == today"), Tri::kTrue);
  EXPECT_EQ(*Eval("add_months(2026-01-31, 1) == 2026-02-28"), Tri::kTrue);
  EXPECT_EQ(*Eval("add_weeks(today, 52) == 2027-03-15"), Tri::kTrue);
  EXPECT_EQ(*Eval("add_days(today, -7) == 2026-03-09"), Tri::kTrue);
  EXPECT_EQ(*Eval("months_since(2025-12-16) == 3"), Tri::kTrue);
  EXPECT_EQ(*Eval("months_since(2025-12-17) == 2"), Tri::kTrue);
  EXPECT_EQ(*Eval("months_since(2026-04-16) == -1"), Tri::kTrue);
}

TEST_F(EvaluatorTest, MissingValuesFollowKleeneLogic) {
  // No last payment: comparisons are unknown, is_set and coalesce handle it explicitly.
  EXPECT_EQ(*Eval("days_since(last_payment_date) >= 8"), Tri::kUnset);
  EXPECT_EQ(*Eval("not (days_since(last_payment_date) >= 8)"), Tri::kUnset);
  EXPECT_EQ(*Eval("is_set(last_payment_date)"), Tri::kFalse);
  EXPECT_EQ(*Eval("not is_set(last_payment_date) or days_since(last_payment_date) >= 8"),
            Tri::kTrue);
  EXPECT_EQ(*Eval("is_set(last_payment_date) and days_since(last_payment_date) >= 8"), Tri::kFalse);
  EXPECT_EQ(*Eval("coalesce(days_since(last_payment_date), 9999) >= 8"), Tri::kTrue);
  EXPECT_EQ(*Eval("days_since(last_payment_date) >= 8 or true"), Tri::kTrue);
  EXPECT_EQ(*Eval("days_since(last_payment_date) >= 8 and false"), Tri::kFalse);
  EXPECT_EQ(*Eval("if(is_set(court_date), court_date < today, false)"), Tri::kFalse);
}

TEST_F(EvaluatorTest, EnumerationsCompareWithCheckedCodes) {
  facts_.court.outcome = CourtOutcome::kOutrightDated;
  EXPECT_EQ(*Eval("court_outcome == 'outright_dated'"), Tri::kTrue);
  EXPECT_EQ(*Eval("'outright_dated' != court_outcome"), Tri::kFalse);
  EXPECT_EQ(*Eval("court_outcome in ['outright_forthwith', 'outright_dated']"), Tri::kTrue);
  EXPECT_EQ(*Eval("court_outcome not in ['dismissed']"), Tri::kTrue);
  EXPECT_EQ(Error("court_outcome == 'outright'"),
            "t.yaml:7: test: column 18: unknown court outcome 'outright' (expected none, "
            "adjourned, adjourned_on_terms, dismissed, suspended_possession, "
            "postponed_possession, outright_forthwith, outright_dated, money_judgment)");
}

TEST_F(EvaluatorTest, Contacts) {
  facts_.contacts = {{ContactKind::kSmsFirst, Channel::kSms, D("2026-01-10"), false},
                     {ContactKind::kLetterOne, Channel::kLetter, D("2026-02-01"), false},
                     {ContactKind::kPhoneCall, Channel::kPhone, D("2026-03-01"), true}};
  EXPECT_EQ(*Eval("last_contact('letter_one', 'letter_two') == 2026-02-01"), Tri::kTrue);
  EXPECT_EQ(*Eval("last_contact() == 2026-03-01"), Tri::kTrue);
  EXPECT_EQ(*Eval("last_delivered_contact() == 2026-02-01"), Tri::kTrue);
  EXPECT_EQ(*Eval("last_contact_via('sms') == 2026-01-10"), Tri::kTrue);
  EXPECT_EQ(*Eval("last_contact_is('phone_call')"), Tri::kTrue);
  EXPECT_EQ(*Eval("last_contact_kind == 'phone_call'"), Tri::kTrue);
  EXPECT_EQ(*Eval("count_contacts_since(2026-01-10) == 3"), Tri::kTrue);
  EXPECT_EQ(*Eval("count_contacts_since(2026-01-11, 'sms_first') == 0"), Tri::kTrue);
  EXPECT_EQ(*Eval("is_set(last_contact('court_warning_letter'))"), Tri::kFalse);
  facts_.contacts.clear();
  EXPECT_EQ(*Eval("last_contact_is('warrant_applied')"), Tri::kFalse);
  EXPECT_EQ(*Eval("last_contact_kind == 'warrant_applied'"), Tri::kUnset);
}

TEST_F(EvaluatorTest, PausesLastThroughTheirUntilDay) {
  facts_.pauses[static_cast<int>(PauseReason::kBreathingSpace)] = {true, D("2026-03-16")};
  EXPECT_EQ(*Eval("paused('breathing_space')"), Tri::kTrue);
  EXPECT_EQ(*Eval("paused()"), Tri::kTrue);
  EXPECT_EQ(*Eval("paused('dispute')"), Tri::kFalse);
  EXPECT_EQ(*Eval("pause_until() == today"), Tri::kTrue);
  facts_.today = D("2026-03-17");
  EXPECT_EQ(*Eval("paused('breathing_space')"), Tri::kFalse);
  EXPECT_EQ(*Eval("is_set(pause_until())"), Tri::kFalse);
  facts_.pauses[static_cast<int>(PauseReason::kOfficer)] = {true, std::nullopt};
  EXPECT_EQ(*Eval("paused('officer')"), Tri::kTrue);
}

TEST_F(EvaluatorTest, DefinitionsAreComputedAndChecked) {
  std::vector<DefinitionSource> defs = {{"grace", "max(0.00, weekly_rent - payments_this_week)", 3},
                                        {"arrears_after_grace", "collectable_arrears - grace", 4}};
  EXPECT_EQ(*Eval("arrears_after_grace == 280.00", defs), Tri::kTrue);
  EXPECT_EQ(Error("x", {{"a", "b + 1", 3}, {"b", "c", 4}, {"c", "a", 5}}),
            "t.yaml:5: definition c: definitions form a cycle: a -> b -> c -> a");
  EXPECT_EQ(Error("x", {{"a", "a", 3}}),
            "t.yaml:3: definition a: definitions form a cycle: a -> a");
  EXPECT_EQ(Error("x", {{"a", "1", 3}, {"a", "2", 4}}), "t.yaml:4: definition a: defined twice");
  EXPECT_EQ(Error("x", {{"a", "1 +", 3}}),
            "t.yaml:3: definition a: column 4: expected a value, found end of expression");
  EXPECT_EQ(Error("x", {{"balance", "1", 3}}),
            "t.yaml:3: definition balance: shadows the fact of the same name");
}

TEST_F(EvaluatorTest, TypeErrors) {
  EXPECT_EQ(Error("balance >= 10"), "t.yaml:7: test: column 1: cannot compare money with integer");
  EXPECT_EQ(Error("balance * balance > 0.00"),
            "t.yaml:7: test: column 1: cannot multiply money by money");
  EXPECT_EQ(Error("today + 1 > today"),
            "t.yaml:7: test: column 1: cannot add integer to date (use "
            "add_days/add_months/days_between)");
  EXPECT_EQ(Error("balance"),
            "t.yaml:7: test: column 1: a condition must be boolean, this is money");
  EXPECT_EQ(Error("nonsense > 1"), "t.yaml:7: test: column 1: unknown identifier 'nonsense'");
  EXPECT_EQ(Error("frob(1)"), "t.yaml:7: test: column 1: unknown function 'frob'");
  EXPECT_EQ(Error("days_since(1) > 1"),
            "t.yaml:7: test: column 1: days_since() expects a date, not integer");
  EXPECT_EQ(Error("days_since() > 1"),
            "t.yaml:7: test: column 1: days_since() takes 1 argument, not 0");
  EXPECT_EQ(Error("paused('holiday')"),
            "t.yaml:7: test: column 8: unknown pause reason 'holiday' (expected breathing_space, "
            "mental_health_crisis, benefit_claim_pending, vulnerability, dispute, deceased, "
            "officer)");
  EXPECT_EQ(Error("balance < 'x'"),
            "t.yaml:7: test: column 11: the code 'x' cannot be compared with money by order");
  EXPECT_EQ(Error("vulnerable < true"), "t.yaml:7: test: column 1: boolean values have no order");
  EXPECT_EQ(Error("balance in ['a']"),
            "t.yaml:7: test: column 1: 'in' needs a value of an enumeration, not money");
}

TEST_F(EvaluatorTest, OverflowIsReported) {
  EXPECT_EQ(Eval("balance * 9223372036854775807 > 0.00").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Eval("add_days(today, 3000000) > today").status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(RenderValueTest, EachType) {
  EXPECT_EQ(RenderValue(Value::Of(1250), ValueType::kMoney, nullptr), "£12.50");
  EXPECT_EQ(RenderValue(Value::Of(0), ValueType::kDate, nullptr), "1970-01-01");
  EXPECT_EQ(RenderValue(Value::Of(1), ValueType::kBool, nullptr), "true");
  EXPECT_EQ(RenderValue(Value::Of(2), ValueType::kEnum, &ContactKindCodes()), "letter_one");
  EXPECT_EQ(RenderValue(Value::Unset(), ValueType::kInt, nullptr), "unset");
}

}  // namespace
}  // namespace rentstream::escalation::policy
