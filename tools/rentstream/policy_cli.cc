#include "tools/rentstream/policy_cli.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "services/escalation/policy/case_json.h"
#include "services/escalation/policy/loader.h"
#include "services/escalation/policy/policy_set.h"

namespace rentstream::cli {
namespace {

namespace pol = escalation::policy;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read the file\n", path.c_str());
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

int RunPolicyCheck(const std::string& file) {
  std::string text;
  if (!ReadFile(file, &text)) return 1;
  absl::StatusOr<std::vector<pol::Policy>> versions = pol::LoadPolicies(text, file);
  if (!versions.ok()) {
    std::fprintf(stderr, "%s\n", std::string(versions.status().message()).c_str());
    return 1;
  }
  pol::PolicySet set;
  for (pol::Policy& p : *versions) {
    std::printf("OK %s v%d: %zu rules, effective from %s\n", p.header.id.c_str(), p.header.version,
                p.rules.size(), p.header.effective_from.ToIso().c_str());
    if (absl::Status st = set.Add(std::move(p)); !st.ok()) {
      std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  return 0;
}

int RunPolicyEval(const PolicyEvalOptions& o) {
  std::string policy_text, case_text;
  if (!ReadFile(o.policy_file, &policy_text) || !ReadFile(o.case_file, &case_text)) return 1;
  std::optional<core::Date> today;
  if (!o.today.empty()) {
    absl::StatusOr<core::Date> d = core::Date::Parse(o.today);
    if (!d.ok()) {
      std::fprintf(stderr, "--today: not a date \"%s\"\n", o.today.c_str());
      return 2;
    }
    today = *d;
  }
  absl::StatusOr<std::vector<pol::Policy>> versions = pol::LoadPolicies(policy_text, o.policy_file);
  if (!versions.ok()) {
    std::fprintf(stderr, "%s\n", std::string(versions.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<pol::CaseFacts> facts = pol::CaseFactsFromJson(case_text, today);
  if (!facts.ok()) {
    std::fprintf(stderr, "%s: %s\n", o.case_file.c_str(),
                 std::string(facts.status().message()).c_str());
    return 1;
  }
  pol::PolicySet set;
  for (pol::Policy& p : *versions) {
    if (absl::Status st = set.Add(std::move(p)); !st.ok()) {
      std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  const pol::Policy* policy = set.Select(facts->jurisdiction, facts->tenancy_type, facts->today);
  if (policy == nullptr) {
    std::fprintf(stderr, "%s: no version covers %s %s tenancies on %s\n", o.policy_file.c_str(),
                 std::string(pol::CodeOf(facts->jurisdiction)).c_str(),
                 std::string(pol::CodeOf(facts->tenancy_type)).c_str(),
                 facts->today.ToIso().c_str());
    return 1;
  }
  absl::StatusOr<pol::Decision> decision = pol::Evaluate(*policy, *facts, {.explain = true});
  if (!decision.ok()) {
    std::fprintf(stderr, "%s\n", decision.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", pol::DecisionToJson(*decision).c_str());
  return 0;
}

}  // namespace rentstream::cli
