#include "services/ledger/import/payment_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/ids.h"

namespace rentstream::ledger {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

struct MethodName {
  absl::string_view name;
  PaymentMethod method;
};
constexpr MethodName kMethods[] = {
    {"direct_debit", PaymentMethod::kDirectDebit},
    {"standing_order", PaymentMethod::kStandingOrder},
    {"card", PaymentMethod::kCard},
    {"cash", PaymentMethod::kCash},
    {"bank_transfer", PaymentMethod::kBankTransfer},
    {"housing_benefit", PaymentMethod::kHousingBenefit},
    {"uc_managed_payment", PaymentMethod::kUcManagedPayment},
    {"dwp_deduction", PaymentMethod::kDwpDeduction},
};

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::optional<core::Date> ParseDate(absl::string_view text) {
  if (auto iso = core::Date::Parse(text); iso.ok()) return *iso;
  // DD/MM/YYYY
  if (text.size() != 10 || text[2] != '/' || text[5] != '/') return std::nullopt;
  int d = 0, m = 0, y = 0;
  for (int i : {0, 1}) {
    if (!absl::ascii_isdigit(text[i])) return std::nullopt;
    d = d * 10 + (text[i] - '0');
  }
  for (int i : {3, 4}) {
    if (!absl::ascii_isdigit(text[i])) return std::nullopt;
    m = m * 10 + (text[i] - '0');
  }
  for (int i : {6, 7, 8, 9}) {
    if (!absl::ascii_isdigit(text[i])) return std::nullopt;
    y = y * 10 + (text[i] - '0');
  }
  auto date = core::Date::FromYmd(y, m, d);
  if (!date.ok()) return std::nullopt;
  return *date;
}

}  // namespace

absl::string_view PaymentMethodName(PaymentMethod method) {
  for (const MethodName& m : kMethods) {
    if (m.method == method) return m.name;
  }
  return "unknown";
}

std::optional<std::vector<std::string>> SplitCsvLine(absl::string_view line, std::string* error) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      if (!field.empty() || was_quoted) {
        *error = absl::StrCat("a quote inside an unquoted field at column ", fields.size() + 1);
        return std::nullopt;
      }
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else {
      if (was_quoted) {
        *error = absl::StrCat("text after a closing quote at column ", fields.size() + 1);
        return std::nullopt;
      }
      field.push_back(c);
    }
  }
  if (quoted) {
    *error = "an unterminated quoted field";
    return std::nullopt;
  }
  fields.push_back(std::move(field));
  return fields;
}

