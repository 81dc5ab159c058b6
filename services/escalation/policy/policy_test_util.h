#pragma once
// Test helpers: load a shipped policy from the source tree and build case facts tersely.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "services/escalation/policy/case_facts.h"
#include "services/escalation/policy/loader.h"

namespace rentstream::escalation::policy::testing {

inline std::string ReadPolicyFile(const std::string& relative) {
  std::ifstream in(std::string(RS_POLICY_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every version in a shipped file; fails the test on a load error.
inline std::vector<Policy> LoadShipped(const std::string& relative) {
  absl::StatusOr<std::vector<Policy>> p = LoadPolicies(ReadPolicyFile(relative), relative);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : std::vector<Policy>{};
}

inline core::Date D(const char* iso) { return *core::Date::Parse(iso); }
inline core::Money Pounds(const char* text) { return *core::Money::Parse(text); }

inline void AddContact(CaseFacts& f, ContactKind kind, Channel channel, const char* date) {
  f.contacts.push_back(Contact{kind, channel, D(date), false});
}

inline void AddPause(CaseFacts& f, PauseReason reason, std::optional<core::Date> until) {
  f.pauses[static_cast<int>(reason)] = policy::Pause{true, until};
}

// The id of the rule that fires ("" for none), failing the test on an evaluation error.
inline std::string FiredRule(const Policy& policy, const CaseFacts& facts) {
  absl::StatusOr<Decision> d = Evaluate(policy, facts);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? d->rule_id : "error";
}

}  // namespace rentstream::escalation::policy::testing
