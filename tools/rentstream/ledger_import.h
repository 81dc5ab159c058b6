#pragma once
// `rentstream ledger import FILE`: a payment file into a running ledger service (ImportPayments,
// thousands of lines per request, decided in command batches), with a per-file report. Each line
// is idempotent by (source, reference): a repeated line, or the same file imported again (after
// a crash, say), posts nothing twice and is reported as a duplicate. Lines whose tenancy is missing
// or unknown go to suspense, never dropped.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rentstream::cli {

struct ImportReport {
  std::string file;
  std::string source;
  int lines_read = 0;  // payment lines parsed (header and blank lines excluded)
  int imported = 0;
  int duplicate = 0;
  int suspense = 0;
  struct Rejected {
    int line = 0;
    std::string reason;
  };
  std::vector<Rejected> rejected;  // malformed lines and refused payments

  std::string ToJson() const;
};

struct ImportOptions {
  std::string ledger_address;  // host:port of the ledger's gRPC
  std::string source;          // identifies the file's origin, e.g. "allpay-2026-11-25"
  std::string actor = "import";
  int concurrency = 4;           // requests in flight
  int lines_per_request = 5000;  // ImportPayments takes at most 10,000
};

absl::StatusOr<ImportReport> ImportPaymentFile(const std::string& path,
                                               const ImportOptions& options);

int RunLedgerImport(const std::string& path, const ImportOptions& options);

}  // namespace rentstream::cli
