#pragma once

#include <string>

namespace rentstream::cli {

// The ledger part of the tour: the ledger service on LocalBus in `dir`, two tenancies, a charge
// run by business-day tick, a payment file with a duplicate, an unknown reference and a bad line,
// a returned direct debit, arrears split into benefit expected and tenant owed, and the double
// entry checked over the published events.
// The ledger on the embedded log, with the escalation service on the same log deciding on its
// events (policies from `policy_dir`).
int RunLedgerDemo(const std::string& dir, const std::string& policy_dir);

}  // namespace rentstream::cli
