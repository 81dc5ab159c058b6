#include "services/ledger/domain/journal.h"

#include <algorithm>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"

namespace rentstream::ledger {
namespace {

using core::Money;

absl::string_view AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kRent:
      return "rent";
    case AccountKind::kFormerTenantArrears:
      return "former-tenant";
    case AccountKind::kGarage:
      return "garage";
    case AccountKind::kSundryDebt:
      return "sundry";
    case AccountKind::kServiceCharge:
      return "service-charge";
  }
  return "unknown";
}

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The entry's lines as (account, amount) sorted, with amounts negated when `negate`.
std::vector<std::pair<AccountRef, int64_t>> Normalised(const JournalEntry& e, bool negate) {
  std::vector<std::pair<AccountRef, int64_t>> out;
  for (const JournalLine& l : e.lines) {
    out.emplace_back(l.account, negate ? -l.amount.pence() : l.amount.pence());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<Money> FromWide(__int128 pence, absl::string_view what) {
  if (pence > std::numeric_limits<int64_t>::max() || pence < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError(absl::StrCat(what, ": beyond the range of Money"));
  }
  return Money::FromPence(static_cast<int64_t>(pence));
}

}  // namespace

absl::string_view ControlAccountName(ControlAccount account) {
  switch (account) {
    case ControlAccount::kRentIncome:
      return "rent-income";
    case ControlAccount::kServiceChargeIncome:
      return "service-charge-income";
    case ControlAccount::kOtherChargeIncome:
      return "other-charge-income";
    case ControlAccount::kSundryIncome:
      return "sundry-income";
    case ControlAccount::kBank:
      return "bank";
    case ControlAccount::kHousingBenefit:
      return "housing-benefit";
    case ControlAccount::kUniversalCredit:
      return "universal-credit";
    case ControlAccount::kDwpDeductions:
      return "dwp-deductions";
    case ControlAccount::kSuspense:
      return "suspense";
    case ControlAccount::kWriteOff:
      return "write-off";
    case ControlAccount::kRefunds:
      return "refunds";
    case ControlAccount::kAdjustments:
      return "adjustments";
    case ControlAccount::kTransfers:
      return "transfers";
  }
  return "unknown";
}

AccountRef AccountRef::Tenant(std::string tenancy, AccountKind kind) {
  AccountRef a;
  a.tenancy = std::move(tenancy);
  a.kind = kind;
  return a;
}

AccountRef AccountRef::Control(ControlAccount control) {
  AccountRef a;
  a.is_control = true;
  a.control = control;
  return a;
}

std::string AccountRef::ToString() const {
  if (is_control) return absl::StrCat("control:", ControlAccountName(control));
  return absl::StrCat(tenancy, ":", AccountKindName(kind));
}

absl::Status JournalBook::Post(const JournalEntry& e, Money ceiling) {
  if (e.id.empty()) return Invalid("id", "empty");
  if (entries_.count(e.id)) {
    return absl::AlreadyExistsError(absl::StrCat("id: entry ", e.id, " is already posted"));
  }
  if (e.lines.size() < 2) return Invalid("lines", "an entry needs at least two lines");
  if (e.lines.size() > kMaxLinesPerEntry) {
    return Invalid("lines", absl::StrCat("more than ", kMaxLinesPerEntry));
  }
  Money sum;
  std::set<AccountRef> seen;
  for (size_t i = 0; i < e.lines.size(); ++i) {
    const JournalLine& l = e.lines[i];
    const std::string field = absl::StrCat("lines[", i, "]");
    if (l.amount == Money::Zero()) return Invalid(field + ".amount", "is zero");
    if (ceiling > Money::Zero()) {
      auto magnitude =
          l.amount.is_negative() ? l.amount.Negated() : absl::StatusOr<Money>(l.amount);
      if (!magnitude.ok() || *magnitude > ceiling) {
        return Invalid(
            field + ".amount",
            absl::StrCat(l.amount.Format(), " is above the ceiling of ", ceiling.Format()));
      }
    }
    if (!l.account.is_control && l.account.tenancy.empty()) {
      return Invalid(field + ".account", "a tenant account needs a tenancy");
    }
    if (!seen.insert(l.account).second) {
      return Invalid(field + ".account", absl::StrCat(l.account.ToString(), " appears twice"));
    }
    auto next = sum.CheckedAdd(l.amount);
    if (!next.ok()) return Invalid(field + ".amount", next.status().message());
    sum = *next;
  }
  if (sum != Money::Zero()) {
    return Invalid("lines", absl::StrCat("debits and credits differ by ", sum.Format()));
  }
  // Balances must stay representable: check every affected account before changing any.
  std::vector<Money> new_balances;
  for (const JournalLine& l : e.lines) {
    auto it = balances_.find(l.account);
    const Money current = it == balances_.end() ? Money::Zero() : it->second;
    auto next = current.CheckedAdd(l.amount);
    if (!next.ok())
      return absl::OutOfRangeError(
          absl::StrCat(l.account.ToString(), ": ", next.status().message()));
    new_balances.push_back(*next);
  }
  if (e.kind == EntryKind::kPaymentReversal) {
    if (e.reverses.empty()) return Invalid("reverses", "a reversal names the entry it reverses");
    auto original = entries_.find(e.reverses);
    if (original == entries_.end()) {
      return absl::NotFoundError(absl::StrCat("reverses: no entry ", e.reverses));
    }
    if (reversed_by_.count(e.reverses)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "reverses: entry ", e.reverses, " was already reversed by ", reversed_by_[e.reverses]));
    }
    if (Normalised(e, false) != Normalised(original->second, true)) {
      return Invalid("lines", absl::StrCat("a reversal must mirror every line of ", e.reverses));
    }
  } else if (!e.reverses.empty()) {
    return Invalid("reverses", "only a reversal names an entry it reverses");
  }

  const JournalEntry& stored = entries_.emplace(e.id, e).first->second;
  if (!e.reverses.empty()) reversed_by_[e.reverses] = e.id;
  for (size_t i = 0; i < stored.lines.size(); ++i) {
    const JournalLine& l = stored.lines[i];
    balances_[l.account] = new_balances[i];
    movements_[l.account].push_back({stored.date, l.amount, &stored});
  }
  return absl::OkStatus();
}

