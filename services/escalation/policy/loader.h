#pragma once
// Loads policy versions from YAML text (schema: services/escalation/policies/README.md). A file
// holds one policy version per YAML document ("---" between versions). Loading compiles every
// expression; any problem is refused with INVALID_ARGUMENT "file:line: reason", the line being
// that of the offending YAML node. No I/O here: callers read the file.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/escalation/policy/policy.h"

namespace rentstream::escalation::policy {

// Every version in the file, in file order.
absl::StatusOr<std::vector<Policy>> LoadPolicies(absl::string_view yaml_text,
                                                 absl::string_view file_name);

// A file holding exactly one version.
absl::StatusOr<Policy> LoadPolicy(absl::string_view yaml_text, absl::string_view file_name);

}  // namespace rentstream::escalation::policy
