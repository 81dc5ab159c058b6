#pragma once
// Parses one policy expression into an untyped syntax tree. Grammar (lowest precedence first):
//   expr := and ('or' and)*          and := not ('and' not)*        not := 'not' not | compare
//   compare := sum [ ('=='|'!='|'<'|'<='|'>'|'>=') sum | ['not'] 'in' '[' expr (',' expr)* ']' ]
//   sum := product (('+'|'-') product)*       product := unary ('*' unary)*
//   unary := '-' unary | primary
//   primary := literal | identifier | identifier '(' [expr (',' expr)*] ')' | '(' expr ')'
// Comparisons do not chain. Nesting depth and node count are bounded (work per evaluation too).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/escalation/policy/lexer.h"

namespace rentstream::escalation::policy {

inline constexpr int kMaxExpressionDepth = 24;
inline constexpr int kMaxExpressionNodes = 200;

struct SyntaxNode {
  enum class Kind : uint8_t { kLiteral, kIdentifier, kCall, kUnary, kBinary, kIn };
  Kind kind = Kind::kLiteral;
  TokenKind token = TokenKind::kEnd;  // literal kind, or the operator
  std::string name;                   // identifier or function name, string literal contents
  int64_t value = 0;                  // literal value
  bool negated = false;               // kIn: "not in"
  std::vector<SyntaxNode> args;       // operands / call arguments / [value, list items...]
  int begin = 1;                      // 1-based columns in the expression text
  int end = 1;                        // one past the last character
};

// INVALID_ARGUMENT "column N: reason".
absl::StatusOr<SyntaxNode> ParseExpression(absl::string_view text);

}  // namespace rentstream::escalation::policy
