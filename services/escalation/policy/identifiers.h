#pragma once
// The facts a policy expression can name (policies/README.md, "Identifiers"): each one's type and
// how it is read from CaseFacts.

#include "absl/strings/string_view.h"

#include "absl/types/span.h"
#include "services/escalation/policy/program.h"

namespace rentstream::escalation::policy {

struct FactInfo {
  absl::string_view name;
  ValueType type;
  const EnumCodes* codes;  // for kEnum
  bool optional;           // may be unset
  FactGetter get;
  absl::string_view doc;
};

absl::Span<const FactInfo> AllFacts();
const FactInfo* FindFact(absl::string_view name);  // nullptr if unknown

}  // namespace rentstream::escalation::policy
