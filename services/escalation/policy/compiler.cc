#include "services/escalation/policy/compiler.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/escalation/policy/identifiers.h"

namespace rentstream::escalation::policy {
namespace {

using Typed = Compiler::Typed;
using Kind = SyntaxNode::Kind;

// Marks an error that already names its file and line (raised inside a definition).
constexpr absl::string_view kLocated = "rentstream.policy/located";

absl::Status At(const SyntaxNode& n, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("column ", n.begin, ": ", reason));
}

bool IsOrdered(ValueType t) {
  return t == ValueType::kInt || t == ValueType::kMoney || t == ValueType::kDate;
}

bool SameType(const Typed& a, const Typed& b) { return a.type == b.type && a.codes == b.codes; }

bool IsCodeLiteral(const SyntaxNode& n) {
  return n.kind == Kind::kLiteral && n.token == TokenKind::kString;
}

}  // namespace

std::string TypeName(ValueType type, const EnumCodes* codes) {
  switch (type) {
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt:
      return "integer";
    case ValueType::kMoney:
      return "money";
    case ValueType::kDate:
      return "date";
    case ValueType::kEnum:
      return codes ? std::string(codes->type_name) : "code";
  }
  return "?";
}

namespace {
std::string NameOf(const Typed& t) { return TypeName(t.type, t.codes); }
}  // namespace

int32_t Compiler::Emit(Node node) {
  p_->nodes.push_back(node);
  return static_cast<int32_t>(p_->nodes.size() - 1);
}

absl::Status Compiler::Error(int line, absl::string_view what, absl::Status inner) const {
  if (inner.GetPayload(kLocated).has_value()) return inner;
  absl::Status st =
      absl::InvalidArgumentError(absl::StrCat(file_, ":", line, ": ", what, ": ", inner.message()));
  st.SetPayload(kLocated, absl::Cord("1"));
  return st;
}

void Compiler::AddInput(std::vector<InputRef>* inputs, std::string name, int32_t node) {
  for (const InputRef& in : *inputs) {
    if (in.name == name) return;
  }
  inputs->push_back(InputRef{std::move(name), node});
}

