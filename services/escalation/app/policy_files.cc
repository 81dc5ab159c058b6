#include "services/escalation/app/policy_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/escalation/policy/loader.h"

namespace rentstream::escalation::app {
namespace {

absl::Status AddFile(const std::filesystem::path& path, policy::PolicySet& set) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  auto versions = policy::LoadPolicies(text.str(), path.string());
  if (!versions.ok()) return versions.status();
  for (policy::Policy& p : *versions) {
    if (absl::Status st = set.Add(std::move(p)); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::filesystem::path>> PolicyFilesIn(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry);
  }
  if (ec) return absl::NotFoundError(absl::StrCat(dir, ": ", ec.message()));
  if (files.empty()) return absl::NotFoundError(absl::StrCat(dir, ": no *.yaml policy files"));
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<std::unique_ptr<policy::PolicySet>> LoadPolicyDir(const std::string& dir) {
  auto files = PolicyFilesIn(dir);
  if (!files.ok()) return files.status();
  auto set = std::make_unique<policy::PolicySet>();
  for (const auto& f : *files) {
    if (absl::Status st = AddFile(f, *set); !st.ok()) return st;
  }
  return set;
}

absl::StatusOr<std::unique_ptr<policy::PolicySet>> LoadPolicyFile(const std::string& path) {
  auto set = std::make_unique<policy::PolicySet>();
  if (absl::Status st = AddFile(path, *set); !st.ok()) return st;
  return set;
}

}  // namespace rentstream::escalation::app
