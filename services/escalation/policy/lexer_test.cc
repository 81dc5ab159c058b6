#include "services/escalation/policy/lexer.h"

#include <gtest/gtest.h>

#include "libs/core/civil_date.h"

namespace rentstream::escalation::policy {
namespace {

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> out;
  for (const Token& t : tokens) out.push_back(t.kind);
  return out;
}

TEST(LexerTest, LiteralsHaveTheirTypes) {
  auto tokens = Tokenize(
      "42 12.50 \xC2\xA3"
      "10 2026-05-01 'letter_one' \"sms\"");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 7u);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kInteger);
  EXPECT_EQ((*tokens)[0].value, 42);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kMoney);
  EXPECT_EQ((*tokens)[1].value, 1250);
  EXPECT_EQ((*tokens)[2].kind, TokenKind::kMoney);
  EXPECT_EQ((*tokens)[2].value, 1000);
  EXPECT_EQ((*tokens)[3].kind, TokenKind::kDate);
  EXPECT_EQ((*tokens)[3].value, core::Date::Parse("2026-05-01")->days_since_epoch());
  EXPECT_EQ((*tokens)[4].kind, TokenKind::kString);
  EXPECT_EQ((*tokens)[4].text, "letter_one");
  EXPECT_EQ((*tokens)[5].text, "sms");
}

TEST(LexerTest, OperatorsAndKeywords) {
  auto tokens = Tokenize("not a and b or c in [x] <= >= < > == != + - * ( ) , true false");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(Kinds(*tokens),
            (std::vector<TokenKind>{
                TokenKind::kNot,          TokenKind::kIdentifier,  TokenKind::kAnd,
                TokenKind::kIdentifier,   TokenKind::kOr,          TokenKind::kIdentifier,
                TokenKind::kIn,           TokenKind::kLeftBracket, TokenKind::kIdentifier,
                TokenKind::kRightBracket, TokenKind::kLessEqual,   TokenKind::kGreaterEqual,
                TokenKind::kLess,         TokenKind::kGreater,     TokenKind::kEqual,
                TokenKind::kNotEqual,     TokenKind::kPlus,        TokenKind::kMinus,
                TokenKind::kStar,         TokenKind::kLeftParen,   TokenKind::kRightParen,
                TokenKind::kComma,        TokenKind::kTrue,        TokenKind::kFalse,
                TokenKind::kEnd}));
}

TEST(LexerTest, SubtractionIsNotADate) {
  auto tokens = Tokenize("a-1 - 2");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(Kinds(*tokens),
            (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kMinus, TokenKind::kInteger,
                                    TokenKind::kMinus, TokenKind::kInteger, TokenKind::kEnd}));
}

TEST(LexerTest, ColumnsAreOneBased) {
  auto tokens = Tokenize("  abc >= 3");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].column, 3);
  EXPECT_EQ((*tokens)[0].end_column, 6);
  EXPECT_EQ((*tokens)[1].column, 7);
}

TEST(LexerTest, ErrorsNameTheColumn) {
  EXPECT_EQ(Tokenize("a = b").status().message(), "column 3: unexpected '=' (use '==' to compare)");
  EXPECT_EQ(Tokenize("2026-13-01").status().message(), "column 1: not a date \"2026-13-01\"");
  EXPECT_EQ(Tokenize("1.234").status().message(), "column 1: not an amount \"1.234\"");
  EXPECT_EQ(Tokenize("x 'abc").status().message(), "column 3: unterminated string");
  EXPECT_EQ(Tokenize("a $ b").status().message(), "column 3: unexpected character '$'");
  EXPECT_EQ(Tokenize("12ab").status().message(), "column 1: malformed number \"12a\"");
}

TEST(LexerTest, LengthIsBounded) {
  std::string long_text(kMaxExpressionLength + 1, 'a');
  EXPECT_FALSE(Tokenize(long_text).ok());
  std::string many;
  for (int i = 0; i < kMaxTokens; ++i) many += "a ";
  EXPECT_FALSE(Tokenize(many).ok());
}

}  // namespace
}  // namespace rentstream::escalation::policy
