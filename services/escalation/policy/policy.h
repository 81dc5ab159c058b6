#pragma once
// A loaded escalation policy (one version) and its evaluation. A policy is data: rules in explicit
// precedence order, each a trigger, guards and an action, plus global blockers and named
// definitions (schema: services/escalation/policies/README.md). Evaluation returns ONE decision:
// the first rule in precedence order whose blockers do not apply and whose trigger and guards all
// hold, or no action.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "services/escalation/policy/case_facts.h"
#include "services/escalation/policy/program.h"

namespace rentstream::escalation::policy {

enum class ActionKind : uint8_t {
  kNoAction,
  kUpdateData,  // the case's data is incomplete or inconsistent: an officer must fix it
  kSendTemplate,
  kCreateTask,
  kProposeReferral,
  kRecommendNotice,
  kRecommendCourtClaim,
  kRecommendWarrant,
};
absl::string_view CodeOf(ActionKind kind);
const EnumCodes& ActionKindCodes();

struct Action {
  ActionKind kind = ActionKind::kNoAction;
  std::string template_id;                // send_template
  std::optional<Channel> channel;         // send_template
  std::string task;                       // create_task, update_data: what the officer must do
  std::string referral;                   // propose_referral: to whom (debt advice, DHP, ...)
  NoticeKind notice = NoticeKind::kNone;  // recommend_notice
  std::string summary;                    // for people: one line
};

inline constexpr int kMaxRules = 100;
inline constexpr int kMaxGuards = 16;
inline constexpr int kMaxBlockers = 32;

struct Blocker {
  std::string id;
  CompiledExpr when;  // blocks while true, and while unknown (fail safe)
};

struct Rule {
  std::string id;
  int precedence = 0;  // 1 is considered first; unique within a policy
  std::string description;
  CompiledExpr trigger;
  std::vector<CompiledExpr> guards;  // all must hold
  uint32_t blockers = 0;             // bit per Policy::blockers entry that applies to this rule
  Action action;
  int line = 0;
  std::vector<InputRef> inputs;  // what the trigger and guards read
};

struct PolicyHeader {
  std::string id;
  int version = 0;
  core::Date effective_from;
  Jurisdiction jurisdiction = Jurisdiction::kEngland;
  std::vector<TenancyType> tenancy_types;
  std::string description;
  std::string file;  // where it was loaded from, for messages
};

struct Policy {
  PolicyHeader header;
  std::vector<Blocker> blockers;
  std::vector<Rule> rules;  // sorted by precedence
  Program program;
  bool Covers(Jurisdiction j, TenancyType t) const;
};

// Why a rule did or did not fire (explanations).
enum class RuleOutcome : uint8_t {
  kFired,
  kBlocked,  // detail: the blocker id
  kTriggerFalse,
  kTriggerUnknown,  // detail: the unset values it read
  kGuardFalse,      // detail: the guard
  kGuardUnknown,    // detail: the guard, then the unset values it read
};
absl::string_view CodeOf(RuleOutcome outcome);

struct RuleTrace {
  std::string rule_id;
  RuleOutcome outcome = RuleOutcome::kTriggerFalse;
  std::string detail;
};

struct DecisionInput {
  std::string name;
  std::string value;  // rendered: "£12.50", "2026-05-01", "14", "letter_one", "unset"
};

struct Decision {
  std::string policy_id;
  int policy_version = 0;
  std::string rule_id;  // empty: no rule fired
  Action action;        // kNoAction when no rule fired
  std::vector<DecisionInput> inputs;
  std::vector<RuleTrace> explanation;  // only with EvaluateOptions::explain
};

struct EvaluateOptions {
  // Trace every rule considered, in order, up to the one that fired.
  bool explain = false;
};

// OUT_OF_RANGE if arithmetic overflowed on the way to the decision.
absl::StatusOr<Decision> Evaluate(const Policy& policy, const CaseFacts& facts,
                                  const EvaluateOptions& options = {});

// The hot path: the index in policy.rules of the rule that fires, or -1. Allocates nothing.
absl::StatusOr<int> FiringRule(const Policy& policy, const CaseFacts& facts);

}  // namespace rentstream::escalation::policy
