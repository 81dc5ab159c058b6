#pragma once
// `rentstream policy simulate`: replays the recorded ledger and escalation history through a
// policy file and reports the decisions it would have made against the recorded ones
// (architecture §6, replay (c); the replay itself is escalation/app/policy_simulation.h).

#include <string>

namespace rentstream::cli {

struct PolicySimulateOptions {
  std::string bus = "local";  // local or kafka
  std::string at;             // LocalBus log directory, or Kafka bootstrap servers
  std::string ledger_at;      // the ledger's LocalBus log when it is another one; empty: `at`
  std::string policy_file;
  std::string from;     // YYYY-MM-DD, inclusive
  std::string to;       // YYYY-MM-DD, inclusive
  std::string tenancy;  // empty: every tenancy
  int max_differences = 100;
  bool json = false;
};

// Prints a summary (or JSON with --json). Exit 0 whatever the differences; 2 on bad flags, an
// unloadable policy file or an unreachable bus; 1 on a log that does not decode.
int RunPolicySimulate(const PolicySimulateOptions& options);

}  // namespace rentstream::cli
