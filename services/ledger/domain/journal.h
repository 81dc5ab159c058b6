#pragma once
// Double entry (domain §2): every posting is a journal entry whose lines move money between a
// tenant's account and the landlord's control accounts, and sum to zero. History is never edited:
// corrections (reversals, refunds, transfers, adjustments, write-offs) are new entries. Pure — no
// I/O, no clock.
//
// Sign convention: a positive amount debits the account. A tenant account's debit balance is what
// the tenant owes; a charge debits the tenant and credits income, a payment credits the tenant and
// debits the bank (or the benefit/suspense account it came through).

#include <compare>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/core/civil_date.h"
#include "libs/core/money.h"

namespace rentstream::ledger {

// The kinds of account a tenancy can have (domain §2, issue 4).
enum class AccountKind { kRent, kFormerTenantArrears, kGarage, kSundryDebt, kServiceCharge };

// The landlord's side of every posting.
enum class ControlAccount {
  kRentIncome,
  kServiceChargeIncome,
  kOtherChargeIncome,
  kSundryIncome,     // rechargeable repairs, court costs
  kBank,             // direct debit, standing order, card, cash, bank transfer
  kHousingBenefit,   // HB paid by the council (or rebated)
  kUniversalCredit,  // UC managed payments
  kDwpDeductions,    // third-party deductions from benefit
  kSuspense,         // payments not (yet) matched to an account
  kWriteOff,
  kRefunds,
  kAdjustments,
  kTransfers,  // transit account for transfers between tenant accounts
};

absl::string_view ControlAccountName(ControlAccount account);

// An account in the book: a tenant account (tenancy + kind) or a control account.
struct AccountRef {
  bool is_control = false;
  std::string tenancy;  // tenant accounts only
  AccountKind kind = AccountKind::kRent;
  ControlAccount control = ControlAccount::kBank;

  static AccountRef Tenant(std::string tenancy, AccountKind kind = AccountKind::kRent);
  static AccountRef Control(ControlAccount control);
  std::string ToString() const;

  friend bool operator==(const AccountRef& a, const AccountRef& b) {
    return a.is_control == b.is_control && a.tenancy == b.tenancy && a.kind == b.kind &&
           a.control == b.control;
  }
  friend auto operator<=>(const AccountRef& a, const AccountRef& b) {
    if (auto c = a.is_control <=> b.is_control; c != 0) return c;
    if (auto c = a.tenancy <=> b.tenancy; c != 0) return c;
    if (auto c = a.kind <=> b.kind; c != 0) return c;
    return a.control <=> b.control;
  }
};

enum class EntryKind {
  kCharge,
  kPayment,
  kPaymentReversal,  // a returned direct debit, a bounced payment
  kSuspenseAllocation,
  kRefund,
  kTransfer,
  kAdjustment,
  kWriteOff,
};

struct JournalLine {
  AccountRef account;
  core::Money amount;  // + debit, − credit; never zero
};

struct JournalEntry {
  std::string id;  // unique in the book: the idempotency key of the posting
  EntryKind kind = EntryKind::kCharge;
  core::Date date;  // the value date balances are computed on
  std::vector<JournalLine> lines;
  std::string reverses;  // for reversals: the id of the entry reversed
};

inline constexpr size_t kMaxLinesPerEntry = 16;

// The ledger of a landlord (or of a partition of its tenancies): every entry, balances per account
// by value date. Entries are validated before they touch anything: a refused entry changes nothing.
class JournalBook {
 public:
  // INVALID_ARGUMENT (naming the field) for an entry with fewer than two lines, a zero amount,
  // lines that do not sum to zero, one account twice, an amount above `ceiling` (when set);
  // ALREADY_EXISTS for an id already posted; NOT_FOUND for a reversal of an unknown entry;
  // FAILED_PRECONDITION for a second reversal of the same entry.
  absl::Status Post(const JournalEntry& entry, core::Money ceiling = core::Money::Zero());

  bool Contains(const std::string& id) const { return entries_.count(id) > 0; }
  const JournalEntry* Find(const std::string& id) const;

  // Balance of an account from every entry dated on or before `as_of`.
  absl::StatusOr<core::Money> BalanceAsOf(const AccountRef& account, core::Date as_of) const;
  // Balance of an account over every entry.
  core::Money Balance(const AccountRef& account) const;
  // Sum of every account's balance: zero, always (the double-entry invariant).
  absl::StatusOr<core::Money> TrialBalance() const;
  // Every account with a non-zero balance.
  std::map<AccountRef, core::Money> Balances() const;
  // The entries touching an account, in posting order.
  std::vector<const JournalEntry*> EntriesOf(const AccountRef& account) const;

 private:
  struct Movement {
    core::Date date;
    core::Money amount;
    const JournalEntry* entry;
  };
  std::map<std::string, JournalEntry> entries_;
  std::map<std::string, std::string> reversed_by_;  // entry id → reversal id
  std::map<AccountRef, std::vector<Movement>> movements_;
  std::map<AccountRef, core::Money> balances_;
};

}  // namespace rentstream::ledger
