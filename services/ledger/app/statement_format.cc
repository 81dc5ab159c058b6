#include "services/ledger/app/statement_format.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"

namespace rentstream::ledger::app {
namespace {

std::string Pounds(core::Money m) {  // "110.50", "-3.00"
  const int64_t p = m.pence();
  const uint64_t abs = p < 0 ? 0 - static_cast<uint64_t>(p) : static_cast<uint64_t>(p);
  return absl::StrCat(p < 0 ? "-" : "", abs / 100, ".", abs % 100 < 10 ? "0" : "", abs % 100);
}

std::string UkDate(core::Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day(), d.month(), d.year());
  return buf;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// UTF-8 to a PDF literal string in WinAnsiEncoding: escapes ( ) \, maps £ and drops what the
// standard font cannot show.
std::string PdfText(const std::string& utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else if (c == 0xC2 && i + 1 < utf8.size() &&
               static_cast<unsigned char>(utf8[i + 1]) == 0xA3) {
      out += "\\243";  // £
      ++i;
    } else if (c >= 0x80) {
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
      out += '?';
    }
  }
  return out;
}

}  // namespace

std::string StatementJson(const Statement& s) {
  nlohmann::ordered_json j;
  j["tenancy_ref"] = s.tenancy_ref;
  j["from"] = s.from.ToIso();
  j["to"] = s.to.ToIso();
  j["opening_balance_pence"] = s.opening_balance.pence();
  j["lines"] = nlohmann::json::array();
  for (const StatementLine& l : s.lines) {
    j["lines"].push_back({{"date", l.date.ToIso()},
                          {"description", l.description},
                          {"debit_pence", l.debit.pence()},
                          {"credit_pence", l.credit.pence()},
                          {"balance_pence", l.balance.pence()}});
  }
  j["closing_balance_pence"] = s.closing_balance.pence();
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StatementCsv(const Statement& s) {
  std::string out = "date,description,debit,credit,balance\r\n";
  absl::StrAppend(&out, s.from.ToIso(), ",Opening balance,,,", Pounds(s.opening_balance), "\r\n");
  for (const StatementLine& l : s.lines) {
    absl::StrAppend(&out, l.date.ToIso(), ",", CsvField(l.description), ",",
                    l.debit == core::Money::Zero() ? "" : Pounds(l.debit), ",",
                    l.credit == core::Money::Zero() ? "" : Pounds(l.credit), ",", Pounds(l.balance),
                    "\r\n");
  }
  absl::StrAppend(&out, s.to.ToIso(), ",Closing balance,,,", Pounds(s.closing_balance), "\r\n");
  return out;
}

std::string StatementPdf(const Statement& s, const std::string& landlord_name) {
  // Page content streams: a header, then up to 40 lines a page.
  constexpr int kLinesPerPage = 40;
  std::vector<std::string> rows;
  rows.push_back(absl::StrCat(UkDate(s.from),
                              "  Opening balance                                     ",
                              s.opening_balance.Format()));
  for (const StatementLine& l : s.lines) {
    std::string description = l.description.substr(0, 52);
    description.resize(52, ' ');
    char amounts[96];
    std::snprintf(amounts, sizeof amounts, "%12s %12s %12s",
                  l.debit == core::Money::Zero() ? "" : l.debit.Format().c_str(),
                  l.credit == core::Money::Zero() ? "" : l.credit.Format().c_str(),
                  l.balance.Format().c_str());
    rows.push_back(absl::StrCat(UkDate(l.date), "  ", description, amounts));
  }
  rows.push_back(absl::StrCat(UkDate(s.to),
                              "  Closing balance                                     ",
                              s.closing_balance.Format()));
  std::vector<std::string> pages;
  for (size_t first = 0; first < rows.size() || pages.empty(); first += kLinesPerPage) {
    std::string c = "BT /F1 14 Tf 50 800 Td (";
    absl::StrAppend(&c, PdfText(absl::StrCat(landlord_name, " - rent statement")), ") Tj ET\n");
    absl::StrAppend(&c, "BT /F1 10 Tf 50 780 Td (",
                    PdfText(absl::StrCat("Tenancy ", s.tenancy_ref, ", ", UkDate(s.from), " to ",
                                         UkDate(s.to), "   page ", pages.size() + 1)),
                    ") Tj ET\n");
    absl::StrAppend(&c, "BT /F2 8 Tf 50 755 Td (",
                    PdfText("Date        Description                                          "
                            "   Charged         Paid      Balance"),
                    ") Tj ET\n");
    int y = 740;
    for (size_t i = first; i < rows.size() && i < first + kLinesPerPage; ++i, y -= 16) {
      absl::StrAppend(&c, "BT /F2 8 Tf 50 ", y, " Td (", PdfText(rows[i]), ") Tj ET\n");
    }
    pages.push_back(std::move(c));
    if (rows.empty()) break;
  }
  // Objects: 1 catalog, 2 pages, 3 font, 4 mono font, then (page, content) pairs.
  std::vector<std::string> objects;
  std::string kids;
  for (size_t p = 0; p < pages.size(); ++p) absl::StrAppend(&kids, 5 + 2 * p, " 0 R ");
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back(
      absl::StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", pages.size(), " >>"));
  objects.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  objects.push_back(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>");
  for (size_t p = 0; p < pages.size(); ++p) {
    objects.push_back(absl::StrCat(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
        "/F2 4 0 R >> >> /Contents ",
        6 + 2 * p, " 0 R >>"));
    objects.push_back(
        absl::StrCat("<< /Length ", pages[p].size(), " >>\nstream\n", pages[p], "endstream"));
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    absl::StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  const size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t off : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
    pdf += entry;
  }
  absl::StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R >>\nstartxref\n",
                  xref, "\n%%EOF\n");
  return pdf;
}

}  // namespace rentstream::ledger::app