absl::Status Compiler::AddDefinitions(const std::vector<DefinitionSource>& definitions) {
  if (definitions.size() > kMaxDefinitions) {
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", definitions[kMaxDefinitions].line,
                                                   ": more than ", kMaxDefinitions,
                                                   " definitions"));
  }
  for (const DefinitionSource& d : definitions) {
    if (FindFact(d.name) != nullptr) {
      return Error(d.line, "definition " + d.name,
                   absl::InvalidArgumentError("shadows the fact of the same name"));
    }
    if (!definition_index_.emplace(d.name, definitions_.size()).second) {
      return Error(d.line, "definition " + d.name, absl::InvalidArgumentError("defined twice"));
    }
    Definition def;
    def.source = d;
    definitions_.push_back(std::move(def));
  }
  p_->definition_roots.assign(definitions_.size(), -1);
  p_->definition_names.clear();
  for (const Definition& d : definitions_) p_->definition_names.push_back(d.source.name);
  for (Definition& d : definitions_) {
    if (absl::StatusOr<Typed> t = CompileDefinition(d); !t.ok()) return t.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<Typed> Compiler::CompileDefinition(Definition& d) {
  if (d.state == Definition::State::kDone) return d.typed;
  std::string what = "definition " + d.source.name;
  if (d.state == Definition::State::kCompiling) {
    std::vector<std::string> cycle(std::find(compiling_.begin(), compiling_.end(), d.source.name),
                                   compiling_.end());
    cycle.push_back(d.source.name);
    const Definition& referrer = definitions_[definition_index_.at(compiling_.back())];
    return Error(referrer.source.line, "definition " + referrer.source.name,
                 absl::InvalidArgumentError(
                     absl::StrCat("definitions form a cycle: ", absl::StrJoin(cycle, " -> "))));
  }
  d.state = Definition::State::kCompiling;
  compiling_.push_back(d.source.name);
  absl::StatusOr<SyntaxNode> tree = ParseExpression(d.source.text);
  if (!tree.ok()) return Error(d.source.line, what, tree.status());
  std::vector<InputRef> inputs;
  absl::StatusOr<Typed> t = Compile(*tree, Context{d.source.text, &inputs});
  if (!t.ok()) return Error(d.source.line, what, t.status());
  compiling_.pop_back();
  d.state = Definition::State::kDone;
  d.typed = *t;
  d.inputs = std::move(inputs);
  p_->definition_roots[definition_index_.at(d.source.name)] = t->node;
  return d.typed;
}

absl::StatusOr<CompiledExpr> Compiler::CompileCondition(absl::string_view text, int line,
                                                        absl::string_view what) {
  absl::StatusOr<SyntaxNode> tree = ParseExpression(text);
  if (!tree.ok()) return Error(line, what, tree.status());
  CompiledExpr out;
  out.text = std::string(text);
  out.name = out.text;
  out.line = line;
  absl::StatusOr<Typed> t = Compile(*tree, Context{text, &out.inputs});
  if (!t.ok()) return Error(line, what, t.status());
  if (t->type != ValueType::kBool) {
    return Error(line, what,
                 At(*tree, absl::StrCat("a condition must be boolean, this is ", NameOf(*t))));
  }
  if (p_->nodes.size() > kMaxProgramNodes) {
    return Error(line, what, absl::InvalidArgumentError("policy too large"));
  }
  out.root = t->node;
  return out;
}

absl::StatusOr<Typed> Compiler::Compile(const SyntaxNode& n, const Context& cx) {
  switch (n.kind) {
    case Kind::kLiteral:
      return CompileLiteral(n);
    case Kind::kIdentifier:
      return CompileIdentifier(n, cx);
    case Kind::kUnary:
      return CompileUnary(n, cx);
    case Kind::kBinary:
      return CompileBinary(n, cx);
    case Kind::kIn:
      return CompileIn(n, cx);
    case Kind::kCall:
      return CompileCall(n, cx);
  }
  return At(n, "unsupported expression");
}

absl::StatusOr<Typed> Compiler::CompileLiteral(const SyntaxNode& n) {
  ValueType type = ValueType::kBool;
  switch (n.token) {
    case TokenKind::kInteger:
      type = ValueType::kInt;
      break;
    case TokenKind::kMoney:
      type = ValueType::kMoney;
      break;
    case TokenKind::kDate:
      type = ValueType::kDate;
      break;
    case TokenKind::kTrue:
    case TokenKind::kFalse:
      type = ValueType::kBool;
      break;
    default:
      return At(n, absl::StrCat("the code '", n.name,
                                "' must be compared with a value of an enumeration"));
  }
  return Typed{Emit(Node{.op = Op::kConst, .type = type, .imm = n.value}), type, nullptr};
}

absl::StatusOr<Typed> Compiler::CompileIdentifier(const SyntaxNode& n, const Context& cx) {
  if (const FactInfo* f = FindFact(n.name)) {
    int32_t node = Emit(Node{.op = Op::kFact, .type = f->type, .fact = f->get, .codes = f->codes});
    AddInput(cx.inputs, n.name, node);
    return Typed{node, f->type, f->codes};
  }
  auto it = definition_index_.find(n.name);
  if (it == definition_index_.end()) {
    return At(n, absl::StrCat("unknown identifier '", n.name, "'"));
  }
  Definition& d = definitions_[it->second];
  absl::StatusOr<Typed> t = CompileDefinition(d);
  if (!t.ok()) return t.status();
  int32_t node = Emit(Node{.op = Op::kDef, .type = t->type, .imm = it->second, .codes = t->codes});
  AddInput(cx.inputs, n.name, node);
  for (const InputRef& in : d.inputs) AddInput(cx.inputs, in.name, in.node);
  return Typed{node, t->type, t->codes};
}

absl::StatusOr<Typed> Compiler::CompileUnary(const SyntaxNode& n, const Context& cx) {
  absl::StatusOr<Typed> a = Compile(n.args[0], cx);
  if (!a.ok()) return a;
  if (n.token == TokenKind::kNot) {
    if (a->type != ValueType::kBool) return At(n, "'not' needs a boolean, not " + NameOf(*a));
    return Typed{Emit(Node{.op = Op::kNot, .type = ValueType::kBool, .a = a->node}),
                 ValueType::kBool, nullptr};
  }
  if (a->type != ValueType::kInt && a->type != ValueType::kMoney) {
    return At(n, "'-' needs an integer or money, not " + NameOf(*a));
  }
  return Typed{Emit(Node{.op = Op::kNeg, .type = a->type, .a = a->node}), a->type, nullptr};
}

absl::StatusOr<Typed> Compiler::CompileBinary(const SyntaxNode& n, const Context& cx) {
  TokenKind op = n.token;
  if (op != TokenKind::kAnd && op != TokenKind::kOr && op != TokenKind::kPlus &&
      op != TokenKind::kMinus && op != TokenKind::kStar) {
    return CompileComparison(n, cx);
  }
  absl::StatusOr<Typed> a = Compile(n.args[0], cx);
  if (!a.ok()) return a;
  absl::StatusOr<Typed> b = Compile(n.args[1], cx);
  if (!b.ok()) return b;
  if (op == TokenKind::kAnd || op == TokenKind::kOr) {
    if (a->type != ValueType::kBool || b->type != ValueType::kBool) {
      return At(n,
                absl::StrCat("'and'/'or' need booleans, found ", NameOf(*a), " and ", NameOf(*b)));
    }
    Op code = op == TokenKind::kAnd ? Op::kAnd : Op::kOr;
    return Typed{Emit(Node{.op = code, .type = ValueType::kBool, .a = a->node, .b = b->node}),
                 ValueType::kBool, nullptr};
  }
  if (op == TokenKind::kStar) {
    // Money is only ever multiplied by a whole number: no fractions of a penny appear.
    bool ok = (a->type == ValueType::kInt &&
               (b->type == ValueType::kInt || b->type == ValueType::kMoney)) ||
              (a->type == ValueType::kMoney && b->type == ValueType::kInt);
    if (!ok) return At(n, absl::StrCat("cannot multiply ", NameOf(*a), " by ", NameOf(*b)));
    ValueType t = a->type == ValueType::kMoney || b->type == ValueType::kMoney ? ValueType::kMoney
                                                                               : ValueType::kInt;
    return Typed{Emit(Node{.op = Op::kMul, .type = t, .a = a->node, .b = b->node}), t, nullptr};
  }
  if (!SameType(*a, *b) || (a->type != ValueType::kInt && a->type != ValueType::kMoney)) {
    std::string hint = a->type == ValueType::kDate ? " (use add_days/add_months/days_between)" : "";
    return At(n, absl::StrCat("cannot ", op == TokenKind::kPlus ? "add " : "subtract ", NameOf(*b),
                              op == TokenKind::kPlus ? " to " : " from ", NameOf(*a), hint));
  }
  Op code = op == TokenKind::kPlus ? Op::kAdd : Op::kSub;
  return Typed{Emit(Node{.op = code, .type = a->type, .a = a->node, .b = b->node}), a->type,
               nullptr};
}

absl::StatusOr<Typed> Compiler::CompileComparison(const SyntaxNode& n, const Context& cx) {
  bool equality = n.token == TokenKind::kEqual || n.token == TokenKind::kNotEqual;
  const SyntaxNode& lhs = IsCodeLiteral(n.args[0]) ? n.args[1] : n.args[0];
  const SyntaxNode& rhs = IsCodeLiteral(n.args[0]) ? n.args[0] : n.args[1];
  absl::StatusOr<Typed> a = Compile(lhs, cx);
  if (!a.ok()) return a;
  if (IsCodeLiteral(rhs)) {
    if (!equality || a->type != ValueType::kEnum) {
      return At(rhs, absl::StrCat("the code '", rhs.name, "' cannot be compared with ", NameOf(*a),
                                  equality ? "" : " by order"));
    }
    int index = a->codes->Find(rhs.name);
    if (index < 0) {
      return At(rhs, absl::StrCat("unknown ", a->codes->type_name, " '", rhs.name, "' (expected ",
                                  a->codes->List(), ")"));
    }
    int32_t in = Emit(Node{
        .op = Op::kInMask, .type = ValueType::kBool, .a = a->node, .imm = int64_t{1} << index});
    if (n.token == TokenKind::kEqual) return Typed{in, ValueType::kBool, nullptr};
    return Typed{Emit(Node{.op = Op::kNot, .type = ValueType::kBool, .a = in}), ValueType::kBool,
                 nullptr};
  }
  absl::StatusOr<Typed> b = Compile(rhs, cx);
  if (!b.ok()) return b;
  if (!SameType(*a, *b)) {
    return At(n, absl::StrCat("cannot compare ", NameOf(*a), " with ", NameOf(*b)));
  }
  if (!equality && !IsOrdered(a->type)) {
    return At(n, absl::StrCat(NameOf(*a), " values have no order"));
  }
  Op code = Op::kEq;
  switch (n.token) {
    case TokenKind::kNotEqual:
      code = Op::kNe;
      break;
    case TokenKind::kLess:
      code = Op::kLt;
      break;
    case TokenKind::kLessEqual:
      code = Op::kLe;
      break;
    case TokenKind::kGreater:
      code = Op::kGt;
      break;
    case TokenKind::kGreaterEqual:
      code = Op::kGe;
      break;
    default:
      break;
  }
  return Typed{Emit(Node{.op = code, .type = ValueType::kBool, .a = a->node, .b = b->node}),
               ValueType::kBool, nullptr};
}

absl::StatusOr<int64_t> Compiler::CodeMask(const SyntaxNode& n, size_t first_arg,
                                           const EnumCodes& codes) {
  int64_t mask = 0;
  for (size_t i = first_arg; i < n.args.size(); ++i) {
    const SyntaxNode& arg = n.args[i];
    if (!IsCodeLiteral(arg)) {
      return At(arg, absl::StrCat("expected a quoted ", codes.type_name, " code"));
    }
    int index = codes.Find(arg.name);
    if (index < 0) {
      return At(arg, absl::StrCat("unknown ", codes.type_name, " '", arg.name, "' (expected ",
                                  codes.List(), ")"));
    }
    mask |= int64_t{1} << index;
  }
  // No codes listed: any code matches.
  return first_arg >= n.args.size() ? ~int64_t{0} : mask;
}

absl::StatusOr<Typed> Compiler::CompileIn(const SyntaxNode& n, const Context& cx) {
  absl::StatusOr<Typed> a = Compile(n.args[0], cx);
  if (!a.ok()) return a;
  if (a->type != ValueType::kEnum) {
    return At(n, "'in' needs a value of an enumeration, not " + NameOf(*a));
  }
  absl::StatusOr<int64_t> mask = CodeMask(n, 1, *a->codes);
  if (!mask.ok()) return mask.status();
  int32_t in = Emit(Node{.op = Op::kInMask, .type = ValueType::kBool, .a = a->node, .imm = *mask});
  if (!n.negated) return Typed{in, ValueType::kBool, nullptr};
  return Typed{Emit(Node{.op = Op::kNot, .type = ValueType::kBool, .a = in}), ValueType::kBool,
               nullptr};
}

}  // namespace rentstream::escalation::policy
