#include "services/escalation/policy/parser.h"

#include <gtest/gtest.h>

#include <map>

namespace rentstream::escalation::policy {
namespace {

// A compact rendering of the tree: (op a b), f(args), [in ...].
std::string Show(const SyntaxNode& n) {
  switch (n.kind) {
    case SyntaxNode::Kind::kLiteral:
    case SyntaxNode::Kind::kIdentifier:
      return n.name;
    case SyntaxNode::Kind::kCall: {
      std::string s = n.name + "(";
      for (size_t i = 0; i < n.args.size(); ++i) s += (i ? "," : "") + Show(n.args[i]);
      return s + ")";
    }
    case SyntaxNode::Kind::kUnary:
      return "(" + std::string(n.token == TokenKind::kNot ? "not " : "-") + Show(n.args[0]) + ")";
    case SyntaxNode::Kind::kBinary: {
      static const std::map<TokenKind, std::string> ops = {
          {TokenKind::kAnd, "and"},  {TokenKind::kOr, "or"},          {TokenKind::kPlus, "+"},
          {TokenKind::kMinus, "-"},  {TokenKind::kStar, "*"},         {TokenKind::kLess, "<"},
          {TokenKind::kEqual, "=="}, {TokenKind::kGreaterEqual, ">="}};
      return "(" + ops.at(n.token) + " " + Show(n.args[0]) + " " + Show(n.args[1]) + ")";
    }
    case SyntaxNode::Kind::kIn: {
      std::string s = "[" + Show(n.args[0]) + (n.negated ? " not in" : " in");
      for (size_t i = 1; i < n.args.size(); ++i) s += " " + Show(n.args[i]);
      return s + "]";
    }
  }
  return "?";
}

std::string Parse(const std::string& text) {
  auto tree = ParseExpression(text);
  return tree.ok() ? Show(*tree) : std::string(tree.status().message());
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Parse("a or b and not c"), "(or a (and b (not c)))");
  EXPECT_EQ(Parse("a + b * 2 >= c - 1"), "(>= (+ a (* b 2)) (- c 1))");
  EXPECT_EQ(Parse("(a or b) and c"), "(and (or a b) c)");
  EXPECT_EQ(Parse("-a * 2"), "(* (-a) 2)");
  EXPECT_EQ(Parse("a - b - c"), "(- (- a b) c)");
}

TEST(ParserTest, CallsAndLists) {
  EXPECT_EQ(Parse("max(0.00, a - b)"), "max(0.00,(- a b))");
  EXPECT_EQ(Parse("paused()"), "paused()");
  EXPECT_EQ(Parse("x in ['a', 'b']"), "[x in a b]");
  EXPECT_EQ(Parse("x not in ['a']"), "[x not in a]");
  EXPECT_EQ(Parse("not x in ['a']"), "(not [x in a])");
}

TEST(ParserTest, ColumnsCoverTheSource) {
  auto tree = ParseExpression("  last_contact('letter_one') < today");
  ASSERT_TRUE(tree.ok());
  const SyntaxNode& call = tree->args[0];
  EXPECT_EQ(call.begin, 3);
  EXPECT_EQ(call.end, 29);
}

TEST(ParserTest, Errors) {
  EXPECT_EQ(Parse(""), "column 1: empty expression");
  EXPECT_EQ(Parse("a <"), "column 4: expected a value, found end of expression");
  EXPECT_EQ(Parse("a < b < c"), "column 7: comparisons do not chain; use 'and'");
  EXPECT_EQ(Parse("(a"), "column 3: expected ')', found end of expression");
  EXPECT_EQ(Parse("f(a b)"), "column 5: expected ')' or ',', found identifier 'b'");
  EXPECT_EQ(Parse("a b"), "column 3: unexpected identifier 'b'");
  EXPECT_EQ(Parse("x in 'a'"), "column 6: expected '[' after 'in', found string 'a'");
}

TEST(ParserTest, DepthAndSizeAreBounded) {
  std::string deep;
  for (int i = 0; i < kMaxExpressionDepth + 5; ++i) deep += "(";
  deep += "a";
  for (int i = 0; i < kMaxExpressionDepth + 5; ++i) deep += ")";
  EXPECT_NE(Parse(deep).find("nested deeper than"), std::string::npos);
  std::string wide = "a";
  for (int i = 0; i < 120; ++i) wide += " + a";
  EXPECT_NE(Parse(wide).find("more than"), std::string::npos);
}

}  // namespace
}  // namespace rentstream::escalation::policy
