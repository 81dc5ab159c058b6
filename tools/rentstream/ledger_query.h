#pragma once
// `rentstream ledger statement` and `rentstream ledger balance`: queries of a running ledger.

#include <string>

namespace rentstream::cli {

struct StatementOptions {
  std::string ledger_address;
  std::string tenancy;
  std::string from;
  std::string to;
  std::string format = "json";  // json, csv or pdf
  std::string out;              // a file; standard output when empty (not for pdf)
  std::string landlord = "Rentstream";
};
int RunLedgerStatement(const StatementOptions& options);

struct BalanceOptions {
  std::string ledger_address;
  std::string tenancy;
  std::string as_of;  // empty: today
  bool json = false;
};
int RunLedgerBalance(const BalanceOptions& options);

struct KpiOptions {
  std::string ledger_address;
  std::string patch;  // empty: all
  std::string as_of;  // empty: today
};
// Prints the ledger's income KPIs and aged debt as JSON.
int RunLedgerKpis(const KpiOptions& options);

struct SuspenseOptions {
  std::string ledger_address;
  bool all = false;  // also the payments allocated or reversed
};
// Prints the payments held in suspense (ListSuspense) as JSON, oldest first.
int RunLedgerSuspense(const SuspenseOptions& options);

}  // namespace rentstream::cli
