#include "services/escalation/policy/lexer.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"

namespace rentstream::escalation::policy {
namespace {

constexpr absl::string_view kPound = "\xC2\xA3";  // "£" in UTF-8

absl::Status ErrorAt(int column, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", reason));
}

bool IsIdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      if (out.size() >= kMaxTokens) return ErrorAt(Column(), "expression has too many tokens");
      absl::StatusOr<Token> token = Next();
      if (!token.ok()) return token.status();
      token->end_column = Column();
      bool end = token->kind == TokenKind::kEnd;
      out.push_back(*std::move(token));
      if (end) return out;
    }
  }

 private:
  int Column() const { return static_cast<int>(pos_) + 1; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void SkipSpace() {
    while (!AtEnd() && absl::ascii_isspace(Peek())) ++pos_;
  }

  Token Make(TokenKind kind, size_t length) {
    Token t{kind, std::string(text_.substr(pos_, length)), 0, Column()};
    pos_ += length;
    return t;
  }

  absl::StatusOr<Token> Next() {
    if (AtEnd()) return Token{TokenKind::kEnd, "", 0, Column()};
    char c = Peek();
    if (IsIdentStart(c)) return Word();
    if (absl::ascii_isdigit(c)) return Number(pos_, false);
    if (absl::StartsWith(text_.substr(pos_), kPound)) return Number(pos_ + kPound.size(), true);
    if (c == '\'' || c == '"') return String(c);
    return Punctuation(c);
  }

  Token Word() {
    size_t end = pos_;
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    absl::string_view word = text_.substr(pos_, end - pos_);
    TokenKind kind = TokenKind::kIdentifier;
    if (word == "and") kind = TokenKind::kAnd;
    if (word == "or") kind = TokenKind::kOr;
    if (word == "not") kind = TokenKind::kNot;
    if (word == "in") kind = TokenKind::kIn;
    if (word == "true") kind = TokenKind::kTrue;
    if (word == "false") kind = TokenKind::kFalse;
    return Make(kind, end - pos_);
  }

  // Integer, money (a decimal point or a leading £) or an ISO date (dddd-dd-dd).
  absl::StatusOr<Token> Number(size_t digits_start, bool pound) {
    int column = Column();
    size_t end = digits_start;
    while (end < text_.size() &&
           (absl::ascii_isdigit(text_[end]) || text_[end] == '.' || text_[end] == '-')) {
      // A '-' belongs to the literal only in the date shape dddd-dd-dd.
      if (text_[end] == '-' && !(end - digits_start == 4 || end - digits_start == 7)) break;
      ++end;
    }
    absl::string_view lexeme = text_.substr(digits_start, end - digits_start);
    Token t{TokenKind::kInteger, std::string(text_.substr(pos_, end - pos_)), 0, column};
    pos_ = end;
    if (end < text_.size() && IsIdentChar(text_[end])) {
      return ErrorAt(column,
                     absl::StrCat("malformed number \"", t.text, std::string(1, text_[end]), "\""));
    }
    if (!pound && lexeme.find('-') != absl::string_view::npos) {
      absl::StatusOr<core::Date> d = core::Date::Parse(lexeme);
      if (!d.ok()) return ErrorAt(column, absl::StrCat("not a date \"", lexeme, "\""));
      t.kind = TokenKind::kDate;
      t.value = d->days_since_epoch();
      return t;
    }
    if (pound || lexeme.find('.') != absl::string_view::npos) {
      absl::StatusOr<core::Money> m = core::Money::Parse(lexeme);
      if (!m.ok()) return ErrorAt(column, absl::StrCat("not an amount \"", t.text, "\""));
      t.kind = TokenKind::kMoney;
      t.value = m->pence();
      return t;
    }
    if (!absl::SimpleAtoi(lexeme, &t.value)) {
      return ErrorAt(column, absl::StrCat("not an integer \"", lexeme, "\""));
    }
    return t;
  }

  absl::StatusOr<Token> String(char quote) {
    int column = Column();
    size_t end = text_.find(quote, pos_ + 1);
    if (end == absl::string_view::npos) return ErrorAt(column, "unterminated string");
    Token t{TokenKind::kString, std::string(text_.substr(pos_ + 1, end - pos_ - 1)), 0, column};
    pos_ = end + 1;
    return t;
  }

  absl::StatusOr<Token> Punctuation(char c) {
    char n = Peek(1);
    if (c == '=' && n == '=') return Make(TokenKind::kEqual, 2);
    if (c == '!' && n == '=') return Make(TokenKind::kNotEqual, 2);
    if (c == '<' && n == '=') return Make(TokenKind::kLessEqual, 2);
    if (c == '>' && n == '=') return Make(TokenKind::kGreaterEqual, 2);
    switch (c) {
      case '(':
        return Make(TokenKind::kLeftParen, 1);
      case ')':
        return Make(TokenKind::kRightParen, 1);
      case '[':
        return Make(TokenKind::kLeftBracket, 1);
      case ']':
        return Make(TokenKind::kRightBracket, 1);
      case ',':
        return Make(TokenKind::kComma, 1);
      case '+':
        return Make(TokenKind::kPlus, 1);
      case '-':
        return Make(TokenKind::kMinus, 1);
      case '*':
        return Make(TokenKind::kStar, 1);
      case '<':
        return Make(TokenKind::kLess, 1);
      case '>':
        return Make(TokenKind::kGreater, 1);
      default:
        break;
    }
    if (c == '=') return ErrorAt(Column(), "unexpected '=' (use '==' to compare)");
    return ErrorAt(Column(), absl::StrCat("unexpected character '", std::string(1, c), "'"));
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text) {
  if (text.size() > kMaxExpressionLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("column 1: expression longer than ", kMaxExpressionLength, " characters"));
  }
  return Lexer(text).Run();
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of expression";
    case TokenKind::kIdentifier:
      return absl::StrCat("identifier '", token.text, "'");
    case TokenKind::kString:
      return absl::StrCat("string '", token.text, "'");
    default:
      return absl::StrCat("'", token.text, "'");
  }
}

}  // namespace rentstream::escalation::policy
