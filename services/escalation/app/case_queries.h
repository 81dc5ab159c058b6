#pragma once
// Read models over the escalation's projection: the case view an officer sees, the prioritised
// worklist and counts per stage. Pure functions over CaseState; the service feeds them records.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rentstream/escalation/v1/escalation_service.pb.h"
#include "services/escalation/domain/arrears_case.h"

namespace rentstream::escalation::app {

v1::CaseView CaseViewOf(const std::string& tenancy_ref, const CaseState& state, uint64_t sequence,
                        core::Date today, std::optional<core::Date> next_review);

// The recommendation waiting for an officer, if any: the latest decision of an open case, when it
// is an action (not "no action").
const v1::ActionDecision* PendingDecision(const CaseState& state);

// Higher first: legal steps before letters, then the weeks of rent owed.
int64_t WorklistPriority(const v1::ActionDecision& decision, const CaseState& state,
                         core::Date today);

// Collects a worklist page: offer every case, then take the page.
class WorklistBuilder {
 public:
  // Fails with INVALID_ARGUMENT naming page_size or page_token.
  static absl::StatusOr<WorklistBuilder> For(const v1::ListWorklistRequest& request,
                                             core::Date today);
  void Offer(const std::string& tenancy_ref, const CaseState& state);
  // Another replica's page of the same request (its cases' best items after the same cursor):
  // its items compete with this one's, and its next_page_token says it has more.
  void Merge(const v1::ListWorklistResponse& part);
  v1::ListWorklistResponse Page();

 private:
  WorklistBuilder(const v1::ListWorklistRequest& request, core::Date today);

  v1::ListWorklistRequest request_;
  core::Date today_;
  int page_size_ = 50;
  bool has_cursor_ = false;
  int64_t cursor_priority_ = 0;
  std::string cursor_ref_;
  void Keep(v1::WorklistItem item);

  std::vector<v1::WorklistItem> items_;  // kept to page_size + 1 best
  bool more_elsewhere_ = false;          // a merged part had items beyond its page
};

}  // namespace rentstream::escalation::app
