#pragma once
// Evaluates compiled expressions against one CaseFacts. Construct one per case evaluation (on the
// stack: it allocates nothing); definition values are computed at most once per Evaluator.
// Missing values follow Kleene logic (policies/README.md, "Missing values").

#include <cstdint>
#include <string>

#include "services/escalation/policy/case_facts.h"
#include "services/escalation/policy/program.h"

namespace rentstream::escalation::policy {

class Evaluator {
 public:
  Evaluator(const Program& program, const CaseFacts& facts)
      : nodes_(program.nodes.data()),
        program_(program),
        facts_(facts),
        today_(facts.today.days_since_epoch()) {}
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  Value Eval(int32_t node);
  // Arithmetic overflowed (or a date left years 1..9999) somewhere in this evaluation: the
  // affected values were unset, and the caller must report the evaluation as failed.
  bool overflowed() const { return overflowed_; }

 private:
  Value Arithmetic(const Node& n);
  Value Compare(const Node& n);
  Value Logic(const Node& n);
  Value Dates(const Node& n);
  Value Contacts(const Node& n);
  Value Pauses(const Node& n);
  Value Definition(int64_t slot);
  Value Overflow() {
    overflowed_ = true;
    return Value::Unset();
  }

  const Node* nodes_;
  const Program& program_;
  const CaseFacts& facts_;
  int64_t today_;
  uint64_t computed_ = 0;  // bit per definition slot
  Value definitions_[kMaxDefinitions];
  bool overflowed_ = false;
};

// A value as text for decisions and explanations: "£12.50", "2026-05-01", "14", "true",
// "letter_one", or "unset".
std::string RenderValue(Value v, ValueType type, const EnumCodes* codes);

}  // namespace rentstream::escalation::policy
