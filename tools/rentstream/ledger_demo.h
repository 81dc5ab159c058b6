#pragma once

#include <string>

namespace rentstream::cli {

// The ledger part of the tour: the ledger service on LocalBus in `dir`, two tenancies, a charge
// run by business-day tick, a payment file with a duplicate, an unknown reference and a bad line,
// a returned direct debit, arrears split into benefit expected and tenant owed, and the double
// entry checked over the published events.
int RunLedgerDemo(const std::string& dir);

}  // namespace rentstream::cli
