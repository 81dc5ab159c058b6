#pragma once
// PolicySet: the loaded policy versions, and the choice of the one in force for a case — by
// jurisdiction, tenancy type and date: the version with the latest effective_from on or before
// the date among those covering the jurisdiction and tenancy type.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "services/escalation/policy/policy.h"

namespace rentstream::escalation::policy {

class PolicySet {
 public:
  // INVALID_ARGUMENT if the same id+version is added twice, or if two versions would both be in
  // force from the same date for the same jurisdiction and tenancy type (ambiguous choice).
  absl::Status Add(Policy policy);

  // The version in force, or nullptr when none covers the case on that date. The pointer stays
  // valid as long as the set.
  const Policy* Select(Jurisdiction jurisdiction, TenancyType tenancy_type, core::Date date) const;

  size_t size() const { return policies_.size(); }
  // Every version, in the order added.
  std::vector<const Policy*> All() const {
    std::vector<const Policy*> all;
    for (const auto& p : policies_) all.push_back(p.get());
    return all;
  }

 private:
  std::vector<std::unique_ptr<const Policy>> policies_;
};

}  // namespace rentstream::escalation::policy
