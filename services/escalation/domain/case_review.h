#pragma once
// The review of a case: what a new business day, a ledger movement or an officer's command leads
// to. It opens and closes the case, checks the arrangement (arrangement.h), asks the policy in
// force (policy/policy.h) for one recommendation, and records it with the rule, the policy
// version and the inputs the rule read, only when the recommendation changes. Pure: "today" is
// an argument and the policies are data.

#include <optional>
#include <vector>

#include "services/escalation/domain/arrears_case.h"
#include "services/escalation/policy/policy_set.h"

namespace rentstream::escalation {

// The policy's view of the case on `today`.
policy::CaseFacts FactsOf(const CaseState& state, core::Date today);
// The same from the case's pause book already built (PauseBookOf(state)).
policy::CaseFacts FactsOf(const CaseState& state, core::Date today, const PauseBook& pauses);

class CaseReviewer {
 public:
  explicit CaseReviewer(const policy::PolicySet& policies);

  // The events the review on `today` produces. `scheduled`: a business-day review, which records
  // CaseReviewed when nothing else changed so the next review date moves on.
  std::vector<CaseEvent> Review(const CaseState& state, core::Date today, bool scheduled) const;

  // The next business day the case must be looked at again by the clock (ledger activity and
  // commands review it anyway): the first day after its last review on which a date the policy
  // compares with (a contact + 7 days, a notice + 3 months...), a pause end or an instalment
  // falls, and at most four weeks after the last review. None for a case that is not open.
  std::optional<core::Date> NextReview(const CaseState& state) const;

  const policy::PolicySet& policies() const { return policies_; }

 private:
  const policy::PolicySet& policies_;
  // Every integer constant of every policy: the day, week and month offsets its rules compare
  // dates with.
  std::vector<int64_t> offsets_;
};

}  // namespace rentstream::escalation
