#include "services/escalation/policy/case_facts.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rentstream::escalation::policy {
namespace {

constexpr absl::string_view kJurisdictions[] = {"england", "wales", "scotland"};
constexpr absl::string_view kTenancyTypes[] = {"secure",
                                               "assured",
                                               "starter",
                                               "licence",
                                               "wales_secure_contract",
                                               "wales_standard_contract",
                                               "scottish_secure"};
constexpr absl::string_view kContactKinds[] = {"sms_first",
                                               "sms_reminder",
                                               "letter_one",
                                               "letter_two",
                                               "pre_action_letter",
                                               "court_warning_letter",
                                               "informal_breach_letter",
                                               "court_breach_letter",
                                               "court_breach_visit",
                                               "warrant_applied",
                                               "phone_call",
                                               "home_visit",
                                               "email",
                                               "rent_statement",
                                               "notice_served",
                                               "other"};
constexpr absl::string_view kChannels[] = {"sms", "letter", "email", "phone", "visit"};
constexpr absl::string_view kNoticeKinds[] = {"none", "nosp", "section8", "wales_possession",
                                              "scotland_proceedings"};
constexpr absl::string_view kCourtOutcomes[] = {"none",
                                                "adjourned",
                                                "adjourned_on_terms",
                                                "dismissed",
                                                "suspended_possession",
                                                "postponed_possession",
                                                "outright_forthwith",
                                                "outright_dated",
                                                "money_judgment"};
constexpr absl::string_view kArrangementKinds[] = {"none", "informal", "court_ordered"};
constexpr absl::string_view kArrangementStatuses[] = {"none", "live", "breached", "completed",
                                                      "cancelled"};
constexpr absl::string_view kPauseReasons[] = {"breathing_space",
                                               "mental_health_crisis",
                                               "benefit_claim_pending",
                                               "vulnerability",
                                               "dispute",
                                               "deceased",
                                               "officer"};
static_assert(std::size(kPauseReasons) == kPauseReasonCount);

template <size_t N>
constexpr EnumCodes Codes(absl::string_view name, const absl::string_view (&codes)[N]) {
  return EnumCodes{name, codes, static_cast<int>(N)};
}

}  // namespace

int EnumCodes::Find(absl::string_view code) const {
  for (int i = 0; i < count; ++i) {
    if (codes[i] == code) return i;
  }
  return -1;
}

std::string EnumCodes::List() const { return absl::StrJoin(codes, codes + count, ", "); }

absl::StatusOr<int> ParseCodeIndex(const EnumCodes& codes, absl::string_view code) {
  int index = codes.Find(code);
  if (index < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown ", codes.type_name, " \"", code, "\" (expected ", codes.List(), ")"));
  }
  return index;
}

const EnumCodes& JurisdictionCodes() {
  static constexpr EnumCodes kCodes = Codes("jurisdiction", kJurisdictions);
  return kCodes;
}
const EnumCodes& TenancyTypeCodes() {
  static constexpr EnumCodes kCodes = Codes("tenancy type", kTenancyTypes);
  return kCodes;
}
const EnumCodes& ContactKindCodes() {
  static constexpr EnumCodes kCodes = Codes("contact kind", kContactKinds);
  return kCodes;
}
const EnumCodes& ChannelCodes() {
  static constexpr EnumCodes kCodes = Codes("channel", kChannels);
  return kCodes;
}
const EnumCodes& NoticeKindCodes() {
  static constexpr EnumCodes kCodes = Codes("notice kind", kNoticeKinds);
  return kCodes;
}
const EnumCodes& CourtOutcomeCodes() {
  static constexpr EnumCodes kCodes = Codes("court outcome", kCourtOutcomes);
  return kCodes;
}
const EnumCodes& ArrangementKindCodes() {
  static constexpr EnumCodes kCodes = Codes("arrangement kind", kArrangementKinds);
  return kCodes;
}
const EnumCodes& ArrangementStatusCodes() {
  static constexpr EnumCodes kCodes = Codes("arrangement status", kArrangementStatuses);
  return kCodes;
}
const EnumCodes& PauseReasonCodes() {
  static constexpr EnumCodes kCodes = Codes("pause reason", kPauseReasons);
  return kCodes;
}

absl::string_view CodeOf(Jurisdiction v) { return kJurisdictions[static_cast<int>(v)]; }
absl::string_view CodeOf(TenancyType v) { return kTenancyTypes[static_cast<int>(v)]; }
absl::string_view CodeOf(ContactKind v) { return kContactKinds[static_cast<int>(v)]; }
absl::string_view CodeOf(Channel v) { return kChannels[static_cast<int>(v)]; }
absl::string_view CodeOf(NoticeKind v) { return kNoticeKinds[static_cast<int>(v)]; }
absl::string_view CodeOf(CourtOutcome v) { return kCourtOutcomes[static_cast<int>(v)]; }
absl::string_view CodeOf(ArrangementKind v) { return kArrangementKinds[static_cast<int>(v)]; }
absl::string_view CodeOf(ArrangementStatus v) { return kArrangementStatuses[static_cast<int>(v)]; }
absl::string_view CodeOf(PauseReason v) { return kPauseReasons[static_cast<int>(v)]; }

}  // namespace rentstream::escalation::policy
