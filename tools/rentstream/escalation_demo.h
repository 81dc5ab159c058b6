#pragma once
// The demo's escalation part: the escalation service on the SAME embedded log as the ledger, in
// the same process (the small landlord's deployment), deciding on the ledger's events.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::cli {

class EscalationAlongside {
 public:
  // Starts the service on `bus` (state under `dir`), with the policies in `policy_dir`.
  static absl::StatusOr<std::unique_ptr<EscalationAlongside>> Start(eventlog::EventBus& bus,
                                                                    const std::string& dir,
                                                                    const std::string& policy_dir);
  ~EscalationAlongside();

  // Waits until the case has seen the ledger's balance (`balance_pence`), then prints it: stage,
  // what the tenant owes, the recommendation with its rule, policy version and inputs.
  void ShowCase(const std::string& tenancy, int64_t balance_pence);

 private:
  struct Running;
  explicit EscalationAlongside(std::unique_ptr<Running> running);
  std::unique_ptr<Running> running_;
};

}  // namespace rentstream::cli
