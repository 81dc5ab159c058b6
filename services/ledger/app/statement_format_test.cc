#include "services/ledger/app/statement_format.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace rentstream::ledger::app {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

TenancyLedger AYearOfRent() {
  TenancyLedger s;
  OpenAccount open;
  open.info.tenancy_ref = "HA-000123";
  open.info.tenant_ids = {"p1"};
  open.info.start_date = D(2025, 4, 7);
  open.schedule.anchor = D(2025, 4, 7);
  open.schedule.rates = {{D(2025, 4, 7), {{ChargeKind::kNetRent, "RNT", Money::FromPence(11050)}}}};
  auto fold = [&](const Decision& d) {
    for (const auto& e : std::get<std::vector<LedgerEvent>>(d)) Evolve(s, e);
  };
  fold(Decide(s, open));
  fold(Decide(s, PostCharges{D(2025, 4, 7), D(2027, 4, 4)}));
  for (int w = 0; w < 100; ++w) {
    fold(Decide(s, RecordPayment{PaymentMethod::kDirectDebit, "bacs", "DD, \"" + std::to_string(w),
                                 D(2025, 4, 9).AddDays(7 * w), Money::FromPence(11050),
                                 AccountKind::kRent}));
  }
  return s;
}

TEST(StatementTest, OpeningLinesAndClosingAddUp) {
  TenancyLedger s = AYearOfRent();
  auto st = BuildStatement(s, AccountKind::kRent, D(2026, 4, 6), D(2027, 4, 4));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->opening_balance, Money::Zero());  // 52 charges and 52 payments before
  ASSERT_EQ(st->lines.size(), 52u + 48u);
  int64_t running = st->opening_balance.pence();
  for (const StatementLine& l : st->lines) {
    running += l.debit.pence() - l.credit.pence();
    EXPECT_EQ(l.balance.pence(), running);
  }
  EXPECT_EQ(st->closing_balance, Money::FromPence(4 * 11050));
  EXPECT_EQ(st->lines[0].description, "Rent 06/04/2026 to 12/04/2026");
  EXPECT_EQ(BuildStatement(s, AccountKind::kRent, D(2027, 1, 1), D(2026, 1, 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(BuildStatement(s, AccountKind::kRent, D(2019, 1, 1), D(2027, 1, 1)).ok());
}

TEST(StatementTest, CsvQuotesAndJsonCarriesEveryLine) {
  TenancyLedger s = AYearOfRent();
  auto st = BuildStatement(s, AccountKind::kRent, D(2026, 4, 6), D(2026, 4, 19));
  ASSERT_TRUE(st.ok());
  const std::string csv = StatementCsv(*st);
  EXPECT_EQ(csv.rfind("date,description,debit,credit,balance\r\n", 0), 0u);
  EXPECT_NE(csv.find("2026-04-06,Rent 06/04/2026 to 12/04/2026,110.50,,110.50\r\n"),
            std::string::npos)
      << csv;
  // A reference with a comma and a quote stays one field.
  EXPECT_NE(csv.find("\"Payment, direct debit (DD, \"\"52)\",,110.50,0.00"), std::string::npos)
      << csv;
  const std::string json = StatementJson(*st);
  EXPECT_NE(json.find("\"closing_balance_pence\": 0"), std::string::npos) << json;
}

TEST(StatementTest, PdfIsWellFormedWithACorrectXrefAndPages) {
  TenancyLedger s = AYearOfRent();
  auto st = BuildStatement(s, AccountKind::kRent, D(2025, 4, 7), D(2027, 4, 4));
  ASSERT_TRUE(st.ok());
  const std::string pdf = StatementPdf(*st, "Example Homes (£)");
  ASSERT_EQ(pdf.rfind("%PDF-1.4\n", 0), 0u);
  ASSERT_EQ(pdf.substr(pdf.size() - 6), "%%EOF\n");
  // startxref points at the xref table, and every entry at its "N 0 obj".
  const size_t sx = pdf.rfind("startxref\n");
  ASSERT_NE(sx, std::string::npos);
  size_t xref = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pdf.substr(sx + 10, pdf.find('\n', sx + 10) - sx - 10), &xref));
  ASSERT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
  std::vector<std::string> lines = absl::StrSplit(pdf.substr(xref), '\n');
  int count = 0;
  std::vector<std::string> header = absl::StrSplit(lines[1], ' ');
  ASSERT_EQ(header.size(), 2u);
  ASSERT_TRUE(absl::SimpleAtoi(header[1], &count));
  for (int obj = 1; obj < count; ++obj) {
    size_t offset = 0;
    ASSERT_TRUE(absl::SimpleAtoi(lines[2 + obj].substr(0, 10), &offset));
    EXPECT_EQ(pdf.compare(offset, std::to_string(obj).size() + 6, std::to_string(obj) + " 0 obj"),
              0)
        << obj;
  }
  // 211 rows at 40 a page: 6 pages; the pound sign in WinAnsi.
  EXPECT_NE(pdf.find("/Count 6"), std::string::npos);
  EXPECT_NE(pdf.find("\\243"), std::string::npos);

  // And a real PDF parser agrees (qpdf comes with tools/setup.sh).
  const std::string path = ::testing::TempDir() + "/statement.pdf";
  std::ofstream(path, std::ios::binary) << pdf;
  const std::string command = "qpdf --check " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  EXPECT_EQ(pclose(pipe), 0) << output;
  EXPECT_NE(output.find("No syntax or stream encoding errors"), std::string::npos) << output;
}

}  // namespace
}  // namespace rentstream::ledger::app
