#pragma once
// What-if replay (architecture §6, replay (c); `rentstream policy simulate`): the recorded history
// of each tenancy run through another policy set, exactly as the live service would have run it,
// and the decisions it makes compared with the recorded ones. No I/O: the caller reads the topics.
//
// The simulated case is a fold of the recorded inputs only — the ledger movements, the officers'
// and other services' facts — each reviewed at once, plus a review on every day the case's review
// date comes (the daily tick, before that day's inputs). The recorded review outcomes (CaseOpened,
// ActionDecided, StageChanged, ArrangementBreached...) are not folded: the simulated policy
// decides them itself. History before `from` is replayed too, so the simulated case reaches the
// window in the state the simulated policy would have led it to; only decisions in the window are
// compared.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "rentstream/common/v1/envelope.pb.h"
#include "rentstream/escalation/v1/events.pb.h"
#include "services/escalation/policy/policy_set.h"

namespace rentstream::escalation::app {

// The widest window one run may compare (a limit on the work a CLI call can ask for).
inline constexpr int kMaxSimulationMonths = 36;

struct SimulationOptions {
  core::Date from;
  core::Date to;        // inclusive
  std::string tenancy;  // only this tenancy; empty: all
  size_t max_differences = 100;
};

// One recommendation, as the comparison sees it.
struct DecisionSummary {
  core::Date day;
  std::string rule_id;  // empty: no rule fired
  v1::ActionKind kind = v1::ACTION_KIND_UNSPECIFIED;
  std::string template_id;
  std::string policy_id;
  std::string policy_version;
};

// Two decisions are "the same" on the same day with the same rule, action kind and template,
// whatever the policy id and version (the point is to compare two policies).
bool SameAction(const DecisionSummary& a, const DecisionSummary& b);

struct DecisionTally {
  int64_t recorded = 0;
  int64_t simulated = 0;
  int64_t same = 0;            // same day, same action
  int64_t different = 0;       // same day, another action (counted once per pair)
  int64_t only_recorded = 0;   // recorded, nothing simulated left that day
  int64_t only_simulated = 0;  // simulated, nothing recorded left that day
  void Add(const DecisionTally& other);
};

// One row of the difference list: both sides on a "different", one side otherwise.
struct DecisionDifference {
  std::string tenancy;
  core::Date day;
  std::optional<DecisionSummary> recorded;
  std::optional<DecisionSummary> simulated;
};

struct TenancySimulation {
  std::string tenancy;
  // Some ledger movements were not in the escalation log (the service was not running then) and
  // were observed from the ledger's events instead.
  bool ledger_derived = false;
  DecisionTally tally;
  std::vector<DecisionSummary> recorded;   // in the window, in log order
  std::vector<DecisionSummary> simulated;  // in the window, in the order decided
};

struct SimulationReport {
  core::Date from;
  core::Date to;
  int64_t tenancies_replayed = 0;
  DecisionTally total;
  // Tenancies with at least one decision in the window, by reference.
  std::vector<TenancySimulation> tenancies;
  // The first `max_differences` differences, by tenancy then day; the rest only counted.
  std::vector<DecisionDifference> differences;
  int64_t differences_not_listed = 0;
};

// Replays `ledger_events` (rentstream.ledger.events.v1) and `escalation_events`
// (rentstream.escalation.events.v1), each in log order, through `policies`. Fails with
// INVALID_ARGUMENT on a bad window and DATA_LOSS on an escalation event that does not decode.
absl::StatusOr<SimulationReport> SimulatePolicy(
    const std::vector<common::v1::Event>& ledger_events,
    const std::vector<common::v1::Event>& escalation_events, const policy::PolicySet& policies,
    const SimulationOptions& options);

}  // namespace rentstream::escalation::app
