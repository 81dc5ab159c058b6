#pragma once
// Payment files (issue 4): CSV exported by banks, allpay/PayPoint, the council's HB system and
// DWP. The documented format, one payment per line after a header:
//
//   date,amount,reference,method[,tenancy_ref]
//   2026-11-23,£110.50,DD-000123-47,direct_debit,HA-000123
//   23/11/2026,"1,200.00",BT 88812,bank_transfer,
//
// - date: YYYY-MM-DD or DD/MM/YYYY (the payment's received date)
// - amount: pounds, optional £ and thousands commas (quote the field if it has commas), > 0
// - reference: the payer's or bank's reference, 1-128 characters; with the file's source it
//   identifies the payment (re-importing a file posts nothing twice)
// - method: direct_debit, standing_order, card, cash, bank_transfer, housing_benefit,
//   uc_managed_payment, dwp_deduction
// - tenancy_ref: optional; empty or unknown sends the payment to suspense (never dropped)
//
// UTF-8 with or without a BOM, LF or CRLF, blank lines ignored, RFC 4180 quoting. A bad line is
// reported with its number and reason; the other lines still import. Parsed a line at a time
// (PaymentFileParser, fed by PaymentFileLines as the file is read: a file of any size in bounded
// memory) or whole (ParsePaymentFile). The parsing is pure; PaymentFileLines reads a stream.

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {

struct PaymentLine {
  int line_number = 0;
  core::Date date;
  core::Money amount;
  std::string reference;
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string tenancy_ref;  // empty: no tenancy given
};

struct LineError {
  int line_number = 0;
  std::string reason;
};

struct ParsedPaymentFile {
  std::vector<PaymentLine> payments;
  std::vector<LineError> errors;
};

inline constexpr size_t kMaxPaymentFileBytes = 512u << 20;  // 512 MiB
inline constexpr size_t kMaxLineBytes = 4096;

// Splits one CSV record into fields (RFC 4180 quotes); nullopt with `error` set when malformed.
std::optional<std::vector<std::string>> SplitCsvLine(absl::string_view line, std::string* error);

// Parses a file a line at a time, in the file's order. A missing or wrong header is reported as
// an error on line 1 and nothing after it is parsed (`stopped`).
class PaymentFileParser {
 public:
  // The file's next line, without its "\n" (a "\r" before it is dropped here). `too_long`: the
  // line was longer than kMaxLineBytes and is refused whole (`line` may then be empty). Adds the
  // payment the line holds to `out.payments`, or why it is refused to `out.errors`.
  void AddLine(absl::string_view line, bool too_long, ParsedPaymentFile& out);
  // After the last line: an error on line 1 if the file held no header (nor any other line).
  void Finish(ParsedPaymentFile& out);
  // A wrong header was seen: the rest of the file is not parsed.
  bool stopped() const { return stopped_; }

 private:
  int line_number_ = 0;
  bool header_seen_ = false;
  bool stopped_ = false;
  bool errors_seen_ = false;
};

// A stream's lines, read in blocks: a line longer than kMaxLineBytes is skipped to its end and
// given as too long (not its text), so memory stays bounded whatever the input.
class PaymentFileLines {
 public:
  explicit PaymentFileLines(std::istream& in) : in_(in) {}
  // The next line without its "\n", valid until the next call; false at the end of the stream
  // or when reading failed (`failed`).
  bool Next(absl::string_view& line, bool& too_long);
  // Reading the stream failed before its end.
  bool failed() const { return failed_; }

 private:
  std::istream& in_;
  std::string buffer_;
  size_t start_ = 0;       // the first byte of buffer_ not yet given
  bool skipping_ = false;  // inside a line too long, up to its end
  bool end_ = false;
  bool failed_ = false;
};

// Parses a whole file (PaymentFileParser over its lines), at most kMaxPaymentFileBytes.
ParsedPaymentFile ParsePaymentFile(absl::string_view content);

absl::string_view PaymentMethodName(PaymentMethod method);

}  // namespace rentstream::ledger
