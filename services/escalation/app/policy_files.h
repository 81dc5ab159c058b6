#pragma once
// Reads the policy folder at start: every *.yaml directly in it (examples/ is not loaded), each
// file one or more policy versions. Any malformed file refuses the whole set with file:line and
// the reason, so a service never starts on half a policy.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/escalation/policy/policy_set.h"

namespace rentstream::escalation::app {

absl::StatusOr<std::unique_ptr<policy::PolicySet>> LoadPolicyDir(const std::string& dir);

// The *.yaml files directly in `dir`, sorted (NOT_FOUND when there is none).
absl::StatusOr<std::vector<std::filesystem::path>> PolicyFilesIn(const std::string& dir);

// One file (`rentstream policy simulate`, tests): its versions as a set.
absl::StatusOr<std::unique_ptr<policy::PolicySet>> LoadPolicyFile(const std::string& path);

}  // namespace rentstream::escalation::app
