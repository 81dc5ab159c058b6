#include "services/escalation/policy/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/escalation/policy/compiler.h"
#include "services/escalation/policy/loader_internal.h"

namespace rentstream::escalation::policy {
namespace {

using internal::YamlReader;

bool IsValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-';
  });
}

class PolicyLoader {
 public:
  PolicyLoader(const YamlReader& r, Policy* out)
      : r_(r), out_(out), compiler_(r.file(), &out->program) {}

  absl::Status Load(const YAML::Node& doc) {
    if (absl::Status st = r_.ExpectMap(doc, "a policy"); !st.ok()) return st;
    if (absl::Status st =
            r_.OnlyKeys(doc, {"id", "version", "effective_from", "jurisdiction", "tenancy_types",
                              "description", "definitions", "blockers", "rules"});
        !st.ok()) {
      return st;
    }
    if (absl::Status st = Header(doc); !st.ok()) return st;
    if (absl::Status st = Definitions(doc["definitions"]); !st.ok()) return st;
    if (absl::Status st = Blockers(doc["blockers"]); !st.ok()) return st;
    return Rules(doc, doc["rules"]);
  }

 private:
  absl::Status Header(const YAML::Node& doc) {
    PolicyHeader& h = out_->header;
    h.file = r_.file();
    absl::StatusOr<std::string> id = r_.RequiredString(doc, "id");
    if (!id.ok()) return id.status();
    if (!IsValidId(*id)) {
      return r_.Error(doc["id"], "id must be 1-64 characters of a-z, 0-9, '_' or '-'");
    }
    h.id = *id;
    absl::StatusOr<int> version = r_.RequiredInt(doc, "version", 1, 1000000);
    if (!version.ok()) return version.status();
    h.version = *version;
    absl::StatusOr<core::Date> from = r_.RequiredDate(doc, "effective_from");
    if (!from.ok()) return from.status();
    h.effective_from = *from;
    absl::StatusOr<int> j = r_.RequiredCode(doc, "jurisdiction", JurisdictionCodes());
    if (!j.ok()) return j.status();
    h.jurisdiction = static_cast<Jurisdiction>(*j);
    absl::StatusOr<std::vector<int>> types =
        r_.CodeList(doc, "tenancy_types", TenancyTypeCodes(), /*required=*/true);
    if (!types.ok()) return types.status();
    for (int t : *types) h.tenancy_types.push_back(static_cast<TenancyType>(t));
    absl::StatusOr<std::string> description = r_.OptionalString(doc, "description");
    if (!description.ok()) return description.status();
    h.description = *description;
    return absl::OkStatus();
  }

  absl::Status Definitions(const YAML::Node& node) {
    if (!node) return compiler_.AddDefinitions({});
    if (absl::Status st = r_.ExpectMap(node, "definitions (name: expression)"); !st.ok()) {
      return st;
    }
    std::vector<DefinitionSource> defs;
    for (const auto& kv : node) {
      absl::StatusOr<std::string> name = r_.Scalar(kv.first, "a definition name");
      if (!name.ok()) return name.status();
      absl::StatusOr<std::string> text = r_.Scalar(kv.second, "an expression");
      if (!text.ok()) return text.status();
      defs.push_back(DefinitionSource{*name, *text, r_.Line(kv.first)});
    }
    return compiler_.AddDefinitions(defs);
  }

  absl::Status Blockers(const YAML::Node& node) {
    if (!node) return absl::OkStatus();
    if (absl::Status st = r_.ExpectSequence(node, "blockers (a list)"); !st.ok()) return st;
    if (node.size() > kMaxBlockers) {
      return r_.Error(node, absl::StrCat("more than ", kMaxBlockers, " blockers"));
    }
    for (const YAML::Node& b : node) {
      if (absl::Status st = r_.ExpectMap(b, "a blocker"); !st.ok()) return st;
      if (absl::Status st = r_.OnlyKeys(b, {"id", "when", "description"}); !st.ok()) return st;
      absl::StatusOr<std::string> id = r_.RequiredString(b, "id");
      if (!id.ok()) return id.status();
      for (const Blocker& other : out_->blockers) {
        if (other.id == *id) return r_.Error(b["id"], "duplicate blocker id '" + *id + "'");
      }
      absl::StatusOr<CompiledExpr> when = Condition(b, "when", "blocker " + *id);
      if (!when.ok()) return when.status();
      out_->blockers.push_back(Blocker{*id, *std::move(when)});
    }
    return absl::OkStatus();
  }

