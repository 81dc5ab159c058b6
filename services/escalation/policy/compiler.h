#pragma once
// Type-checks parsed expressions and compiles them into a Program (program.h): identifiers are
// resolved to fact getters or definition slots, quoted codes to enumeration bit masks. Every error
// is "file:line: <what>: column N: reason". Definitions may reference each other; cycles are
// refused. No loops, no recursion, bounded size: evaluation work is bounded by the program size.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/escalation/policy/parser.h"
#include "services/escalation/policy/program.h"

namespace rentstream::escalation::policy {

struct DefinitionSource {
  std::string name;
  std::string text;
  int line = 0;
};

class Compiler {
 public:
  Compiler(std::string file_name, Program* program) : file_(std::move(file_name)), p_(program) {}

  // Declares every definition, then compiles each (so unused ones are checked too).
  absl::Status AddDefinitions(const std::vector<DefinitionSource>& definitions);

  // Compiles a boolean expression: a trigger, a guard or a blocker. `what` names it in errors.
  absl::StatusOr<CompiledExpr> CompileCondition(absl::string_view text, int line,
                                                absl::string_view what);

  struct Typed {
    int32_t node = -1;
    ValueType type = ValueType::kBool;
    const EnumCodes* codes = nullptr;
  };

 private:
  struct Definition {
    DefinitionSource source;
    enum class State { kDeclared, kCompiling, kDone } state = State::kDeclared;
    Typed typed;
    std::vector<InputRef> inputs;
  };
  struct Context {
    absl::string_view text;
    std::vector<InputRef>* inputs;
  };

  absl::StatusOr<Typed> Compile(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileLiteral(const SyntaxNode& n);
  absl::StatusOr<Typed> CompileIdentifier(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileUnary(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileBinary(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileComparison(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileIn(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileCall(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileCodeCall(const SyntaxNode& n, const Context& cx);
  absl::StatusOr<Typed> CompileDefinition(Definition& d);
  absl::StatusOr<int64_t> CodeMask(const SyntaxNode& n, size_t first_arg, const EnumCodes& codes);

  int32_t Emit(Node node);
  absl::Status Error(int line, absl::string_view what, absl::Status inner) const;
  static void AddInput(std::vector<InputRef>* inputs, std::string name, int32_t node);

  std::string file_;
  Program* p_;
  std::vector<Definition> definitions_;
  absl::flat_hash_map<std::string, int> definition_index_;
  std::vector<std::string> compiling_;  // definition names, for cycle messages
};

// "money", "date", "contact kind"...
std::string TypeName(ValueType type, const EnumCodes* codes);

}  // namespace rentstream::escalation::policy
