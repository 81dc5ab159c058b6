#include "services/escalation/policy/parser.h"

#include "absl/strings/str_cat.h"

namespace rentstream::escalation::policy {
namespace {

absl::Status ErrorAt(int column, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("column ", column, ": ", reason));
}

bool IsComparison(TokenKind k) {
  return k == TokenKind::kEqual || k == TokenKind::kNotEqual || k == TokenKind::kLess ||
         k == TokenKind::kLessEqual || k == TokenKind::kGreater || k == TokenKind::kGreaterEqual;
}

bool IsLiteral(TokenKind k) {
  return k == TokenKind::kInteger || k == TokenKind::kMoney || k == TokenKind::kDate ||
         k == TokenKind::kString || k == TokenKind::kTrue || k == TokenKind::kFalse;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<SyntaxNode> Run() {
    absl::StatusOr<SyntaxNode> root = Or(0);
    if (!root.ok()) return root;
    if (Peek().kind != TokenKind::kEnd) {
      return ErrorAt(Peek().column, absl::StrCat("unexpected ", DescribeToken(Peek())));
    }
    return root;
  }

 private:
  const Token& Peek(int ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  absl::Status Expect(TokenKind kind, absl::string_view what) {
    if (Peek().kind != kind) {
      return ErrorAt(Peek().column,
                     absl::StrCat("expected ", what, ", found ", DescribeToken(Peek())));
    }
    Take();
    return absl::OkStatus();
  }

  absl::Status Enter(int depth) {
    if (depth > kMaxExpressionDepth) {
      return ErrorAt(Peek().column,
                     absl::StrCat("expression nested deeper than ", kMaxExpressionDepth));
    }
    if (++nodes_ > kMaxExpressionNodes) {
      return ErrorAt(Peek().column,
                     absl::StrCat("expression has more than ", kMaxExpressionNodes, " parts"));
    }
    return absl::OkStatus();
  }

  static SyntaxNode Binary(TokenKind op, SyntaxNode lhs, SyntaxNode rhs) {
    SyntaxNode n;
    n.kind = SyntaxNode::Kind::kBinary;
    n.token = op;
    n.begin = lhs.begin;
    n.end = rhs.end;
    n.args.push_back(std::move(lhs));
    n.args.push_back(std::move(rhs));
    return n;
  }

  // One left-associative level: next (op next)*.
  template <typename Next, typename Match>
  absl::StatusOr<SyntaxNode> LeftAssoc(int depth, Next next, Match match) {
    absl::StatusOr<SyntaxNode> lhs = (this->*next)(depth + 1);
    if (!lhs.ok()) return lhs;
    while (match(Peek().kind)) {
      TokenKind op = Take().kind;
      if (absl::Status st = Enter(depth); !st.ok()) return st;
      absl::StatusOr<SyntaxNode> rhs = (this->*next)(depth + 1);
      if (!rhs.ok()) return rhs;
      lhs = Binary(op, *std::move(lhs), *std::move(rhs));
    }
    return lhs;
  }

  absl::StatusOr<SyntaxNode> Or(int depth) {
    return LeftAssoc(depth, &Parser::And, [](TokenKind k) { return k == TokenKind::kOr; });
  }
  absl::StatusOr<SyntaxNode> And(int depth) {
    return LeftAssoc(depth, &Parser::Not, [](TokenKind k) { return k == TokenKind::kAnd; });
  }
  absl::StatusOr<SyntaxNode> Sum(int depth) {
    return LeftAssoc(depth, &Parser::Product,
                     [](TokenKind k) { return k == TokenKind::kPlus || k == TokenKind::kMinus; });
  }
  absl::StatusOr<SyntaxNode> Product(int depth) {
    return LeftAssoc(depth, &Parser::Unary, [](TokenKind k) { return k == TokenKind::kStar; });
  }

  absl::StatusOr<SyntaxNode> Prefix(int depth, TokenKind op,
                                    absl::StatusOr<SyntaxNode> (Parser::*operand)(int)) {
    if (absl::Status st = Enter(depth); !st.ok()) return st;
    int begin = Take().column;
    absl::StatusOr<SyntaxNode> inner = (this->*operand)(depth + 1);
    if (!inner.ok()) return inner;
    SyntaxNode n;
    n.kind = SyntaxNode::Kind::kUnary;
    n.token = op;
    n.begin = begin;
    n.end = inner->end;
    n.args.push_back(*std::move(inner));
    return n;
  }

  absl::StatusOr<SyntaxNode> Not(int depth) {
    if (Peek().kind == TokenKind::kNot) return Prefix(depth, TokenKind::kNot, &Parser::Not);
    return Compare(depth);
  }

  absl::StatusOr<SyntaxNode> Compare(int depth) {
    absl::StatusOr<SyntaxNode> lhs = Sum(depth + 1);
    if (!lhs.ok()) return lhs;
    if (IsComparison(Peek().kind)) {
      TokenKind op = Take().kind;
      if (absl::Status st = Enter(depth); !st.ok()) return st;
      absl::StatusOr<SyntaxNode> rhs = Sum(depth + 1);
      if (!rhs.ok()) return rhs;
      if (IsComparison(Peek().kind)) {
        return ErrorAt(Peek().column, "comparisons do not chain; use 'and'");
      }
      return Binary(op, *std::move(lhs), *std::move(rhs));
    }
    bool negated = Peek().kind == TokenKind::kNot && Peek(1).kind == TokenKind::kIn;
    if (Peek().kind != TokenKind::kIn && !negated) return lhs;
    if (negated) Take();
    Take();
    return InList(depth, *std::move(lhs), negated);
  }

  absl::StatusOr<SyntaxNode> InList(int depth, SyntaxNode value, bool negated) {
    SyntaxNode n;
    n.kind = SyntaxNode::Kind::kIn;
    n.negated = negated;
    n.begin = value.begin;
    n.args.push_back(std::move(value));
    if (absl::Status st = Expect(TokenKind::kLeftBracket, "'[' after 'in'"); !st.ok()) return st;
    do {
      if (absl::Status st = Enter(depth); !st.ok()) return st;
      absl::StatusOr<SyntaxNode> item = Sum(depth + 1);
      if (!item.ok()) return item;
      n.args.push_back(*std::move(item));
    } while (Peek().kind == TokenKind::kComma && (Take(), true));
    n.end = Peek().end_column;
    if (absl::Status st = Expect(TokenKind::kRightBracket, "']'"); !st.ok()) return st;
    return n;
  }

  absl::StatusOr<SyntaxNode> Unary(int depth) {
    if (Peek().kind == TokenKind::kMinus) return Prefix(depth, TokenKind::kMinus, &Parser::Unary);
    return Primary(depth);
  }

  absl::StatusOr<SyntaxNode> Primary(int depth) {
    if (absl::Status st = Enter(depth); !st.ok()) return st;
    const Token& t = Peek();
    SyntaxNode n;
    n.begin = t.column;
    n.end = t.end_column;
    if (IsLiteral(t.kind)) {
      n.kind = SyntaxNode::Kind::kLiteral;
      n.token = t.kind;
      n.name = t.text;
      n.value = t.kind == TokenKind::kTrue ? 1 : t.value;
      Take();
      return n;
    }
    if (t.kind == TokenKind::kLeftParen) {
      Take();
      absl::StatusOr<SyntaxNode> inner = Or(depth + 1);
      if (!inner.ok()) return inner;
      if (absl::Status st = Expect(TokenKind::kRightParen, "')'"); !st.ok()) return st;
      return inner;
    }
    if (t.kind != TokenKind::kIdentifier) {
      return ErrorAt(t.column, absl::StrCat("expected a value, found ", DescribeToken(t)));
    }
    n.kind = SyntaxNode::Kind::kIdentifier;
    n.name = Take().text;
    if (Peek().kind != TokenKind::kLeftParen) return n;
    return Call(depth, std::move(n));
  }

  absl::StatusOr<SyntaxNode> Call(int depth, SyntaxNode n) {
    n.kind = SyntaxNode::Kind::kCall;
    Take();  // '('
    if (Peek().kind != TokenKind::kRightParen) {
      do {
        absl::StatusOr<SyntaxNode> arg = Or(depth + 1);
        if (!arg.ok()) return arg;
        n.args.push_back(*std::move(arg));
      } while (Peek().kind == TokenKind::kComma && (Take(), true));
    }
    n.end = Peek().end_column;
    if (absl::Status st = Expect(TokenKind::kRightParen, "')' or ','"); !st.ok()) return st;
    return n;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int nodes_ = 0;
};

}  // namespace

absl::StatusOr<SyntaxNode> ParseExpression(absl::string_view text) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 1) return ErrorAt(1, "empty expression");
  return Parser(*std::move(tokens)).Run();
}

}  // namespace rentstream::escalation::policy
