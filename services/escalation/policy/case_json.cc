#include "services/escalation/policy/case_json.h"

#include <initializer_list>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rentstream::escalation::policy {
namespace {

using Json = nlohmann::ordered_json;  // keeps rule order in explanations

absl::Status FieldError(const std::string& path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

std::string Join(const std::string& path, const char* key) {
  return path.empty() ? key : absl::StrCat(path, ".", key);
}

absl::Status OnlyKeys(const Json& object, const std::string& path,
                      std::initializer_list<const char*> allowed) {
  if (!object.is_object()) return FieldError(path.empty() ? "case" : path, "expected an object");
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) {
      return FieldError(Join(path, key.c_str()), absl::StrCat("unknown field (expected ",
                                                              absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadDate(const Json& object, const std::string& path, const char* key,
                      std::optional<core::Date>* out) {
  if (!object.contains(key) || object[key].is_null()) return absl::OkStatus();
  const Json& v = object[key];
  std::string field = Join(path, key);
  if (!v.is_string()) return FieldError(field, "expected a date string YYYY-MM-DD");
  absl::StatusOr<core::Date> d = core::Date::Parse(v.get<std::string>());
  if (!d.ok()) return FieldError(field, absl::StrCat("not a date \"", v.get<std::string>(), "\""));
  *out = *d;
  return absl::OkStatus();
}

absl::Status ReadRequiredDate(const Json& object, const std::string& path, const char* key,
                              core::Date* out) {
  std::optional<core::Date> d;
  if (absl::Status st = ReadDate(object, path, key, &d); !st.ok()) return st;
  if (!d) return FieldError(Join(path, key), "required");
  *out = *d;
  return absl::OkStatus();
}

absl::Status ReadMoney(const Json& object, const char* key, core::Money* out) {
  if (!object.contains(key)) return absl::OkStatus();
  const Json& v = object[key];
  if (!v.is_string())
    return FieldError(key, "expected an amount as a decimal string, e.g. \"12.50\"");
  absl::StatusOr<core::Money> m = core::Money::Parse(v.get<std::string>());
  if (!m.ok()) return FieldError(key, absl::StrCat("not an amount \"", v.get<std::string>(), "\""));
  *out = *m;
  return absl::OkStatus();
}

absl::Status ReadBool(const Json& object, const char* key, bool* out) {
  if (!object.contains(key)) return absl::OkStatus();
  if (!object[key].is_boolean()) return FieldError(key, "expected true or false");
  *out = object[key].get<bool>();
  return absl::OkStatus();
}

template <typename E>
absl::Status ReadCode(const Json& object, const std::string& path, const char* key,
                      const EnumCodes& codes, E* out, bool required = false) {
  std::string field = Join(path, key);
  if (!object.contains(key)) return required ? FieldError(field, "required") : absl::OkStatus();
  const Json& v = object[key];
  if (!v.is_string()) return FieldError(field, absl::StrCat("expected a ", codes.type_name));
  int index = codes.Find(v.get<std::string>());
  if (index < 0) {
    return FieldError(field, absl::StrCat("unknown ", codes.type_name, " \"", v.get<std::string>(),
                                          "\" (expected ", codes.List(), ")"));
  }
  *out = static_cast<E>(index);
  return absl::OkStatus();
}

#define RS_RETURN_IF_ERROR(expr)                \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

absl::Status ReadContacts(const Json& object, CaseFacts* f) {
  if (!object.contains("contacts")) return absl::OkStatus();
  const Json& list = object["contacts"];
  if (!list.is_array()) return FieldError("contacts", "expected an array");
  if (list.size() > static_cast<size_t>(kMaxContacts)) {
    return FieldError("contacts", absl::StrCat("more than ", kMaxContacts, " contacts"));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = absl::StrCat("contacts[", i, "]");
    const Json& c = list[i];
    RS_RETURN_IF_ERROR(OnlyKeys(c, path, {"kind", "channel", "date", "failed"}));
    Contact contact;
    RS_RETURN_IF_ERROR(ReadCode(c, path, "kind", ContactKindCodes(), &contact.kind, true));
    RS_RETURN_IF_ERROR(ReadCode(c, path, "channel", ChannelCodes(), &contact.channel, true));
    RS_RETURN_IF_ERROR(ReadRequiredDate(c, path, "date", &contact.date));
    if (c.contains("failed")) {
      if (!c["failed"].is_boolean()) return FieldError(path + ".failed", "expected true or false");
      contact.failed = c["failed"].get<bool>();
    }
    f->contacts.push_back(contact);
  }
  return absl::OkStatus();
}

absl::Status ReadPauses(const Json& object, CaseFacts* f) {
  if (!object.contains("pauses")) return absl::OkStatus();
  const Json& list = object["pauses"];
  if (!list.is_array()) return FieldError("pauses", "expected an array");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = absl::StrCat("pauses[", i, "]");
    RS_RETURN_IF_ERROR(OnlyKeys(list[i], path, {"reason", "until"}));
    PauseReason reason = PauseReason::kOfficer;
    RS_RETURN_IF_ERROR(ReadCode(list[i], path, "reason", PauseReasonCodes(), &reason, true));
    Pause& p = f->pauses[static_cast<int>(reason)];
    p.active = true;
    RS_RETURN_IF_ERROR(ReadDate(list[i], path, "until", &p.until));
  }
  return absl::OkStatus();
}

absl::Status ReadSections(const Json& j, CaseFacts* f) {
  if (j.contains("notice")) {
    const Json& n = j["notice"];
    RS_RETURN_IF_ERROR(
        OnlyKeys(n, "notice", {"kind", "served", "proceedings_from", "valid_until"}));
    RS_RETURN_IF_ERROR(ReadCode(n, "notice", "kind", NoticeKindCodes(), &f->notice.kind));
    RS_RETURN_IF_ERROR(ReadDate(n, "notice", "served", &f->notice.served));
    RS_RETURN_IF_ERROR(ReadDate(n, "notice", "proceedings_from", &f->notice.proceedings_from));
    RS_RETURN_IF_ERROR(ReadDate(n, "notice", "valid_until", &f->notice.valid_until));
  }
  if (j.contains("court")) {
    const Json& c = j["court"];
    RS_RETURN_IF_ERROR(
        OnlyKeys(c, "court", {"hearing_date", "outcome", "outcome_date", "warning_sent"}));
    RS_RETURN_IF_ERROR(ReadDate(c, "court", "hearing_date", &f->court.hearing_date));
    RS_RETURN_IF_ERROR(ReadCode(c, "court", "outcome", CourtOutcomeCodes(), &f->court.outcome));
    RS_RETURN_IF_ERROR(ReadDate(c, "court", "outcome_date", &f->court.outcome_date));
    RS_RETURN_IF_ERROR(ReadDate(c, "court", "warning_sent", &f->court.warning_sent));
  }
  if (j.contains("warrant")) {
    const Json& w = j["warrant"];
    RS_RETURN_IF_ERROR(OnlyKeys(w, "warrant", {"applied", "issued"}));
    RS_RETURN_IF_ERROR(ReadDate(w, "warrant", "applied", &f->warrant.applied));
    RS_RETURN_IF_ERROR(ReadDate(w, "warrant", "issued", &f->warrant.issued));
  }
  if (j.contains("arrangement")) {
    const Json& a = j["arrangement"];
    RS_RETURN_IF_ERROR(OnlyKeys(a, "arrangement", {"kind", "status", "start"}));
    RS_RETURN_IF_ERROR(
        ReadCode(a, "arrangement", "kind", ArrangementKindCodes(), &f->arrangement.kind));
    RS_RETURN_IF_ERROR(
        ReadCode(a, "arrangement", "status", ArrangementStatusCodes(), &f->arrangement.status));
    RS_RETURN_IF_ERROR(ReadDate(a, "arrangement", "start", &f->arrangement.start));
  }
  RS_RETURN_IF_ERROR(ReadContacts(j, f));
  return ReadPauses(j, f);
}

}  // namespace

absl::StatusOr<CaseFacts> CaseFactsFromJson(absl::string_view text,
                                            std::optional<core::Date> default_today) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("case: not valid JSON");
  RS_RETURN_IF_ERROR(OnlyKeys(j, "",
                              {"today",
                               "jurisdiction",
                               "tenancy_type",
                               "balance",
                               "tenant_owed_arrears",
                               "benefit_expected",
                               "uc_awaited",
                               "collectable_arrears",
                               "weekly_rent",
                               "payments_this_week",
                               "last_payment_date",
                               "latest_letter_failed_validation",
                               "contacts",
                               "notice",
                               "court",
                               "eviction_date",
                               "warrant",
                               "arrangement",
                               "pauses",
                               "vulnerable"}));
  CaseFacts f;
  std::optional<core::Date> today = default_today;
  if (!default_today) RS_RETURN_IF_ERROR(ReadDate(j, "", "today", &today));
  if (!today) return FieldError("today", "required");
  f.today = *today;
  RS_RETURN_IF_ERROR(ReadCode(j, "", "jurisdiction", JurisdictionCodes(), &f.jurisdiction));
  RS_RETURN_IF_ERROR(ReadCode(j, "", "tenancy_type", TenancyTypeCodes(), &f.tenancy_type));
  RS_RETURN_IF_ERROR(ReadMoney(j, "balance", &f.balance));
  RS_RETURN_IF_ERROR(ReadMoney(j, "tenant_owed_arrears", &f.tenant_owed_arrears));
  RS_RETURN_IF_ERROR(ReadMoney(j, "benefit_expected", &f.benefit_expected));
  RS_RETURN_IF_ERROR(ReadMoney(j, "uc_awaited", &f.uc_awaited));
  RS_RETURN_IF_ERROR(ReadMoney(j, "collectable_arrears", &f.collectable_arrears));
  RS_RETURN_IF_ERROR(ReadMoney(j, "weekly_rent", &f.weekly_rent));
  RS_RETURN_IF_ERROR(ReadMoney(j, "payments_this_week", &f.payments_this_week));
  RS_RETURN_IF_ERROR(ReadDate(j, "", "last_payment_date", &f.last_payment_date));
  RS_RETURN_IF_ERROR(ReadDate(j, "", "eviction_date", &f.eviction_date));
  RS_RETURN_IF_ERROR(
      ReadBool(j, "latest_letter_failed_validation", &f.latest_letter_failed_validation));
  RS_RETURN_IF_ERROR(ReadBool(j, "vulnerable", &f.vulnerable));
  RS_RETURN_IF_ERROR(ReadSections(j, &f));
  return f;
}

std::string DecisionToJson(const Decision& d) {
  Json action = {{"kind", std::string(CodeOf(d.action.kind))}};
  if (!d.action.template_id.empty()) action["template"] = d.action.template_id;
  if (d.action.channel) action["channel"] = std::string(CodeOf(*d.action.channel));
  if (!d.action.task.empty()) action["task"] = d.action.task;
  if (!d.action.referral.empty()) action["referral"] = d.action.referral;
  if (d.action.notice != NoticeKind::kNone) action["notice"] = std::string(CodeOf(d.action.notice));
  if (!d.action.summary.empty()) action["summary"] = d.action.summary;
  Json inputs = Json::object();
  for (const DecisionInput& in : d.inputs) inputs[in.name] = in.value;
  Json explanation = Json::array();
  for (const RuleTrace& t : d.explanation) {
    Json e = {{"rule", t.rule_id}, {"outcome", std::string(CodeOf(t.outcome))}};
    if (!t.detail.empty()) e["detail"] = t.detail;
    explanation.push_back(e);
  }
  Json out = {{"policy_id", d.policy_id},
              {"policy_version", d.policy_version},
              {"rule_id", d.rule_id.empty() ? Json(nullptr) : Json(d.rule_id)},
              {"action", action},
              {"inputs", inputs},
              {"explanation", explanation}};
  return out.dump(2);
}

}  // namespace rentstream::escalation::policy
