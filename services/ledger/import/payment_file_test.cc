#include "services/ledger/import/payment_file.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <streambuf>

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

TEST(PaymentFileTest, ParsesTheDocumentedFormat) {
  const std::string file =
      "\xEF\xBB\xBF"
      "date,amount,reference,method,tenancy_ref\r\n"
      "2026-11-23,£110.50,DD-000123-47,direct_debit,HA-000123\r\n"
      "\r\n"
      "23/11/2026,\"1,200.00\",\"BT \"\"88812\"\"\",bank_transfer,\r\n"
      "2026-11-24,5,HB-1,HOUSING_BENEFIT,ha-000124\n"
      "2026-11-24,5,CASH-1,cash\n";
  ParsedPaymentFile parsed = ParsePaymentFile(file);
  ASSERT_TRUE(parsed.errors.empty())
      << parsed.errors[0].line_number << ": " << parsed.errors[0].reason;
  ASSERT_EQ(parsed.payments.size(), 4u);
  const PaymentLine& dd = parsed.payments[0];
  EXPECT_EQ(dd.line_number, 2);
  EXPECT_EQ(dd.date, *Date::FromYmd(2026, 11, 23));
  EXPECT_EQ(dd.amount, Money::FromPence(11050));
  EXPECT_EQ(dd.reference, "DD-000123-47");
  EXPECT_EQ(dd.method, PaymentMethod::kDirectDebit);
  EXPECT_EQ(dd.tenancy_ref, "HA-000123");
  const PaymentLine& bt = parsed.payments[1];
  EXPECT_EQ(bt.line_number, 4);  // the blank line 3 is skipped, not renumbered
  EXPECT_EQ(bt.date, *Date::FromYmd(2026, 11, 23));
  EXPECT_EQ(bt.amount, Money::FromPence(120000));
  EXPECT_EQ(bt.reference, "BT \"88812\"");
  EXPECT_TRUE(bt.tenancy_ref.empty());
  EXPECT_EQ(parsed.payments[2].method, PaymentMethod::kHousingBenefit);
  EXPECT_EQ(parsed.payments[2].tenancy_ref, "HA-000124");  // upper-cased
  EXPECT_TRUE(parsed.payments[3].tenancy_ref.empty());     // four columns
}

TEST(PaymentFileTest, BadLinesAreReportedAndTheRestImports) {
  const std::string file =
      "date,amount,reference,method,tenancy_ref\n"
      "2026-11-23,110.50,R1,card,HA-1\n"
      "2026-02-30,110.50,R2,card,HA-1\n"
      "2026-11-23,1,200.00,R3,card,HA-1\n"
      "2026-11-23,110.505,R4,card,HA-1\n"
      "2026-11-23,-5,R5,card,HA-1\n"
      "2026-11-23,5,,card,HA-1\n"
      "2026-11-23,5,R7,cheque,HA-1\n"
      "2026-11-23,5,\"R8,card,HA-1\n"
      "2026-11-23,5,R\xff"
      "9,card,HA-1\n"
      "2026-11-23,99999999999999999999,R10,card,HA-1\n"
      "2026-11-23,5,R11,card,HA-1\n";
  ParsedPaymentFile parsed = ParsePaymentFile(file);
  ASSERT_EQ(parsed.payments.size(), 2u);
  EXPECT_EQ(parsed.payments[0].reference, "R1");
  EXPECT_EQ(parsed.payments[1].reference, "R11");
  ASSERT_EQ(parsed.errors.size(), 9u);
  const std::pair<int, const char*> expected[] = {
      {3, "date:"},        {4, "expected 4 or 5 columns"},
      {5, "amount:"},      {6, "amount:"},
      {7, "reference:"},   {8, "method:"},
      {9, "unterminated"}, {10, "UTF-8"},
      {11, "amount:"},
  };
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(parsed.errors[i].line_number, expected[i].first);
    EXPECT_NE(parsed.errors[i].reason.find(expected[i].second), std::string::npos)
        << parsed.errors[i].line_number << ": " << parsed.errors[i].reason;
  }
}

TEST(PaymentFileTest, AWrongHeaderOrEmptyFileIsRefusedWhole) {
  EXPECT_EQ(ParsePaymentFile("").errors.size(), 1u);
  EXPECT_EQ(ParsePaymentFile("\n\n").errors.size(), 1u);
  ParsedPaymentFile wrong = ParsePaymentFile("when,how much\n2026-11-23,5\n");
  ASSERT_EQ(wrong.errors.size(), 1u);
  EXPECT_EQ(wrong.errors[0].line_number, 1);
  EXPECT_TRUE(wrong.payments.empty());
}

// The file read a line at a time from a stream, as `rentstream ledger import` reads it.
ParsedPaymentFile ParseStream(std::istream& in, bool* failed = nullptr) {
  PaymentFileLines lines(in);
  PaymentFileParser parser;
  ParsedPaymentFile out;
  absl::string_view line;
  bool too_long = false;
  while (!parser.stopped() && lines.Next(line, too_long)) parser.AddLine(line, too_long, out);
  parser.Finish(out);
  if (failed != nullptr) *failed = lines.failed();
  return out;
}