  absl::StatusOr<CompiledExpr> Condition(const YAML::Node& parent, const char* key,
                                         const std::string& what) {
    absl::StatusOr<std::string> text = r_.RequiredString(parent, key);
    if (!text.ok()) return text.status();
    return compiler_.CompileCondition(*text, r_.Line(parent[key]), what + " " + key);
  }

  absl::Status Rules(const YAML::Node& doc, const YAML::Node& node) {
    if (!node) return r_.Error(doc, "missing 'rules'");
    if (absl::Status st = r_.ExpectSequence(node, "rules (a list)"); !st.ok()) return st;
    if (node.size() > kMaxRules) {
      return r_.Error(node, absl::StrCat("more than ", kMaxRules, " rules"));
    }
    absl::flat_hash_map<std::string, int> ids;
    absl::flat_hash_map<int, std::string> precedences;
    for (const YAML::Node& n : node) {
      absl::StatusOr<Rule> rule = LoadRule(n);
      if (!rule.ok()) return rule.status();
      if (!ids.emplace(rule->id, rule->line).second) {
        return r_.Error(n["id"], absl::StrCat("duplicate rule id '", rule->id, "' (first at line ",
                                              ids[rule->id], ")"));
      }
      if (!precedences.emplace(rule->precedence, rule->id).second) {
        return r_.Error(n["precedence"],
                        absl::StrCat("duplicate precedence ", rule->precedence, " (rule '",
                                     precedences[rule->precedence], "' has it)"));
      }
      out_->rules.push_back(*std::move(rule));
    }
    std::sort(out_->rules.begin(), out_->rules.end(),
              [](const Rule& a, const Rule& b) { return a.precedence < b.precedence; });
    return absl::OkStatus();
  }

  absl::StatusOr<Rule> LoadRule(const YAML::Node& n) {
    if (absl::Status st = r_.ExpectMap(n, "a rule"); !st.ok()) return st;
    if (absl::Status st = r_.OnlyKeys(n, {"id", "precedence", "description", "trigger", "guards",
                                          "ignore_blockers", "action"});
        !st.ok()) {
      return st;
    }
    Rule rule;
    rule.line = r_.Line(n);
    absl::StatusOr<std::string> id = r_.RequiredString(n, "id");
    if (!id.ok()) return id.status();
    if (!IsValidId(*id)) return r_.Error(n["id"], "rule id must be 1-64 of a-z, 0-9, '_', '-'");
    rule.id = *id;
    absl::StatusOr<int> precedence = r_.RequiredInt(n, "precedence", 1, 1000000);
    if (!precedence.ok()) return precedence.status();
    rule.precedence = *precedence;
    absl::StatusOr<std::string> description = r_.OptionalString(n, "description");
    if (!description.ok()) return description.status();
    rule.description = *description;
    absl::StatusOr<CompiledExpr> trigger = Condition(n, "trigger", "rule " + rule.id);
    if (!trigger.ok()) return trigger.status();
    rule.trigger = *std::move(trigger);
    if (absl::Status st = Guards(n["guards"], &rule); !st.ok()) return st;
    if (absl::Status st = BlockerMask(n["ignore_blockers"], &rule); !st.ok()) return st;
    for (const InputRef& in : rule.trigger.inputs) AddInput(&rule, in);
    for (const CompiledExpr& g : rule.guards) {
      for (const InputRef& in : g.inputs) AddInput(&rule, in);
    }
    absl::StatusOr<Action> action = r_.LoadAction(n, n["action"]);
    if (!action.ok()) return action.status();
    rule.action = *std::move(action);
    return rule;
  }

