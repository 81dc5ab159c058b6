// A policy change is an audited event (issue 5): the service records each policy version it
// starts deciding with, once, on the reserved stream "POLICIES".

#include "absl/strings/str_cat.h"
#include "services/escalation/domain/arrears_case.h"
#include "services/escalation/domain/refusal.h"

namespace rentstream::escalation {
namespace {

bool SameVersion(const v1::AdoptedPolicy& a, const v1::AdoptedPolicy& b) {
  return a.policy_id() == b.policy_id() && a.version() == b.version() && a.sha256() == b.sha256();
}

}  // namespace

CaseDecision Decide(const CaseState& s, const v1::AdoptPolicies& c, const CommandInfo&) {
  constexpr int kMaxPolicies = 200;
  if (c.policies().empty() || c.policies_size() > kMaxPolicies) {
    return Invalid("policies", absl::StrCat("1..", kMaxPolicies, " policy versions"));
  }
  std::vector<CaseEvent> events;
  for (const v1::AdoptedPolicy& p : c.policies()) {
    bool known = false;
    for (const v1::AdoptedPolicy& adopted : s.adopted_policies()) known |= SameVersion(p, adopted);
    if (known) continue;
    v1::PolicyAdopted e;
    *e.mutable_policy() = p;
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace rentstream::escalation
