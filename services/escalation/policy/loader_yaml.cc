#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/escalation/policy/loader_internal.h"

namespace rentstream::escalation::policy::internal {

int YamlReader::Line(const YAML::Node& node) const {
  if (!node.IsDefined()) return 0;
  return std::max(1, node.Mark().line + 1);
}

absl::Status YamlReader::Error(const YAML::Node& node, absl::string_view reason) const {
  return ErrorAtLine(Line(node), reason);
}

absl::Status YamlReader::ErrorAtLine(int line, absl::string_view reason) const {
  return absl::InvalidArgumentError(absl::StrCat(file_, ":", std::max(line, 1), ": ", reason));
}

absl::Status YamlReader::ExpectMap(const YAML::Node& node, absl::string_view what) const {
  if (node.IsMap()) return absl::OkStatus();
  return Error(node, absl::StrCat("expected ", what, " (a mapping of key: value)"));
}

absl::Status YamlReader::ExpectSequence(const YAML::Node& node, absl::string_view what) const {
  if (node.IsSequence()) return absl::OkStatus();
  return Error(node, absl::StrCat("expected ", what));
}

absl::Status YamlReader::OnlyKeys(const YAML::Node& map,
                                  std::initializer_list<const char*> allowed) const {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) return Error(kv.first, "keys must be plain words");
    const std::string& key = kv.first.Scalar();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      return Error(kv.first, absl::StrCat("unknown key '", key, "' (expected one of ",
                                          absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> YamlReader::Scalar(const YAML::Node& node,
                                               absl::string_view what) const {
  if (!node.IsScalar()) return Error(node, absl::StrCat("expected ", what));
  return node.Scalar();
}

absl::StatusOr<std::string> YamlReader::RequiredString(const YAML::Node& parent,
                                                       const char* key) const {
  YAML::Node node = parent[key];
  if (!node.IsDefined() || node.IsNull()) {
    return Error(parent, absl::StrCat("missing '", key, "'"));
  }
  return Scalar(node, absl::StrCat("text for '", key, "'"));
}

absl::StatusOr<std::string> YamlReader::OptionalString(const YAML::Node& parent,
                                                       const char* key) const {
  if (!parent[key].IsDefined()) return std::string();
  return RequiredString(parent, key);
}

absl::StatusOr<int> YamlReader::RequiredInt(const YAML::Node& parent, const char* key, int min,
                                            int max) const {
  absl::StatusOr<std::string> text = RequiredString(parent, key);
  if (!text.ok()) return text.status();
  int value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < min || value > max) {
    return Error(parent[key], absl::StrCat("'", key, "' must be a whole number from ", min, " to ",
                                           max, ", not \"", *text, "\""));
  }
  return value;
}

absl::StatusOr<core::Date> YamlReader::RequiredDate(const YAML::Node& parent,
                                                    const char* key) const {
  absl::StatusOr<std::string> text = RequiredString(parent, key);
  if (!text.ok()) return text.status();
  absl::StatusOr<core::Date> date = core::Date::Parse(*text);
  if (!date.ok()) {
    return Error(parent[key],
                 absl::StrCat("'", key, "' is not a date YYYY-MM-DD: \"", *text, "\""));
  }
  return *date;
}

absl::StatusOr<int> YamlReader::Code(const YAML::Node& node, const EnumCodes& codes) const {
  absl::StatusOr<std::string> text = Scalar(node, codes.type_name);
  if (!text.ok()) return text.status();
  int index = codes.Find(*text);
  if (index < 0) {
    return Error(node, absl::StrCat("unknown ", codes.type_name, " '", *text, "' (expected ",
                                    codes.List(), ")"));
  }
  return index;
}

absl::StatusOr<int> YamlReader::RequiredCode(const YAML::Node& parent, const char* key,
                                             const EnumCodes& codes) const {
  if (!parent[key].IsDefined()) return Error(parent, absl::StrCat("missing '", key, "'"));
  return Code(parent[key], codes);
}

absl::StatusOr<std::vector<int>> YamlReader::CodeList(const YAML::Node& parent, const char* key,
                                                      const EnumCodes& codes, bool required) const {
  YAML::Node node = parent[key];
  std::vector<int> out;
  if (!node.IsDefined()) {
    if (required) return Error(parent, absl::StrCat("missing '", key, "'"));
    return out;
  }
  if (!node.IsSequence() || node.size() == 0) {
    return Error(node, absl::StrCat("'", key, "' must be a non-empty list"));
  }
  for (const YAML::Node& item : node) {
    absl::StatusOr<int> code = Code(item, codes);
    if (!code.ok()) return code.status();
    out.push_back(*code);
  }
  return out;
}

absl::StatusOr<Action> YamlReader::LoadAction(const YAML::Node& rule,
                                              const YAML::Node& node) const {
  if (!node.IsDefined()) return Error(rule, "missing 'action'");
  if (absl::Status st = ExpectMap(node, "an action"); !st.ok()) return st;
  if (absl::Status st =
          OnlyKeys(node, {"kind", "template", "channel", "task", "referral", "notice", "summary"});
      !st.ok()) {
    return st;
  }
  Action a;
  absl::StatusOr<int> kind = RequiredCode(node, "kind", ActionKindCodes());
  if (!kind.ok()) return kind.status();
  a.kind = static_cast<ActionKind>(*kind);
  for (auto [key, field] : {std::pair{"template", &a.template_id}, std::pair{"task", &a.task},
                            std::pair{"referral", &a.referral}, std::pair{"summary", &a.summary}}) {
    absl::StatusOr<std::string> text = OptionalString(node, key);
    if (!text.ok()) return text.status();
    *field = *text;
  }
  if (node["channel"].IsDefined()) {
    absl::StatusOr<int> channel = Code(node["channel"], ChannelCodes());
    if (!channel.ok()) return channel.status();
    a.channel = static_cast<Channel>(*channel);
  }
  if (node["notice"].IsDefined()) {
    absl::StatusOr<int> notice = Code(node["notice"], NoticeKindCodes());
    if (!notice.ok()) return notice.status();
    a.notice = static_cast<NoticeKind>(*notice);
  }
  // Each kind's required details, so a decision can always be carried out.
  absl::string_view missing;
  switch (a.kind) {
    case ActionKind::kSendTemplate:
      if (a.template_id.empty()) missing = "template";
      if (!a.channel.has_value()) missing = "channel";
      break;
    case ActionKind::kCreateTask:
      missing = a.task.empty() ? "task" : "";
      break;
    case ActionKind::kProposeReferral:
      missing = a.referral.empty() ? "referral" : "";
      break;
    case ActionKind::kRecommendNotice:
      missing = a.notice == NoticeKind::kNone ? "notice" : "";
      break;
    default:
      break;
  }
  if (!missing.empty()) {
    return Error(node, absl::StrCat("action ", CodeOf(a.kind), " needs '", missing, "'"));
  }
  return a;
}

}  // namespace rentstream::escalation::policy::internal
