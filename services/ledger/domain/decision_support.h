#pragma once
// Shared by the ledger's decide functions (internal to services/ledger/domain): refusals, guards
// and the one-off posting every correction makes.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger::internal {

using core::Date;
using core::Money;

// An award converted to the rent's period through its weekly equivalent (monthly × 12 / 52),
// rounded half up to the penny.
int64_t AwardPerRentPeriod(const BenefitAward& award, Frequency rent);

// The part of a rent charge for the period starting `start` that benefit awards will pay, and the
// Universal Credit part of it (each capped at the charge).
struct BenefitCover {
  Money covered;
  Money universal_credit;
};
BenefitCover BenefitCoverOf(const TenancyLedger& s, Date start, Money charge);

inline Refusal Invalid(std::string field, std::string reason) {
  return {Refusal::Kind::kInvalidArgument, std::move(field), std::move(reason)};
}
inline Refusal Precondition(std::string field, std::string reason) {
  return {Refusal::Kind::kFailedPrecondition, std::move(field), std::move(reason)};
}

inline std::optional<Refusal> RequireOpen(const TenancyLedger& s) {
  if (!s.opened) {
    return Refusal{Refusal::Kind::kNotFound, "tenancy_ref", "no ledger account for this tenancy"};
  }
  return std::nullopt;
}

inline std::optional<Refusal> RequireCurrent(const TenancyLedger& s) {
  if (auto r = RequireOpen(s)) return r;
  if (s.end_date.has_value()) {
    return Precondition("tenancy_ref", absl::StrCat("the tenancy ended on ", s.end_date->ToIso()));
  }
  return std::nullopt;
}

inline std::optional<Refusal> CheckSchedule(const RentSchedule& schedule, Date start) {
  if (absl::Status st = ValidateSchedule(schedule); !st.ok()) {
    return Invalid("schedule." + std::string(st.message().substr(0, st.message().find(':'))),
                   std::string(st.message().substr(st.message().find(':') + 2)));
  }
  if (schedule.anchor < start) {
    return Invalid("schedule.anchor", "the first rent period starts before the tenancy");
  }
  return std::nullopt;
}

inline Money BalanceOf(const TenancyLedger& s, AccountKind kind) {
  auto it = s.balances.find(kind);
  return it == s.balances.end() ? Money::Zero() : it->second;
}

inline Decision Events(std::vector<LedgerEvent> events) { return events; }

// A one-off posting between a tenant account and a control account. Its id is unique in the
// stream (the movement count), so the same decision always produces the same id.
inline JournalEntry OneOff(const TenancyLedger& s, absl::string_view prefix, EntryKind kind,
                           AccountKind account, ControlAccount contra, Money amount, Date date) {
  JournalEntry e;
  e.id =
      absl::StrCat(prefix, ":", s.info.tenancy_ref, ":", s.movements_before + s.movements.size());
  e.kind = kind;
  e.date = date;
  e.lines = {{AccountRef::Tenant(s.info.tenancy_ref, account), amount},
             {AccountRef::Control(contra), Money::FromPence(-amount.pence())}};
  return e;
}

inline std::optional<Refusal> CheckAmount(Money amount, const std::string& field, Money ceiling) {
  if (amount <= Money::Zero()) return Invalid(field, "must be more than £0.00");
  if (amount > ceiling) {
    return Invalid(field,
                   absl::StrCat(amount.Format(), " is above the ceiling of ", ceiling.Format()));
  }
  return std::nullopt;
}

inline std::optional<Refusal> CheckDate(const TenancyLedger& s, Date d, const std::string& field) {
  if (d < s.info.start_date) {
    return Invalid(field, absl::StrCat(d.ToIso(), " is before the tenancy started on ",
                                       s.info.start_date.ToIso()));
  }
  return std::nullopt;
}

// Applies a posting's lines on this tenancy's accounts to its balances and movements.
void ApplyPosting(TenancyLedger& s, const JournalEntry& posting, const std::string& description);
// A period charged after the tenancy ended on a day inside it: each line less its pro-rata
// credit for the days after the end date (termination.cc), so it matches a termination's credit.
ChargePeriod ChargedUpToEnd(const ChargePeriod& period, const std::optional<Date>& end_date);
// Folds the two steps of a transfer (transfers.cc).
void EvolveTransfer(TenancyLedger& s, const TransferredOut& e);
void EvolveTransfer(TenancyLedger& s, const TransferredIn& e);

}  // namespace rentstream::ledger::internal
