#pragma once
// Tokens of the policy expression language (policies/README.md, "Expressions"). The lexer is
// the first of three load-time stages: lexer → parser (syntax tree) → compiler (typed program).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rentstream::escalation::policy {

enum class TokenKind : uint8_t {
  kIdentifier,
  kInteger,  // 42
  kMoney,    // £12.50, 12.50, £10 (value: pence)
  kDate,     // 2026-05-01 (value: days since 1970-01-01)
  kString,   // 'letter_one' or "letter_one": enumeration codes
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kNot,
  kIn,
  kTrue,
  kFalse,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;    // identifier name, string contents, or the source text of a literal
  int64_t value = 0;   // integer, pence, or days since the epoch
  int column = 1;      // 1-based, in the expression text
  int end_column = 1;  // one past the token's last character
};

// Bounds checked before any other work, so a hostile file cannot make loading slow.
inline constexpr int kMaxExpressionLength = 2000;
inline constexpr int kMaxTokens = 400;

// INVALID_ARGUMENT "column N: reason" on a malformed token.
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text);

// For messages: "identifier", "')'", "end of expression"...
std::string DescribeToken(const Token& token);

}  // namespace rentstream::escalation::policy