const JournalEntry* JournalBook::Find(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

absl::StatusOr<Money> JournalBook::BalanceAsOf(const AccountRef& account, core::Date as_of) const {
  auto it = movements_.find(account);
  if (it == movements_.end()) return Money::Zero();
  __int128 pence = 0;  // wide: a back-dated subset of entries may not sum within int64
  for (const Movement& m : it->second) {
    if (m.date <= as_of) pence += m.amount.pence();
  }
  return FromWide(pence, account.ToString());
}

Money JournalBook::Balance(const AccountRef& account) const {
  auto it = balances_.find(account);
  return it == balances_.end() ? Money::Zero() : it->second;
}

absl::StatusOr<Money> JournalBook::TrialBalance() const {
  __int128 total = 0;
  for (const auto& [account, balance] : balances_) total += balance.pence();
  return FromWide(total, "trial balance");
}

std::map<AccountRef, Money> JournalBook::Balances() const {
  std::map<AccountRef, Money> out;
  for (const auto& [account, balance] : balances_) {
    if (balance != Money::Zero()) out.emplace(account, balance);
  }
  return out;
}

std::vector<const JournalEntry*> JournalBook::EntriesOf(const AccountRef& account) const {
  std::vector<const JournalEntry*> out;
  auto it = movements_.find(account);
  if (it == movements_.end()) return out;
  for (const Movement& m : it->second) out.push_back(m.entry);
  return out;
}

}  // namespace rentstream::ledger
