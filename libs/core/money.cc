#include "libs/core/money.h"

#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace rentstream::core {
namespace {

constexpr absl::string_view kPound = "\xC2\xA3";  // £ in UTF-8

absl::Status Malformed(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("money: ", why, " in \"", text, "\""));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Validates the integer part's comma grouping ("1,234,567") and strips the commas.
bool StripGrouping(absl::string_view in, std::string* digits) {
  if (in.empty()) return false;
  if (in.find(',') == absl::string_view::npos) {
    for (char c : in) {
      if (!IsDigit(c)) return false;
    }
    digits->assign(in.data(), in.size());
    return true;
  }
  size_t first = in.find(',');
  if (first == 0 || first > 3) return false;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool comma_here = i >= first && (i - first) % 4 == 0;
    if (comma_here ? in[i] != ',' : !IsDigit(in[i])) return false;
  }
  if ((in.size() - first) % 4 != 0) return false;  // last group must have 3 digits
  for (char c : in) {
    if (c != ',') digits->push_back(c);
  }
  return true;
}

}  // namespace

absl::StatusOr<Money> Money::Parse(absl::string_view original) {
  absl::string_view s = absl::StripAsciiWhitespace(original);
  if (s.empty()) return Malformed(original, "empty amount");
  bool negative = false;
  if (s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (absl::ConsumePrefix(&s, kPound) && !negative && !s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return Malformed(original, "no digits");
  absl::string_view whole = s, fraction;
  bool has_point = false;
  if (size_t dot = s.find('.'); dot != absl::string_view::npos) {
    whole = s.substr(0, dot);
    fraction = s.substr(dot + 1);
    has_point = true;
  }
  std::string digits;
  if (!StripGrouping(whole, &digits)) return Malformed(original, "not a number");
  if (has_point && fraction.empty()) return Malformed(original, "no digits after the point");
  if (fraction.size() > 2) return Malformed(original, "more than 2 decimal places");
  for (char c : fraction) {
    if (!IsDigit(c)) return Malformed(original, "not a number");
  }
  int64_t pounds = 0;
  for (char c : digits) {
    if (__builtin_mul_overflow(pounds, 10, &pounds) ||
        __builtin_add_overflow(pounds, c - '0', &pounds)) {
      return absl::OutOfRangeError(absl::StrCat("money: \"", original, "\" is too large"));
    }
  }
  int64_t pence = 0;
  int64_t frac = 0;
  for (size_t i = 0; i < 2; ++i) frac = frac * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  // Accumulate negatively so that the most negative value (INT64_MIN pence) parses too.
  if (__builtin_mul_overflow(pounds, -100, &pence) || __builtin_sub_overflow(pence, frac, &pence)) {
    return absl::OutOfRangeError(absl::StrCat("money: \"", original, "\" is too large"));
  }
  if (!negative) {
    if (pence == std::numeric_limits<int64_t>::min()) {
      return absl::OutOfRangeError(absl::StrCat("money: \"", original, "\" is too large"));
    }
    pence = -pence;
  }
  return Money(pence);
}

absl::StatusOr<Money> Money::CheckedAdd(Money other) const {
  int64_t r;
  if (__builtin_add_overflow(pence_, other.pence_, &r)) {
    return absl::OutOfRangeError("money: addition overflows");
  }
  return Money(r);
}

absl::StatusOr<Money> Money::CheckedSub(Money other) const {
  int64_t r;
  if (__builtin_sub_overflow(pence_, other.pence_, &r)) {
    return absl::OutOfRangeError("money: subtraction overflows");
  }
  return Money(r);
}

absl::StatusOr<Money> Money::CheckedMultiply(int64_t factor) const {
  int64_t r;
  if (__builtin_mul_overflow(pence_, factor, &r)) {
    return absl::OutOfRangeError("money: multiplication overflows");
  }
  return Money(r);
}

absl::StatusOr<Money> Money::Negated() const { return Zero().CheckedSub(*this); }

std::string Money::Format() const {
  // Work in unsigned magnitude so INT64_MIN formats without overflow.
  const uint64_t magnitude =
      pence_ < 0 ? static_cast<uint64_t>(-(pence_ + 1)) + 1 : static_cast<uint64_t>(pence_);
  const std::string pounds = std::to_string(magnitude / 100);
  std::string grouped;
  for (size_t i = 0; i < pounds.size(); ++i) {
    if (i > 0 && (pounds.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(pounds[i]);
  }
  const uint64_t p = magnitude % 100;
  return absl::StrCat(pence_ < 0 ? "-" : "", kPound, grouped, ".", p < 10 ? "0" : "", p);
}

}  // namespace rentstream::core
