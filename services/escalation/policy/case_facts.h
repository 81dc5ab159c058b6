#pragma once
// CaseFacts: the snapshot of one arrears case that a policy evaluates (domain §3, §4, §6). Plain
// values, cheap to build (the escalation service builds one per evaluation): fixed-size arrays
// and optionals, one small vector of contacts. Enumerations carry an explicit "none" member where
// a case may have no such thing, so policies never meet an unset enum; dates and counts that may
// be absent are std::optional and are "unset" inside policy expressions (see policies/README.md).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"

namespace rentstream::escalation::policy {

enum class Jurisdiction : uint8_t { kEngland, kWales, kScotland };

enum class TenancyType : uint8_t {
  kSecure,                 // England: council secure (Housing Act 1985)
  kAssured,                // England: housing association assured
  kStarter,                // England: starter / introductory tenancy
  kLicence,                // licence to occupy
  kWalesSecureContract,    // Renting Homes (Wales) Act 2016
  kWalesStandardContract,  // Renting Homes (Wales) Act 2016
  kScottishSecure,         // Housing (Scotland) Act 2001
};

// Contact codes (what was sent or done), independent of the channel used.
enum class ContactKind : uint8_t {
  kSmsFirst,
  kSmsReminder,
  kLetterOne,
  kLetterTwo,  // Hackney's pre-notice warning letter
  kPreActionLetter,
  kCourtWarningLetter,
  kInformalBreachLetter,
  kCourtBreachLetter,
  kCourtBreachVisit,
  kWarrantApplied,
  kPhoneCall,
  kHomeVisit,
  kEmail,
  kRentStatement,
  kNoticeServed,
  kOther,
};

enum class Channel : uint8_t { kSms, kLetter, kEmail, kPhone, kVisit };

enum class NoticeKind : uint8_t { kNone, kNosp, kSection8, kWalesPossession, kScotlandProceedings };

enum class CourtOutcome : uint8_t {
  kNone,
  kAdjourned,         // adjourned generally
  kAdjournedOnTerms,  // adjourned on terms (e.g. rent + £x a week)
  kDismissed,
  kSuspendedPossession,  // assured: SPO
  kPostponedPossession,  // secure: PPO
  kOutrightForthwith,
  kOutrightDated,
  kMoneyJudgment,
};

enum class ArrangementKind : uint8_t { kNone, kInformal, kCourtOrdered };
enum class ArrangementStatus : uint8_t { kNone, kLive, kBreached, kCompleted, kCancelled };

enum class PauseReason : uint8_t {
  kBreathingSpace,       // standard moratorium (≤ 60 days)
  kMentalHealthCrisis,   // mental-health crisis moratorium
  kBenefitClaimPending,  // HB/UC claim pending (Pre-Action Protocol)
  kVulnerability,        // vulnerability / safeguarding work in progress
  kDispute,
  kDeceased,
  kOfficer,  // an officer's pause ("paused until")
};
inline constexpr int kPauseReasonCount = 7;

struct Contact {
  ContactKind kind = ContactKind::kOther;
  Channel channel = Channel::kLetter;
  core::Date date;
  bool failed = false;  // delivery failed (returned letter, undelivered SMS, no answer)
};

struct Notice {
  NoticeKind kind = NoticeKind::kNone;
  std::optional<core::Date> served;
  // As stated on the notice, when known; policies compute defaults from `served` otherwise.
  std::optional<core::Date> proceedings_from;
  std::optional<core::Date> valid_until;
};

struct Court {
  std::optional<core::Date> hearing_date;
  CourtOutcome outcome = CourtOutcome::kNone;
  std::optional<core::Date> outcome_date;
  std::optional<core::Date> warning_sent;  // the court warning letter
};

struct Warrant {
  std::optional<core::Date> applied;
  std::optional<core::Date> issued;
};

struct Arrangement {
  ArrangementKind kind = ArrangementKind::kNone;
  ArrangementStatus status = ArrangementStatus::kNone;
  std::optional<core::Date> start;
};

struct Pause {
  bool active = false;
  std::optional<core::Date> until;  // last paused day; none = open-ended
};

// Contacts beyond this many (newest last) are not looked at: a bound on evaluation work.
inline constexpr int kMaxContacts = 256;

struct CaseFacts {
  core::Date today;
  Jurisdiction jurisdiction = Jurisdiction::kEngland;
  TenancyType tenancy_type = TenancyType::kSecure;

  // Money: positive = owed by the tenant.
  core::Money balance;              // the account balance (negative: in credit)
  core::Money tenant_owed_arrears;  // balance less benefit still expected, ≥ 0
  core::Money benefit_expected;     // HB/UC for periods begun, not yet received
  core::Money uc_awaited;           // the part of benefit_expected awaiting a UC award payment
  core::Money collectable_arrears;  // balance less this week's postings (Hackney)
  core::Money weekly_rent;          // weekly gross rent
  core::Money payments_this_week;   // paid this rent week, positive
  std::optional<core::Date> last_payment_date;

  std::vector<Contact> contacts;  // in recorded order (oldest first)
  bool latest_letter_failed_validation = false;

  Notice notice;
  Court court;
  std::optional<core::Date> eviction_date;
  Warrant warrant;
  Arrangement arrangement;
  std::array<Pause, kPauseReasonCount> pauses{};
  bool vulnerable = false;
};

// Text codes of the enumerations, as used in policy files and case JSON ("secure",
// "outright_forthwith", ...). Each Parse returns INVALID_ARGUMENT naming the accepted codes.
absl::string_view CodeOf(Jurisdiction v);
absl::string_view CodeOf(TenancyType v);
absl::string_view CodeOf(ContactKind v);
absl::string_view CodeOf(Channel v);
absl::string_view CodeOf(NoticeKind v);
absl::string_view CodeOf(CourtOutcome v);
absl::string_view CodeOf(ArrangementKind v);
absl::string_view CodeOf(ArrangementStatus v);
absl::string_view CodeOf(PauseReason v);

// An enumeration's codes, indexed by its numeric value.
struct EnumCodes {
  absl::string_view type_name;
  const absl::string_view* codes;
  int count;
  // The index of `code`, or -1.
  int Find(absl::string_view code) const;
  // "a, b, c" for error messages.
  std::string List() const;
};
const EnumCodes& JurisdictionCodes();
const EnumCodes& TenancyTypeCodes();
const EnumCodes& ContactKindCodes();
const EnumCodes& ChannelCodes();
const EnumCodes& NoticeKindCodes();
const EnumCodes& CourtOutcomeCodes();
const EnumCodes& ArrangementKindCodes();
const EnumCodes& ArrangementStatusCodes();
const EnumCodes& PauseReasonCodes();

// Parses an enumeration code: INVALID_ARGUMENT `unknown <type> "x" (expected a, b, c)`.
absl::StatusOr<int> ParseCodeIndex(const EnumCodes& codes, absl::string_view code);
template <typename E>
absl::StatusOr<E> ParseCode(const EnumCodes& codes, absl::string_view code) {
  absl::StatusOr<int> index = ParseCodeIndex(codes, code);
  if (!index.ok()) return index.status();
  return static_cast<E>(*index);
}

}  // namespace rentstream::escalation::policy