TEST(PaymentFileTest, AFileReadAsAStreamParsesAsTheWholeFile) {
  // Lines across the reader's 1 MiB blocks, a line too long in the middle (longer than a block
  // too), CRLF, a BOM, and a last line without its line end.
  std::string file =
      "\xEF\xBB\xBF"
      "date,amount,reference,method,tenancy_ref\r\n";
  for (int i = 0; i < 40000; ++i) {
    file += "2026-11-23,1.0" + std::to_string(i % 10) + ",R" + std::to_string(i) + ",card,HA-" +
            std::to_string(i) + (i % 2 == 0 ? "\n" : "\r\n");
    if (i == 20000) file += "2026-11-23,5,\"" + std::string(3 << 20, 'x') + "\",card,HA-1\n";
    if (i == 30000) file += "2026-11-23,5,R-bad,cheque,HA-1\n\n";
  }
  file += "2026-11-24,7,LAST,cash,HA-9";
  const ParsedPaymentFile whole = ParsePaymentFile(file);
  std::istringstream in(file);
  bool failed = true;
  const ParsedPaymentFile streamed = ParseStream(in, &failed);
  EXPECT_FALSE(failed);
  ASSERT_EQ(streamed.payments.size(), 40001u);
  ASSERT_EQ(streamed.payments.size(), whole.payments.size());
  for (size_t i = 0; i < whole.payments.size(); ++i) {
    EXPECT_EQ(streamed.payments[i].line_number, whole.payments[i].line_number) << i;
    EXPECT_EQ(streamed.payments[i].reference, whole.payments[i].reference) << i;
    EXPECT_EQ(streamed.payments[i].amount, whole.payments[i].amount) << i;
    EXPECT_EQ(streamed.payments[i].tenancy_ref, whole.payments[i].tenancy_ref) << i;
  }
  EXPECT_EQ(streamed.payments.back().reference, "LAST");
  EXPECT_EQ(streamed.payments.back().line_number, 40005);
  ASSERT_EQ(streamed.errors.size(), 2u);
  EXPECT_EQ(streamed.errors[0].line_number, 20003);
  EXPECT_NE(streamed.errors[0].reason.find("longer than 4096 bytes"), std::string::npos);
  EXPECT_EQ(streamed.errors[1].line_number, 30004);
  EXPECT_NE(streamed.errors[1].reason.find("method:"), std::string::npos);
  ASSERT_EQ(whole.errors.size(), 2u);
  EXPECT_EQ(whole.errors[0].line_number, 20003);
  EXPECT_EQ(whole.errors[1].line_number, 30004);
}

TEST(PaymentFileTest, AStreamStopsAtAWrongHeaderAndAnEmptyOneIsRefused) {
  std::istringstream wrong("when,how much\n2026-11-23,5,R1,card,HA-1\n");
  const ParsedPaymentFile stopped = ParseStream(wrong);
  ASSERT_EQ(stopped.errors.size(), 1u);
  EXPECT_EQ(stopped.errors[0].line_number, 1);
  EXPECT_TRUE(stopped.payments.empty());
  std::istringstream empty("\n\r\n");
  const ParsedPaymentFile none = ParseStream(empty);
  ASSERT_EQ(none.errors.size(), 1u);
  EXPECT_EQ(none.errors[0].reason, "the file is empty");
  // A line too long at the very end, without a line end, is still reported.
  std::istringstream tail("date,amount,reference,method\n" + std::string(10000, 'y'));
  const ParsedPaymentFile long_tail = ParseStream(tail);
  ASSERT_EQ(long_tail.errors.size(), 1u);
  EXPECT_EQ(long_tail.errors[0].line_number, 2);
}

// A stream whose reading fails after its first bytes (a disk error, say).
class FailingBuffer : public std::streambuf {
 public:
  explicit FailingBuffer(std::string first) : first_(std::move(first)) {
    setg(first_.data(), first_.data(), first_.data() + first_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("I/O error"); }

 private:
  std::string first_;
};

TEST(PaymentFileTest, AReadErrorIsNotTakenForTheEndOfTheFile) {
  // More than one of the reader's blocks is readable, then the stream fails: the lines of the
  // blocks read are given, in order, and the failure is told apart from the end of the file.
  std::string readable = "date,amount,reference,method\n";
  int lines = 0;
  while (readable.size() < (3u << 19)) {
    readable += "2026-11-23,5,R" + std::to_string(++lines) + ",card\n";
  }
  FailingBuffer buffer(readable);
  std::istream in(&buffer);
  bool failed = false;
  const ParsedPaymentFile parsed = ParseStream(in, &failed);
  EXPECT_TRUE(failed);
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_GT(parsed.payments.size(), 1000u);
  ASSERT_LT(parsed.payments.size(), static_cast<size_t>(lines));
  for (size_t i = 0; i < parsed.payments.size(); ++i) {
    ASSERT_EQ(parsed.payments[i].reference, "R" + std::to_string(i + 1));
  }
}

TEST(PaymentFileTest, SplitsQuotedFields) {
  std::string error;
  auto f = SplitCsvLine("a,\"b,c\",\"d\"\"e\",,", &error);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(*f, (std::vector<std::string>{"a", "b,c", "d\"e", "", ""}));
  EXPECT_FALSE(SplitCsvLine("a\"b", &error).has_value());
  EXPECT_FALSE(SplitCsvLine("\"a\"b", &error).has_value());
}

}  // namespace
}  // namespace rentstream::ledger
