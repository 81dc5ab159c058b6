#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/escalation/policy/evaluator.h"
#include "services/escalation/policy/policy.h"

namespace rentstream::escalation::policy {
namespace {

constexpr absl::string_view kActionKinds[] = {
    "no_action",        "update_data",      "send_template",         "create_task",
    "propose_referral", "recommend_notice", "recommend_court_claim", "recommend_warrant"};
constexpr absl::string_view kRuleOutcomes[] = {"fired",           "blocked",     "trigger_false",
                                               "trigger_unknown", "guard_false", "guard_unknown"};

// Checks rules against one case, computing each blocker at most once.
class RuleChecker {
 public:
  RuleChecker(const Policy& policy, const CaseFacts& facts)
      : policy_(policy), eval_(policy.program, facts) {}

  // The outcome for `rule`; `detail` is the blocker or guard index that decided it.
  RuleOutcome Check(const Rule& rule, int* detail) {
    for (size_t b = 0; b < policy_.blockers.size(); ++b) {
      if ((rule.blockers >> b & 1) && Blocks(b)) {
        *detail = static_cast<int>(b);
        return RuleOutcome::kBlocked;
      }
    }
    Value t = eval_.Eval(rule.trigger.root);
    if (!t.set) return RuleOutcome::kTriggerUnknown;
    if (!t.v) return RuleOutcome::kTriggerFalse;
    for (size_t g = 0; g < rule.guards.size(); ++g) {
      Value v = eval_.Eval(rule.guards[g].root);
      *detail = static_cast<int>(g);
      if (!v.set) return RuleOutcome::kGuardUnknown;
      if (!v.v) return RuleOutcome::kGuardFalse;
    }
    return RuleOutcome::kFired;
  }

  Evaluator& evaluator() { return eval_; }

 private:
  // Fail safe: a blocker whose value is unknown blocks.
  bool Blocks(size_t b) {
    uint32_t bit = uint32_t{1} << b;
    if ((computed_ & bit) == 0) {
      Value v = eval_.Eval(policy_.blockers[b].when.root);
      if (!v.set || v.v) blocking_ |= bit;
      computed_ |= bit;
    }
    return (blocking_ & bit) != 0;
  }

  const Policy& policy_;
  Evaluator eval_;
  uint32_t computed_ = 0;
  uint32_t blocking_ = 0;
};

std::string Render(Evaluator& eval, const Program& program, const InputRef& in) {
  const Node& n = program.nodes[in.node];
  return RenderValue(eval.Eval(in.node), n.type, n.codes);
}

std::string UnsetInputs(Evaluator& eval, const CompiledExpr& e) {
  std::vector<std::string> unset;
  for (const InputRef& in : e.inputs) {
    if (!eval.Eval(in.node).set) unset.push_back(in.name);
  }
  return unset.empty() ? "" : absl::StrCat(" (unset: ", absl::StrJoin(unset, ", "), ")");
}

RuleTrace Trace(const Policy& policy, const Rule& rule, RuleOutcome outcome, int detail,
                Evaluator& eval) {
  RuleTrace t{rule.id, outcome, ""};
  switch (outcome) {
    case RuleOutcome::kBlocked:
      t.detail = policy.blockers[detail].id;
      break;
    case RuleOutcome::kTriggerFalse:
      t.detail = rule.trigger.name;
      break;
    case RuleOutcome::kTriggerUnknown:
      t.detail = rule.trigger.name + UnsetInputs(eval, rule.trigger);
      break;
    case RuleOutcome::kGuardFalse:
      t.detail = rule.guards[detail].name;
      break;
    case RuleOutcome::kGuardUnknown:
      t.detail = rule.guards[detail].name + UnsetInputs(eval, rule.guards[detail]);
      break;
    case RuleOutcome::kFired:
      break;
  }
  return t;
}

absl::Status OverflowError(const Policy& policy) {
  return absl::OutOfRangeError(absl::StrCat("policy ", policy.header.id, " v",
                                            policy.header.version,
                                            ": arithmetic overflow while evaluating the case"));
}

}  // namespace

absl::string_view CodeOf(ActionKind kind) { return kActionKinds[static_cast<int>(kind)]; }
absl::string_view CodeOf(RuleOutcome outcome) { return kRuleOutcomes[static_cast<int>(outcome)]; }

const EnumCodes& ActionKindCodes() {
  static constexpr EnumCodes kCodes{"action kind", kActionKinds,
                                    static_cast<int>(std::size(kActionKinds))};
  return kCodes;
}

bool Policy::Covers(Jurisdiction j, TenancyType t) const {
  return header.jurisdiction == j &&
         std::find(header.tenancy_types.begin(), header.tenancy_types.end(), t) !=
             header.tenancy_types.end();
}

absl::StatusOr<int> FiringRule(const Policy& policy, const CaseFacts& facts) {
  RuleChecker checker(policy, facts);
  int fired = -1;
  for (size_t i = 0; i < policy.rules.size() && fired < 0; ++i) {
    int detail = 0;
    if (checker.Check(policy.rules[i], &detail) == RuleOutcome::kFired) fired = static_cast<int>(i);
  }
  if (checker.evaluator().overflowed()) return OverflowError(policy);
  return fired;
}

absl::StatusOr<Decision> Evaluate(const Policy& policy, const CaseFacts& facts,
                                  const EvaluateOptions& options) {
  RuleChecker checker(policy, facts);
  Decision d;
  d.policy_id = policy.header.id;
  d.policy_version = policy.header.version;
  for (const Rule& rule : policy.rules) {
    int detail = 0;
    RuleOutcome outcome = checker.Check(rule, &detail);
    if (options.explain) {
      d.explanation.push_back(Trace(policy, rule, outcome, detail, checker.evaluator()));
    }
    if (outcome != RuleOutcome::kFired) continue;
    d.rule_id = rule.id;
    d.action = rule.action;
    d.inputs.reserve(rule.inputs.size());
    for (const InputRef& in : rule.inputs) {
      d.inputs.push_back({in.name, Render(checker.evaluator(), policy.program, in)});
    }
    break;
  }
  if (checker.evaluator().overflowed()) return OverflowError(policy);
  return d;
}

}  // namespace rentstream::escalation::policy
