#pragma once
// The compiled form of policy expressions: a flat array of typed nodes whose children are
// indices, with facts read through resolved getters and named definitions through slots. Built
// once at load (compiler.h), evaluated many times without allocating (evaluator.h).

#include <cstdint>
#include <string>
#include <vector>

#include "services/escalation/policy/case_facts.h"

namespace rentstream::escalation::policy {

enum class ValueType : uint8_t { kBool, kInt, kMoney, kDate, kEnum };

// Every runtime value: an integer payload whose meaning the static type gives (bool 0/1, int,
// pence, days since the epoch, enumeration index), and whether it is set at all. Unset values
// follow the rules in policies/README.md ("Missing values").
struct Value {
  int64_t v = 0;
  bool set = false;
  static constexpr Value Of(int64_t x) { return Value{x, true}; }
  static constexpr Value Unset() { return Value{0, false}; }
};

using FactGetter = Value (*)(const CaseFacts&);

enum class Op : uint8_t {
  kConst,  // imm
  kFact,   // fact(facts)
  kDef,    // definition slot imm
  kNeg,
  kAdd,
  kSub,
  kMul,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kInMask,  // a's enumeration index is a bit of imm
  kIsSet,
  kCoalesce,
  kIf,
  kMin,
  kMax,
  kDaysSince,
  kDaysUntil,
  kDaysBetween,
  kMonthsSince,
  kAddDays,  // a + b * imm days (imm 1 for days, 7 for weeks)
  kAddMonths,
  kWeeksOfRent,
  kLastContact,           // latest contact date of a kind in imm (mask)
  kLastDeliveredContact,  // same, failed contacts ignored
  kLastContactVia,        // latest contact date on a channel in imm
  kLastContactIs,         // the latest contact's kind is in imm
  kCountContactsSince,    // contacts of a kind in imm on or after date a
  kPaused,                // a pause with a reason in imm is in force today
  kPauseUntil,            // latest end date of pauses in force with a reason in imm
};

struct Node {
  Op op = Op::kConst;
  ValueType type = ValueType::kBool;
  int32_t a = -1;
  int32_t b = -1;
  int32_t c = -1;
  int64_t imm = 0;
  FactGetter fact = nullptr;
  const EnumCodes* codes = nullptr;  // kEnum: for rendering
};

// A value the rule read, for the decision's audit record: its display name and the node that
// computes it.
struct InputRef {
  std::string name;
  int32_t node = -1;
};

struct CompiledExpr {
  int32_t root = -1;
  std::string text;              // the source, for explanations
  std::string name;              // a guard's or blocker's name, or the source text
  int line = 0;                  // in the policy file
  std::vector<InputRef> inputs;  // facts and definitions read, transitively, de-duplicated
};

inline constexpr int kMaxDefinitions = 64;
inline constexpr int kMaxProgramNodes = 20000;

struct Program {
  std::vector<Node> nodes;
  std::vector<int32_t> definition_roots;  // by slot
  std::vector<std::string> definition_names;
};

}  // namespace rentstream::escalation::policy
