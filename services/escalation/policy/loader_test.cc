// Malformed policies are refused with "file:line: reason", the line of the offending node.
#include "services/escalation/policy/loader.h"

#include <gtest/gtest.h>

namespace rentstream::escalation::policy {
namespace {

constexpr char kHeader[] = R"(id: p
version: 3
effective_from: 2026-01-01
jurisdiction: england
tenancy_types: [secure]
)";

std::string Error(const std::string& body) {
  absl::StatusOr<Policy> p = LoadPolicy(std::string(kHeader) + body, "p.yaml");
  return p.ok() ? "ok" : std::string(p.status().message());
}

constexpr char kRule[] = R"(rules:
  - id: r1
    precedence: 1
    trigger: "balance > £0.00"
    action: {kind: no_action}
)";

TEST(LoaderTest, LoadsAMinimalPolicy) {
  absl::StatusOr<Policy> p = LoadPolicy(std::string(kHeader) + kRule, "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->header.id, "p");
  EXPECT_EQ(p->header.version, 3);
  EXPECT_EQ(p->header.effective_from.ToIso(), "2026-01-01");
  EXPECT_TRUE(p->Covers(Jurisdiction::kEngland, TenancyType::kSecure));
  EXPECT_FALSE(p->Covers(Jurisdiction::kEngland, TenancyType::kAssured));
  ASSERT_EQ(p->rules.size(), 1u);
  EXPECT_EQ(p->rules[0].line, 7);
}

TEST(LoaderTest, RulesAreOrderedByPrecedence) {
  absl::StatusOr<Policy> p = LoadPolicy(std::string(kHeader) + R"(rules:
  - {id: later, precedence: 20, trigger: "true", action: {kind: no_action}}
  - {id: first, precedence: 5, trigger: "true", action: {kind: no_action}}
)",
                                        "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->rules[0].id, "first");
  CaseFacts f;
  EXPECT_EQ(Evaluate(*p, f)->rule_id, "first");
}

TEST(LoaderTest, YamlSyntaxError) {
  EXPECT_EQ(Error("rules: [\n  - {id: x\n"), "p.yaml:7: illegal block entry");
}

TEST(LoaderTest, HeaderErrors) {
  EXPECT_EQ(LoadPolicy("id: p\n", "p.yaml").status().message(), "p.yaml:1: missing 'version'");
  EXPECT_EQ(LoadPolicy("- a\n", "p.yaml").status().message(),
            "p.yaml:1: expected a policy (a mapping of key: value)");
  std::string bad_date = kHeader;
  bad_date.replace(bad_date.find("2026-01-01"), 10, "2026-13-01");
  EXPECT_EQ(LoadPolicy(bad_date + kRule, "p.yaml").status().message(),
            "p.yaml:3: 'effective_from' is not a date YYYY-MM-DD: \"2026-13-01\"");
  std::string bad_type = kHeader;
  bad_type.replace(bad_type.find("[secure]"), 8, "[secure, flat]");
  EXPECT_EQ(LoadPolicy(bad_type + kRule, "p.yaml").status().message(),
            "p.yaml:5: unknown tenancy type 'flat' (expected secure, assured, starter, licence, "
            "wales_secure_contract, wales_standard_contract, scottish_secure)");
}

TEST(LoaderTest, UnknownKeyIsRefused) {
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    gaurds: ["true"]
    action: {kind: no_action}
)"),
            "p.yaml:10: unknown key 'gaurds' (expected one of id, precedence, description, "
            "trigger, guards, ignore_blockers, action)");
}

TEST(LoaderTest, ExpressionErrorsCarryTheirLine) {
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "balance >"
    action: {kind: no_action}
)"),
            "p.yaml:9: rule r1 trigger: column 10: expected a value, found end of expression");
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    guards:
      - "true"
      - "balanse > £1"
    action: {kind: no_action}
)"),
            "p.yaml:12: rule r1 guard: column 1: unknown identifier 'balanse'");
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    guards:
      - {name: g, when: "balance > 1"}
    action: {kind: no_action}
)"),
            "p.yaml:11: rule r1 guard g when: column 1: cannot compare money with integer");
}

TEST(LoaderTest, DefinitionErrors) {
  EXPECT_EQ(Error(R"(definitions:
  a: "b"
  b: "c and true"
  c: "a"
)" + std::string(kRule)),
            "p.yaml:9: definition c: definitions form a cycle: a -> b -> c -> a");
  EXPECT_EQ(Error("definitions:\n  a: \"1\"\n  a: \"2\"\n" + std::string(kRule)),
            "p.yaml:8: definition a: defined twice");
  EXPECT_EQ(Error("definitions:\n  a: \"frob()\"\n" + std::string(kRule)),
            "p.yaml:7: definition a: column 1: unknown function 'frob'");
}

TEST(LoaderTest, DuplicateRuleIdAndPrecedence) {
  EXPECT_EQ(Error(R"(rules:
  - {id: r1, precedence: 1, trigger: "true", action: {kind: no_action}}
  - {id: r1, precedence: 2, trigger: "true", action: {kind: no_action}}
)"),
            "p.yaml:8: duplicate rule id 'r1' (first at line 7)");
  EXPECT_EQ(Error(R"(rules:
  - {id: r1, precedence: 1, trigger: "true", action: {kind: no_action}}
  - {id: r2, precedence: 1, trigger: "true", action: {kind: no_action}}
)"),
            "p.yaml:8: duplicate precedence 1 (rule 'r1' has it)");
}

TEST(LoaderTest, ActionErrors) {
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    action: {kind: send_fax}
)"),
            "p.yaml:10: unknown action kind 'send_fax' (expected no_action, update_data, "
            "send_template, create_task, propose_referral, recommend_notice, "
            "recommend_court_claim, recommend_warrant)");
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    action: {kind: send_template, template: t}
)"),
            "p.yaml:10: action send_template needs 'channel'");
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
    action: {kind: send_template, template: t, channel: pigeon}
)"),
            "p.yaml:10: unknown channel 'pigeon' (expected sms, letter, email, phone, visit)");
  EXPECT_EQ(Error(R"(rules:
  - id: r1
    precedence: 1
    trigger: "true"
)"),
            "p.yaml:7: missing 'action'");
}

TEST(LoaderTest, BlockerErrors) {
  EXPECT_EQ(Error(R"(blockers:
  - {id: b, when: "true"}
  - {id: b, when: "false"}
)" + std::string(kRule)),
            "p.yaml:8: duplicate blocker id 'b'");
  EXPECT_EQ(Error(R"(blockers:
  - {id: b, when: "true"}
rules:
  - id: r1
    precedence: 1
    trigger: "true"
    ignore_blockers: [c]
    action: {kind: no_action}
)"),
            "p.yaml:12: unknown blocker 'c'");
}

TEST(LoaderTest, VersionsInOneFile) {
  std::string two = std::string(kHeader) + kRule + "---\n" + kHeader + kRule;
  EXPECT_EQ(LoadPolicies(two, "p.yaml").status().message(), "p.yaml:13: version 3 of 'p' twice");
  std::string v4 = kHeader;
  v4.replace(v4.find("version: 3"), 10, "version: 4");
  absl::StatusOr<std::vector<Policy>> ok =
      LoadPolicies(std::string(kHeader) + kRule + "---\n" + v4 + kRule, "p.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->size(), 2u);
  EXPECT_EQ(
      LoadPolicy(std::string(kHeader) + kRule + "---\n" + v4 + kRule, "p.yaml").status().message(),
      "p.yaml:1: expected one policy version, found 2");
}

}  // namespace
}  // namespace rentstream::escalation::policy