  static void AddInput(Rule* rule, const InputRef& in) {
    for (const InputRef& have : rule->inputs) {
      if (have.name == in.name) return;
    }
    rule->inputs.push_back(in);
  }

  // A guard is an expression, or {name: ..., when: ...} to name it in explanations.
  absl::Status Guards(const YAML::Node& node, Rule* rule) {
    if (!node) return absl::OkStatus();
    if (absl::Status st = r_.ExpectSequence(node, "guards (a list)"); !st.ok()) return st;
    if (node.size() > kMaxGuards) {
      return r_.Error(node, absl::StrCat("more than ", kMaxGuards, " guards"));
    }
    for (const YAML::Node& g : node) {
      std::string what = "rule " + rule->id + " guard";
      absl::StatusOr<CompiledExpr> e;
      std::string name;
      if (g.IsMap()) {
        if (absl::Status st = r_.OnlyKeys(g, {"name", "when"}); !st.ok()) return st;
        absl::StatusOr<std::string> n = r_.RequiredString(g, "name");
        if (!n.ok()) return n.status();
        name = *n;
        e = Condition(g, "when", what + " " + name);
      } else {
        absl::StatusOr<std::string> text = r_.Scalar(g, "a guard expression");
        if (!text.ok()) return text.status();
        e = compiler_.CompileCondition(*text, r_.Line(g), what);
      }
      if (!e.ok()) return e.status();
      if (!name.empty()) e->name = name;
      rule->guards.push_back(*std::move(e));
    }
    return absl::OkStatus();
  }

  // Every blocker applies unless listed in ignore_blockers ("all" ignores every one).
  absl::Status BlockerMask(const YAML::Node& node, Rule* rule) {
    rule->blockers = static_cast<uint32_t>((uint64_t{1} << out_->blockers.size()) - 1);
    if (!node) return absl::OkStatus();
    if (node.IsScalar() && node.Scalar() == "all") {
      rule->blockers = 0;
      return absl::OkStatus();
    }
    if (absl::Status st = r_.ExpectSequence(node, "a list of blocker ids, or 'all'"); !st.ok()) {
      return st;
    }
    for (const YAML::Node& item : node) {
      absl::StatusOr<std::string> id = r_.Scalar(item, "a blocker id");
      if (!id.ok()) return id.status();
      auto it = std::find_if(out_->blockers.begin(), out_->blockers.end(),
                             [&](const Blocker& b) { return b.id == *id; });
      if (it == out_->blockers.end()) return r_.Error(item, "unknown blocker '" + *id + "'");
      rule->blockers &= ~(uint32_t{1} << (it - out_->blockers.begin()));
    }
    return absl::OkStatus();
  }

  const YamlReader& r_;
  Policy* out_;
  Compiler compiler_;
};

}  // namespace

absl::StatusOr<std::vector<Policy>> LoadPolicies(absl::string_view yaml_text,
                                                 absl::string_view file_name) {
  YamlReader reader{std::string(file_name)};
  std::vector<Policy> out;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
    if (docs.empty()) return reader.ErrorAtLine(1, "no policy in the file");
    for (const YAML::Node& doc : docs) {
      Policy p;
      if (absl::Status st = PolicyLoader(reader, &p).Load(doc); !st.ok()) {
        return absl::Status(st.code(), st.message());  // without internal payloads
      }
      for (const Policy& earlier : out) {
        if (earlier.header.id == p.header.id && earlier.header.version == p.header.version) {
          return reader.Error(doc["version"], absl::StrCat("version ", p.header.version, " of '",
                                                           p.header.id, "' twice"));
        }
      }
      out.push_back(std::move(p));
    }
  } catch (const YAML::Exception& e) {
    return reader.ErrorAtLine(e.mark.line + 1, e.msg);
  }
  return out;
}

absl::StatusOr<Policy> LoadPolicy(absl::string_view yaml_text, absl::string_view file_name) {
  absl::StatusOr<std::vector<Policy>> all = LoadPolicies(yaml_text, file_name);
  if (!all.ok()) return all.status();
  if (all->size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ":1: expected one policy version, found ", all->size()));
  }
  return std::move(all->front());
}

}  // namespace rentstream::escalation::policy