void PaymentFileParser::AddLine(absl::string_view line, bool too_long, ParsedPaymentFile& out) {
  if (stopped_) return;
  if (line_number_ == 0 && absl::StartsWith(line, kBom)) line.remove_prefix(kBom.size());
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto fail = [&](std::string reason) {
    errors_seen_ = true;
    out.errors.push_back({line_number_, std::move(reason)});
  };
  if (too_long || line.size() > kMaxLineBytes) {
    fail(absl::StrCat("longer than ", kMaxLineBytes, " bytes"));
    return;
  }
  if (absl::StripAsciiWhitespace(line).empty()) return;
  if (!ValidUtf8(line)) {
    fail("not valid UTF-8 (save the file as UTF-8)");
    return;
  }
  std::string error;
  auto fields = SplitCsvLine(line, &error);
  if (!fields) {
    fail(error);
    return;
  }
  for (std::string& f : *fields) f = std::string(absl::StripAsciiWhitespace(f));
  if (!header_seen_) {
    std::vector<std::string> names;
    for (const std::string& f : *fields) names.push_back(absl::AsciiStrToLower(f));
    const bool ok = (names.size() == 4 || names.size() == 5) && names[0] == "date" &&
                    names[1] == "amount" && names[2] == "reference" && names[3] == "method" &&
                    (names.size() == 4 || names[4] == "tenancy_ref");
    if (!ok) {
      fail(absl::StrCat("the header must be date,amount,reference,method[,tenancy_ref]; found ",
                        absl::StrJoin(*fields, ",")));
      stopped_ = true;
      return;
    }
    header_seen_ = true;
    return;
  }
  if (fields->size() != 4 && fields->size() != 5) {
    fail(absl::StrCat("expected 4 or 5 columns, found ", fields->size(),
                      " (quote amounts that contain commas)"));
    return;
  }
  PaymentLine p;
  p.line_number = line_number_;
  auto date = ParseDate((*fields)[0]);
  if (!date) {
    fail(absl::StrCat("date: \"", (*fields)[0], "\" is not YYYY-MM-DD or DD/MM/YYYY"));
    return;
  }
  p.date = *date;
  auto amount = core::Money::Parse((*fields)[1]);
  if (!amount.ok()) {
    fail(absl::StrCat("amount: ", amount.status().message()));
    return;
  }
  if (*amount <= core::Money::Zero()) {
    fail("amount: must be more than £0.00");
    return;
  }
  p.amount = *amount;
  p.reference = std::move((*fields)[2]);
  if (p.reference.empty() || p.reference.size() > 128) {
    fail("reference: must be 1 to 128 characters");
    return;
  }
  const std::string method = absl::AsciiStrToLower((*fields)[3]);
  bool known = false;
  for (const MethodName& m : kMethods) {
    if (m.name == method) {
      p.method = m.method;
      known = true;
    }
  }
  if (!known) {
    fail(absl::StrCat("method: \"", (*fields)[3], "\" is not a known payment method"));
    return;
  }
  if (fields->size() == 5 && !(*fields)[4].empty()) {
    auto ref = core::TenancyRef::Parse(absl::AsciiStrToUpper((*fields)[4]));
    // A reference that cannot be a tenancy goes to suspense like an unknown one: the money
    // is real even when the reference is wrong.
    if (ref.ok()) p.tenancy_ref = ref->value();
  }
  out.payments.push_back(std::move(p));
}

void PaymentFileParser::Finish(ParsedPaymentFile& out) {
  if (!header_seen_ && !errors_seen_) out.errors.push_back({1, "the file is empty"});
}

bool PaymentFileLines::Next(absl::string_view& line, bool& too_long) {
  constexpr size_t kBlockBytes = size_t{1} << 20;
  too_long = false;
  if (failed_) return false;
  for (;;) {
    const size_t newline = buffer_.find('\n', start_);
    if (newline != std::string::npos) {
      if (skipping_) {  // the end of a line too long: told, not given
        skipping_ = false;
        start_ = newline + 1;
        line = {};
        too_long = true;
        return true;
      }
      line = absl::string_view(buffer_).substr(start_, newline - start_);
      start_ = newline + 1;
      return true;
    }
    // No line end in what is buffered: keep at most a line's worth of it.
    if (!skipping_ && buffer_.size() - start_ > kMaxLineBytes) skipping_ = true;
    buffer_.erase(0, skipping_ ? buffer_.size() : start_);
    start_ = 0;
    if (end_) {
      if (skipping_) {
        skipping_ = false;
        line = {};
        too_long = true;
        return true;
      }
      if (buffer_.empty()) return false;
      line = buffer_;  // the last line, without a line end
      start_ = buffer_.size();
      return true;
    }
    const size_t had = buffer_.size();
    buffer_.resize(had + kBlockBytes);
    in_.read(buffer_.data() + had, static_cast<std::streamsize>(kBlockBytes));
    buffer_.resize(had + static_cast<size_t>(in_.gcount()));
    if (!in_) {
      end_ = true;
      if (in_.bad()) {
        failed_ = true;
        return false;
      }
    }
  }
}

ParsedPaymentFile ParsePaymentFile(absl::string_view content) {
  ParsedPaymentFile out;
  if (content.size() > kMaxPaymentFileBytes) {
    out.errors.push_back(
        {0, absl::StrCat("the file is larger than ", kMaxPaymentFileBytes, " bytes; split it")});
    return out;
  }
  PaymentFileParser parser;
  while (!content.empty() && !parser.stopped()) {
    const size_t end = content.find('\n');
    parser.AddLine(content.substr(0, end), false, out);
    content.remove_prefix(end == absl::string_view::npos ? content.size() : end + 1);
  }
  parser.Finish(out);
  return out;
}

}  // namespace rentstream::ledger
