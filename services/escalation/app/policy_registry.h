#pragma once
// The policy versions the service decides with, replaceable while it runs: ReloadPolicies
// re-reads the folder, and a malformed file leaves the versions in use untouched (issue 5). Each
// set carries its adoption record (id, version, effective date, file, SHA-256 of the text), which
// the service records as PolicyAdopted events on the reserved stream "POLICIES".

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/escalation/domain/case_review.h"

namespace rentstream::escalation::app {

class PolicyRegistry {
 public:
  // Loads every *.yaml directly in `dir`; any error refuses the whole set (file:line: reason).
  static absl::StatusOr<std::unique_ptr<PolicyRegistry>> Open(std::string dir);

  // The reviewer over the set in force; stays valid (with its set) while the caller holds it.
  std::shared_ptr<const CaseReviewer> reviewer() const;
  std::vector<v1::AdoptedPolicy> adopted() const;

  // Re-reads the folder. On error the set in force stays and the error is returned.
  absl::Status Reload();

  // The command recording the set in force, and its id (the same set always gets the same id,
  // so a restart records nothing twice).
  v1::AdoptPolicies AdoptionCommand() const;
  std::string AdoptionCommandId() const;

 private:
  struct Loaded;
  explicit PolicyRegistry(std::string dir) : dir_(std::move(dir)) {}
  static absl::StatusOr<std::shared_ptr<const Loaded>> Load(const std::string& dir);
  std::shared_ptr<const Loaded> Current() const;

  std::string dir_;
  // Read on every decision, replaced on a reload: an atomic shared_ptr, no lock on the hot path.
  std::atomic<std::shared_ptr<const Loaded>> current_;
};

}  // namespace rentstream::escalation::app
