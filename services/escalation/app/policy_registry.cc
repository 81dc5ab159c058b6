#include "services/escalation/app/policy_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/core/hash_chain.h"
#include "services/escalation/app/policy_files.h"
#include "services/escalation/policy/loader.h"

namespace rentstream::escalation::app {

struct PolicyRegistry::Loaded {
  std::unique_ptr<policy::PolicySet> set;
  std::unique_ptr<CaseReviewer> reviewer;
  std::vector<v1::AdoptedPolicy> adopted;
  std::string fingerprint;  // hex SHA-256 over every adopted record
};

absl::StatusOr<std::shared_ptr<const PolicyRegistry::Loaded>> PolicyRegistry::Load(
    const std::string& dir) {
  auto files = PolicyFilesIn(dir);
  if (!files.ok()) return files.status();
  auto loaded = std::make_shared<Loaded>();
  loaded->set = std::make_unique<policy::PolicySet>();
  std::string all;
  for (const auto& path : *files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot be read"));
    auto versions = policy::LoadPolicies(text.str(), path.filename().string());
    if (!versions.ok()) return versions.status();
    const std::string sha = absl::BytesToHexString(core::Sha256(text.str()));
    for (policy::Policy& p : *versions) {
      v1::AdoptedPolicy a;
      a.set_policy_id(p.header.id);
      a.set_version(p.header.version);
      *a.mutable_effective_from() = ProtoDateOf(p.header.effective_from);
      a.set_file(path.filename().string());
      a.set_sha256(sha);
      a.set_rules(static_cast<int>(p.rules.size()));
      absl::StrAppend(&all, a.policy_id(), "/", a.version(), "/", sha, ";");
      loaded->adopted.push_back(std::move(a));
      if (absl::Status st = loaded->set->Add(std::move(p)); !st.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path.filename().string(), ": ", st.message()));
      }
    }
  }
  loaded->fingerprint = absl::BytesToHexString(core::Sha256(all));
  loaded->reviewer = std::make_unique<CaseReviewer>(*loaded->set);
  return std::shared_ptr<const Loaded>(std::move(loaded));
}

absl::StatusOr<std::unique_ptr<PolicyRegistry>> PolicyRegistry::Open(std::string dir) {
  std::unique_ptr<PolicyRegistry> registry(new PolicyRegistry(std::move(dir)));
  if (absl::Status st = registry->Reload(); !st.ok()) return st;
  return registry;
}

absl::Status PolicyRegistry::Reload() {
  auto loaded = Load(dir_);
  if (!loaded.ok()) return loaded.status();
  current_.store(std::move(*loaded));
  return absl::OkStatus();
}

std::shared_ptr<const PolicyRegistry::Loaded> PolicyRegistry::Current() const {
  return current_.load();
}

std::shared_ptr<const CaseReviewer> PolicyRegistry::reviewer() const {
  std::shared_ptr<const Loaded> loaded = Current();
  return std::shared_ptr<const CaseReviewer>(loaded, loaded->reviewer.get());
}

std::vector<v1::AdoptedPolicy> PolicyRegistry::adopted() const { return Current()->adopted; }

v1::AdoptPolicies PolicyRegistry::AdoptionCommand() const {
  v1::AdoptPolicies c;
  for (const v1::AdoptedPolicy& a : Current()->adopted) *c.add_policies() = a;
  return c;
}

std::string PolicyRegistry::AdoptionCommandId() const {
  return "adopt-policies-" + Current()->fingerprint.substr(0, 32);
}

}  // namespace rentstream::escalation::app
