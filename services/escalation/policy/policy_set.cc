#include "services/escalation/policy/policy_set.h"

#include "absl/strings/str_cat.h"

namespace rentstream::escalation::policy {

absl::Status PolicySet::Add(Policy policy) {
  const PolicyHeader& h = policy.header;
  for (const auto& p : policies_) {
    if (p->header.id == h.id && p->header.version == h.version) {
      return absl::InvalidArgumentError(
          absl::StrCat(h.file, ": policy ", h.id, " version ", h.version, " loaded twice"));
    }
    if (p->header.effective_from != h.effective_from) continue;
    for (TenancyType t : h.tenancy_types) {
      if (p->Covers(h.jurisdiction, t)) {
        return absl::InvalidArgumentError(
            absl::StrCat(h.file, ": ", h.id, " v", h.version, " and ", p->header.id, " v",
                         p->header.version, " both take effect on ", h.effective_from.ToIso(),
                         " for ", CodeOf(h.jurisdiction), " ", CodeOf(t), " tenancies"));
      }
    }
  }
  policies_.push_back(std::make_unique<const Policy>(std::move(policy)));
  return absl::OkStatus();
}

const Policy* PolicySet::Select(Jurisdiction jurisdiction, TenancyType tenancy_type,
                                core::Date date) const {
  const Policy* best = nullptr;
  for (const auto& p : policies_) {
    if (!p->Covers(jurisdiction, tenancy_type) || p->header.effective_from > date) continue;
    if (best == nullptr || p->header.effective_from > best->header.effective_from) {
      best = p.get();
    }
  }
  return best;
}

}  // namespace rentstream::escalation::policy
