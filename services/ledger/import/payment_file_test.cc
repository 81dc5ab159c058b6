#include "services/ledger/import/payment_file.h"

#include <gtest/gtest.h>

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
