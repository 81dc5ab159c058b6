#include "services/escalation/policy/identifiers.h"

#include <algorithm>
#include <vector>

namespace rentstream::escalation::policy {
namespace {

Value Pence(core::Money m) { return Value::Of(m.pence()); }
Value Day(core::Date d) { return Value::Of(d.days_since_epoch()); }
Value MaybeDay(const std::optional<core::Date>& d) { return d ? Day(*d) : Value::Unset(); }
template <typename E>
Value Code(E e) {
  return Value::Of(static_cast<int64_t>(e));
}

// The latest contact in recorded order among those with the latest date.
const Contact* LastContact(const CaseFacts& f) {
  const Contact* last = nullptr;
  size_t n = std::min(f.contacts.size(), static_cast<size_t>(kMaxContacts));
  for (size_t i = 0; i < n; ++i) {
    if (last == nullptr || f.contacts[i].date >= last->date) last = &f.contacts[i];
  }
  return last;
}

const EnumCodes* kNoCodes = nullptr;

const std::vector<FactInfo>& Table() {
  static const auto* table = new std::vector<FactInfo>{
      {"today", ValueType::kDate, kNoCodes, false, [](const CaseFacts& f) { return Day(f.today); },
       "the business day of the evaluation"},
      {"jurisdiction", ValueType::kEnum, &JurisdictionCodes(), false,
       [](const CaseFacts& f) { return Code(f.jurisdiction); }, "england, wales or scotland"},
      {"tenancy_type", ValueType::kEnum, &TenancyTypeCodes(), false,
       [](const CaseFacts& f) { return Code(f.tenancy_type); }, "secure, assured, ..."},
      {"balance", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.balance); }, "account balance (negative: credit)"},
      {"arrears", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Value::Of(std::max<int64_t>(0, f.balance.pence())); },
       "balance if positive, else £0"},
      {"tenant_owed_arrears", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.tenant_owed_arrears); },
       "arrears less benefit still expected"},
      {"benefit_expected", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.benefit_expected); },
       "HB/UC for periods begun, not yet received"},
      {"uc_awaited", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.uc_awaited); },
       "arrears existing only because a UC award is not yet paid"},
      {"collectable_arrears", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.collectable_arrears); },
       "balance less this week's postings"},
      {"weekly_rent", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.weekly_rent); }, "weekly gross rent"},
      {"payments_this_week", ValueType::kMoney, kNoCodes, false,
       [](const CaseFacts& f) { return Pence(f.payments_this_week); },
       "paid this rent week (positive)"},
      {"last_payment_date", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.last_payment_date); }, "unset: never paid"},
      {"latest_letter_failed_validation", ValueType::kBool, kNoCodes, false,
       [](const CaseFacts& f) { return Value::Of(f.latest_letter_failed_validation); }, ""},
      {"last_contact_kind", ValueType::kEnum, &ContactKindCodes(), true,
       [](const CaseFacts& f) {
         const Contact* c = LastContact(f);
         return c ? Code(c->kind) : Value::Unset();
       },
       "kind of the latest contact; unset: none"},
      {"last_contact_date", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) {
         const Contact* c = LastContact(f);
         return c ? Day(c->date) : Value::Unset();
       },
       "date of the latest contact; unset: none"},
      {"notice_kind", ValueType::kEnum, &NoticeKindCodes(), false,
       [](const CaseFacts& f) { return Code(f.notice.kind); }, "none if no notice"},
      {"notice_served", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.notice.served); }, ""},
      {"notice_proceedings_from", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.notice.proceedings_from); },
       "as stated on the notice"},
      {"notice_valid_until", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.notice.valid_until); },
       "as stated on the notice"},
      {"court_date", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.court.hearing_date); }, "hearing date"},
      {"court_outcome", ValueType::kEnum, &CourtOutcomeCodes(), false,
       [](const CaseFacts& f) { return Code(f.court.outcome); }, "none if not recorded"},
      {"court_outcome_date", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.court.outcome_date); }, ""},
      {"court_warning_sent", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.court.warning_sent); }, ""},
      {"eviction_date", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.eviction_date); }, ""},
      {"warrant_applied", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.warrant.applied); }, ""},
      {"warrant_issued", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.warrant.issued); }, ""},
      {"arrangement_kind", ValueType::kEnum, &ArrangementKindCodes(), false,
       [](const CaseFacts& f) { return Code(f.arrangement.kind); },
       "none, informal, court_ordered"},
      {"arrangement_status", ValueType::kEnum, &ArrangementStatusCodes(), false,
       [](const CaseFacts& f) { return Code(f.arrangement.status); },
       "none, live, breached, completed, cancelled"},
      {"arrangement_start", ValueType::kDate, kNoCodes, true,
       [](const CaseFacts& f) { return MaybeDay(f.arrangement.start); }, ""},
      {"vulnerable", ValueType::kBool, kNoCodes, false,
       [](const CaseFacts& f) { return Value::Of(f.vulnerable); }, "vulnerability flag"},
  };
  return *table;
}

}  // namespace

absl::Span<const FactInfo> AllFacts() { return Table(); }

const FactInfo* FindFact(absl::string_view name) {
  for (const FactInfo& f : Table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace rentstream::escalation::policy
