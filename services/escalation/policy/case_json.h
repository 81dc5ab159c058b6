#pragma once
// The JSON form of a case snapshot (services/escalation/policies/README.md, "Case JSON") for
// `rentstream policy eval`, and the JSON form of a decision. Errors name the field:
// `contacts[2].date: not a date "2026-13-01"`.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/escalation/policy/case_facts.h"
#include "services/escalation/policy/policy.h"

namespace rentstream::escalation::policy {

// Money is a decimal string ("12.50"); dates are "YYYY-MM-DD"; optional dates may be null or
// absent; unknown keys are refused (a misspelt key must not silently drop a fact). `today` is
// required unless `default_today` is given.
absl::StatusOr<CaseFacts> CaseFactsFromJson(absl::string_view json,
                                            std::optional<core::Date> default_today = {});

// {"policy_id", "policy_version", "rule_id" (null: no rule fired), "action", "inputs",
//  "explanation"} with two-space indentation.
std::string DecisionToJson(const Decision& decision);

}  // namespace rentstream::escalation::policy
