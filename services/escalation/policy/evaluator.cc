#include "services/escalation/policy/evaluator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/core/money.h"

namespace rentstream::escalation::policy {
namespace {

// Years 1..9999 (Date's range), as days since 1970-01-01.
constexpr int64_t kMinDay = -719162;
constexpr int64_t kMaxDay = 2932896;

core::Date AsDate(int64_t days) { return core::Date::FromDaysSinceEpoch(days); }

int64_t MonthsBetween(int64_t from_day, int64_t to_day) {
  core::Date from = AsDate(from_day);
  core::Date to = AsDate(to_day);
  int64_t months = (to.year() - from.year()) * 12 + (to.month() - from.month());
  // Whole calendar months: 31 Jan → 28 Feb is one month (AddMonths clamps to the month's end).
  if (months > 0 && from.AddMonths(static_cast<int>(months)) > to) --months;
  if (months < 0 && from.AddMonths(static_cast<int>(months)) < to) ++months;
  return months;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool InMask(int64_t mask, int code) { return ((mask >> code) & 1) != 0; }

}  // namespace

Value Evaluator::Eval(int32_t index) {
  const Node& n = nodes_[index];
  switch (n.op) {
    case Op::kConst:
      return Value::Of(n.imm);
    case Op::kFact:
      return n.fact(facts_);
    case Op::kDef:
      return Definition(n.imm);
    case Op::kNeg:
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kMin:
    case Op::kMax:
    case Op::kWeeksOfRent:
      return Arithmetic(n);
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return Compare(n);
    case Op::kAnd:
    case Op::kOr:
    case Op::kNot:
    case Op::kInMask:
    case Op::kIsSet:
    case Op::kCoalesce:
    case Op::kIf:
      return Logic(n);
    case Op::kDaysSince:
    case Op::kDaysUntil:
    case Op::kDaysBetween:
    case Op::kMonthsSince:
    case Op::kAddDays:
    case Op::kAddMonths:
      return Dates(n);
    case Op::kLastContact:
    case Op::kLastDeliveredContact:
    case Op::kLastContactVia:
    case Op::kLastContactIs:
    case Op::kCountContactsSince:
      return Contacts(n);
    case Op::kPaused:
    case Op::kPauseUntil:
      return Pauses(n);
  }
  return Value::Unset();
}

Value Evaluator::Definition(int64_t slot) {
  uint64_t bit = uint64_t{1} << slot;
  if ((computed_ & bit) == 0) {
    definitions_[slot] = Eval(program_.definition_roots[slot]);
    computed_ |= bit;
  }
  return definitions_[slot];
}

Value Evaluator::Arithmetic(const Node& n) {
  Value a = Eval(n.a);
  if (!a.set) return a;
  int64_t r = 0;
  switch (n.op) {
    case Op::kNeg:
      if (__builtin_sub_overflow(int64_t{0}, a.v, &r)) return Overflow();
      return Value::Of(r);
    case Op::kWeeksOfRent: {
      int64_t rent = facts_.weekly_rent.pence();
      return rent > 0 ? Value::Of(FloorDiv(a.v, rent)) : Value::Unset();
    }
    default:
      break;
  }
  Value b = Eval(n.b);
  if (!b.set) return b;
  bool overflow = false;
  switch (n.op) {
    case Op::kAdd:
      overflow = __builtin_add_overflow(a.v, b.v, &r);
      break;
    case Op::kSub:
      overflow = __builtin_sub_overflow(a.v, b.v, &r);
      break;
    case Op::kMul:
      overflow = __builtin_mul_overflow(a.v, b.v, &r);
      break;
    case Op::kMin:
      r = std::min(a.v, b.v);
      break;
    default:
      r = std::max(a.v, b.v);
      break;
  }
  return overflow ? Overflow() : Value::Of(r);
}

Value Evaluator::Compare(const Node& n) {
  Value a = Eval(n.a);
  Value b = Eval(n.b);
  if (!a.set || !b.set) return Value::Unset();
  switch (n.op) {
    case Op::kEq:
      return Value::Of(a.v == b.v);
    case Op::kNe:
      return Value::Of(a.v != b.v);
    case Op::kLt:
      return Value::Of(a.v < b.v);
    case Op::kLe:
      return Value::Of(a.v <= b.v);
    case Op::kGt:
      return Value::Of(a.v > b.v);
    default:
      return Value::Of(a.v >= b.v);
  }
}

Value Evaluator::Logic(const Node& n) {
  switch (n.op) {
    case Op::kAnd:
    case Op::kOr: {
      // Kleene: a definite false (and) / true (or) on either side decides; else unset.
      int64_t decisive = n.op == Op::kOr ? 1 : 0;
      Value a = Eval(n.a);
      if (a.set && a.v == decisive) return a;
      Value b = Eval(n.b);
      if (b.set && b.v == decisive) return b;
      return a.set && b.set ? Value::Of(1 - decisive) : Value::Unset();
    }
    case Op::kNot: {
      Value a = Eval(n.a);
      return a.set ? Value::Of(!a.v) : a;
    }
    case Op::kInMask: {
      Value a = Eval(n.a);
      return a.set ? Value::Of(InMask(n.imm, static_cast<int>(a.v))) : a;
    }
    case Op::kIsSet:
      return Value::Of(Eval(n.a).set);
    case Op::kCoalesce: {
      Value a = Eval(n.a);
      return a.set ? a : Eval(n.b);
    }
    default: {  // kIf: only the chosen branch is evaluated
      Value c = Eval(n.a);
      if (!c.set) return c;
      return c.v ? Eval(n.b) : Eval(n.c);
    }
  }
}

Value Evaluator::Dates(const Node& n) {
  Value a = Eval(n.a);
  if (!a.set) return a;
  switch (n.op) {
    case Op::kDaysSince:
      return Value::Of(today_ - a.v);
    case Op::kDaysUntil:
      return Value::Of(a.v - today_);
    case Op::kMonthsSince:
      return Value::Of(MonthsBetween(a.v, today_));
    default:
      break;
  }
  Value b = Eval(n.b);
  if (!b.set) return b;
  if (n.op == Op::kDaysBetween) return Value::Of(b.v - a.v);
  int64_t r = 0;
  if (n.op == Op::kAddDays) {
    if (b.v > kMaxDay || b.v < -kMaxDay) return Overflow();
    r = a.v + b.v * n.imm;
  } else {
    if (b.v > 120000 || b.v < -120000) return Overflow();
    r = AsDate(a.v).AddMonths(static_cast<int>(b.v)).days_since_epoch();
  }
  return r < kMinDay || r > kMaxDay ? Overflow() : Value::Of(r);
}

Value Evaluator::Contacts(const Node& n) {
  const size_t count = std::min(facts_.contacts.size(), static_cast<size_t>(kMaxContacts));
  if (n.op == Op::kCountContactsSince) {
    Value since = Eval(n.a);
    if (!since.set) return since;
    int64_t total = 0;
    for (size_t i = 0; i < count; ++i) {
      const Contact& c = facts_.contacts[i];
      total += InMask(n.imm, static_cast<int>(c.kind)) && c.date.days_since_epoch() >= since.v;
    }
    return Value::Of(total);
  }
  const Contact* last = nullptr;
  for (size_t i = 0; i < count; ++i) {
    const Contact& c = facts_.contacts[i];
    bool match = true;
    switch (n.op) {
      case Op::kLastContactVia:
        match = InMask(n.imm, static_cast<int>(c.channel));
        break;
      case Op::kLastDeliveredContact:
        match = !c.failed && InMask(n.imm, static_cast<int>(c.kind));
        break;
      case Op::kLastContactIs:
        break;  // the latest of all contacts
      default:
        match = InMask(n.imm, static_cast<int>(c.kind));
        break;
    }
    if (match && (last == nullptr || c.date >= last->date)) last = &c;
  }
  if (n.op == Op::kLastContactIs) {
    return Value::Of(last != nullptr && InMask(n.imm, static_cast<int>(last->kind)));
  }
  return last ? Value::Of(last->date.days_since_epoch()) : Value::Unset();
}

Value Evaluator::Pauses(const Node& n) {
  bool in_force = false;
  Value until = Value::Unset();
  for (int r = 0; r < kPauseReasonCount; ++r) {
    const Pause& p = facts_.pauses[r];
    // A pause's `until` day is its last paused day.
    if (!InMask(n.imm, r) || !p.active || (p.until && p.until->days_since_epoch() < today_)) {
      continue;
    }
    in_force = true;
    if (p.until && (!until.set || p.until->days_since_epoch() > until.v)) {
      until = Value::Of(p.until->days_since_epoch());
    }
  }
  return n.op == Op::kPaused ? Value::Of(in_force) : until;
}

std::string RenderValue(Value v, ValueType type, const EnumCodes* codes) {
  if (!v.set) return "unset";
  switch (type) {
    case ValueType::kBool:
      return v.v ? "true" : "false";
    case ValueType::kInt:
      return absl::StrCat(v.v);
    case ValueType::kMoney:
      return core::Money::FromPence(v.v).Format();
    case ValueType::kDate:
      return AsDate(v.v).ToIso();
    case ValueType::kEnum:
      if (codes != nullptr && v.v >= 0 && v.v < codes->count) return std::string(codes->codes[v.v]);
      return absl::StrCat(v.v);
  }
  return "?";
}

}  // namespace rentstream::escalation::policy
