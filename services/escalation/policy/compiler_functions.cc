// The built-in functions of the expression language (policies/README.md, "Functions").
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/escalation/policy/compiler.h"

namespace rentstream::escalation::policy {
namespace {

using Typed = Compiler::Typed;

absl::Status At(const SyntaxNode& n, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("column ", n.begin, ": ", reason));
}

struct Plain {
  absl::string_view name;
  Op op;
  int arity;
};

// Functions over values; argument types are checked in CheckPlain.
constexpr Plain kPlain[] = {
    {"is_set", Op::kIsSet, 1},
    {"coalesce", Op::kCoalesce, 2},
    {"if", Op::kIf, 3},
    {"min", Op::kMin, 2},
    {"max", Op::kMax, 2},
    {"days_since", Op::kDaysSince, 1},
    {"days_until", Op::kDaysUntil, 1},
    {"days_between", Op::kDaysBetween, 2},
    {"months_since", Op::kMonthsSince, 1},
    {"add_days", Op::kAddDays, 2},
    {"add_weeks", Op::kAddDays, 2},
    {"add_months", Op::kAddMonths, 2},
    {"weeks_of_rent", Op::kWeeksOfRent, 1},
};

struct CodeFunction {
  absl::string_view name;
  Op op;
  ValueType result;
  const EnumCodes& (*codes)();
  bool date_first;  // count_contacts_since(date, kinds...)
};

// Functions taking quoted codes (a set; none listed means all).
constexpr CodeFunction kCodeFunctions[] = {
    {"last_contact", Op::kLastContact, ValueType::kDate, &ContactKindCodes, false},
    {"last_delivered_contact", Op::kLastDeliveredContact, ValueType::kDate, &ContactKindCodes,
     false},
    {"last_contact_via", Op::kLastContactVia, ValueType::kDate, &ChannelCodes, false},
    {"last_contact_is", Op::kLastContactIs, ValueType::kBool, &ContactKindCodes, false},
    {"count_contacts_since", Op::kCountContactsSince, ValueType::kInt, &ContactKindCodes, true},
    {"paused", Op::kPaused, ValueType::kBool, &PauseReasonCodes, false},
    {"pause_until", Op::kPauseUntil, ValueType::kDate, &PauseReasonCodes, false},
};

std::string NameOf(const Typed& t) { return TypeName(t.type, t.codes); }

bool Is(const Typed& t, ValueType type) { return t.type == type; }
bool Same(const Typed& a, const Typed& b) { return a.type == b.type && a.codes == b.codes; }
bool Ordered(const Typed& t) {
  return t.type == ValueType::kInt || t.type == ValueType::kMoney || t.type == ValueType::kDate;
}

// Checks argument types; returns the result type or an error naming the function.
absl::StatusOr<Typed> CheckPlain(const SyntaxNode& n, absl::string_view name,
                                 const std::vector<Typed>& a) {
  auto wrong = [&](absl::string_view expected) {
    return At(n, absl::StrCat(name, "() expects ", expected));
  };
  if (name == "is_set") return Typed{-1, ValueType::kBool, nullptr};
  if (name == "coalesce") {
    if (!Same(a[0], a[1])) return wrong("two values of the same type");
    return a[0];
  }
  if (name == "if") {
    if (!Is(a[0], ValueType::kBool) || !Same(a[1], a[2])) {
      return wrong("(boolean, value, value of the same type)");
    }
    return a[1];
  }
  if (name == "min" || name == "max") {
    if (!Same(a[0], a[1]) || !Ordered(a[0])) return wrong("two integers, amounts or dates");
    return a[0];
  }
  if (name == "days_since" || name == "days_until" || name == "months_since") {
    if (!Is(a[0], ValueType::kDate)) return wrong("a date, not " + NameOf(a[0]));
    return Typed{-1, ValueType::kInt, nullptr};
  }
  if (name == "days_between") {
    if (!Is(a[0], ValueType::kDate) || !Is(a[1], ValueType::kDate)) return wrong("two dates");
    return Typed{-1, ValueType::kInt, nullptr};
  }
  if (name == "weeks_of_rent") {
    if (!Is(a[0], ValueType::kMoney)) return wrong("an amount, not " + NameOf(a[0]));
    return Typed{-1, ValueType::kInt, nullptr};
  }
  // add_days, add_weeks, add_months
  if (!Is(a[0], ValueType::kDate) || !Is(a[1], ValueType::kInt)) return wrong("(date, integer)");
  return Typed{-1, ValueType::kDate, nullptr};
}

}  // namespace

absl::StatusOr<Typed> Compiler::CompileCall(const SyntaxNode& n, const Context& cx) {
  for (const CodeFunction& f : kCodeFunctions) {
    if (f.name == n.name) return CompileCodeCall(n, cx);
  }
  const Plain* plain = nullptr;
  for (const Plain& p : kPlain) {
    if (p.name == n.name) plain = &p;
  }
  if (plain == nullptr) return At(n, absl::StrCat("unknown function '", n.name, "'"));
  if (static_cast<int>(n.args.size()) != plain->arity) {
    return At(n, absl::StrCat(n.name, "() takes ", plain->arity, " argument",
                              plain->arity == 1 ? "" : "s", ", not ", n.args.size()));
  }
  std::vector<Typed> args;
  for (const SyntaxNode& arg : n.args) {
    absl::StatusOr<Typed> t = Compile(arg, cx);
    if (!t.ok()) return t;
    args.push_back(*t);
  }
  absl::StatusOr<Typed> result = CheckPlain(n, plain->name, args);
  if (!result.ok()) return result;
  Node node{.op = plain->op, .type = result->type, .codes = result->codes};
  node.a = args[0].node;
  if (args.size() > 1) node.b = args[1].node;
  if (args.size() > 2) node.c = args[2].node;
  node.imm = n.name == "add_weeks" ? 7 : 1;
  result->node = Emit(node);
  return result;
}

absl::StatusOr<Typed> Compiler::CompileCodeCall(const SyntaxNode& n, const Context& cx) {
  const CodeFunction* f = nullptr;
  for (const CodeFunction& candidate : kCodeFunctions) {
    if (candidate.name == n.name) f = &candidate;
  }
  Node node{.op = f->op, .type = f->result};
  size_t first_code = 0;
  if (f->date_first) {
    if (n.args.empty()) return At(n, absl::StrCat(n.name, "() needs a date first"));
    absl::StatusOr<Typed> since = Compile(n.args[0], cx);
    if (!since.ok()) return since;
    if (since->type != ValueType::kDate) {
      return At(n.args[0], absl::StrCat(n.name, "() needs a date first, not ", NameOf(*since)));
    }
    node.a = since->node;
    first_code = 1;
  }
  absl::StatusOr<int64_t> mask = CodeMask(n, first_code, f->codes());
  if (!mask.ok()) return mask.status();
  node.imm = *mask;
  int32_t id = Emit(node);
  AddInput(cx.inputs, std::string(cx.text.substr(n.begin - 1, n.end - n.begin)), id);
  return Typed{id, f->result, nullptr};
}

}  // namespace rentstream::escalation::policy
