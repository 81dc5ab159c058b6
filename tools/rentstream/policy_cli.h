#pragma once
// `rentstream policy check FILE` and `rentstream policy eval --policy FILE --case CASE.json`:
// validate a policy file, and evaluate one case snapshot against it (JSON on stdout).

#include <string>

namespace rentstream::cli {

// Prints "OK <id> v<version>: <n> rules" per version, or the file:line errors; exit 1 on error.
int RunPolicyCheck(const std::string& file);

struct PolicyEvalOptions {
  std::string policy_file;
  std::string case_file;
  std::string today;  // YYYY-MM-DD; overrides the case's "today" when set
};
// Prints the decision of the version in force on the case's date, with its explanation.
int RunPolicyEval(const PolicyEvalOptions& options);

}  // namespace rentstream::cli
