// Transfers between tenancies: a credit, or a payment misallocated to the wrong account, moved to
// another tenancy's account in two recorded steps on two streams (each with its own single
// writer). The source posts tenant → transfers control; the target posts transfers control →
// tenant. Between them, or if the target refuses, the money is visible in the transfers account.
#include "absl/strings/str_cat.h"
#include "libs/core/ids.h"
#include "services/ledger/domain/decision_support.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

std::string TransferOutPostingId(const std::string& from_tenancy_ref,
                                 const std::string& transfer_id) {
  return absl::StrCat("transfer-out:", from_tenancy_ref, ":", transfer_id);
}

std::string TransferInPostingId(const std::string& from_tenancy_ref,
                                const std::string& transfer_id) {
  return absl::StrCat("transfer-in:", from_tenancy_ref, ":", transfer_id);
}

namespace {

std::optional<Refusal> CheckReasons(const std::string& reason_code, const std::string& reason,
                                    const Actor& actor) {
  if (reason_code.empty() || reason_code.size() > 32) {
    return Invalid("reason_code", "must be 1 to 32 characters");
  }
  if (reason.empty()) return Invalid("reason", "a transfer says why");
  if (actor.id.empty()) return Invalid("actor", "a transfer names the officer who made it");
  return std::nullopt;
}

std::optional<Refusal> CheckOtherTenancy(const TenancyLedger& s, const std::string& other,
                                         const std::string& field) {
  auto ref = core::TenancyRef::Parse(other);
  if (!ref.ok()) {
    std::string why(ref.status().message());
    return Invalid(field, why.substr(why.find(": ") + 2));
  }
  if (other == s.info.tenancy_ref) return Invalid(field, "is this tenancy: name another one");
  if (other == kSuspenseStream)
    return Invalid(field, "allocate suspense with AllocateFromSuspense");
  return std::nullopt;
}

// What the source may move: what is left of a misallocated payment, or the credit it holds.
std::optional<Refusal> CheckMovable(const TenancyLedger& s, const TransferOut& c) {
  if (c.payment_posting_id.empty()) {
    const Money credit = Money::FromPence(-BalanceOf(s, c.account_kind).pence());
    if (c.amount > credit) {
      return Precondition("amount", absl::StrCat("the account holds ", credit.Format(),
                                                 " of credit, less than the transfer"));
    }
    return std::nullopt;
  }
  auto it = s.payments.find(c.payment_posting_id);
  if (it == s.payments.end()) {
    return Refusal{Refusal::Kind::kNotFound, "payment_posting_id",
                   absl::StrCat("no payment ", c.payment_posting_id, " on this tenancy")};
  }
  const PaymentRecord& p = it->second;
  if (p.account_kind != c.account_kind) {
    return Invalid("account_kind", "is not the account the payment was made to");
  }
  if (p.reversed) return Precondition("payment_posting_id", "the payment was reversed");
  if (c.value_date < p.value_date) {
    return Invalid("value_date", "a transfer cannot be dated before the payment");
  }
  const Money left = Money::FromPence(p.amount.pence() - p.transferred.pence());
  if (c.amount > left) {
    return Precondition("amount", absl::StrCat(left.Format(), " of the payment is left to move"));
  }
  return std::nullopt;
}

}  // namespace

Decision Decide(const TenancyLedger& s, const TransferOut& c, const Actor& actor,
                const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.transfer_id.empty() || c.transfer_id.size() > 64) {
    return Invalid("transfer_id", "must be 1 to 64 characters");
  }
  if (auto r = CheckOtherTenancy(s, c.to_tenancy_ref, "to_tenancy_ref")) return *r;
  if (auto r = CheckAmount(c.amount, "amount", limits.payment_ceiling)) return *r;
  if (auto it = s.transfers_out.find(c.transfer_id); it != s.transfers_out.end()) {
    const TransferRecord& t = it->second;
    if (t.to_tenancy_ref == c.to_tenancy_ref && t.amount == c.amount &&
        t.account_kind == c.account_kind && t.payment_posting_id == c.payment_posting_id) {
      return Events({});  // a retry of the same transfer
    }
    return Refusal{Refusal::Kind::kAlreadyExists, "transfer_id",
                   absl::StrCat("transfer ", c.transfer_id, " was made to ", t.to_tenancy_ref,
                                " for ", t.amount.Format())};
  }
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (auto r = CheckReasons(c.reason_code, c.reason, actor)) return *r;
  if (auto r = CheckMovable(s, c)) return *r;
  if (!BalanceOf(s, c.account_kind).CheckedAdd(c.amount).ok()) {
    return Precondition("amount", "the balance would overflow");
  }
  TransferredOut e{c.transfer_id,
                   c.to_tenancy_ref,
                   c.account_kind,
                   c.to_account_kind,
                   c.payment_posting_id,
                   c.reason_code,
                   c.reason,
                   actor.id,
                   {}};
  e.posting.id = TransferOutPostingId(s.info.tenancy_ref, c.transfer_id);
  e.posting.kind = EntryKind::kTransfer;
  e.posting.date = c.value_date;
  e.posting.lines = {{AccountRef::Tenant(s.info.tenancy_ref, c.account_kind), c.amount},
                     {AccountRef::Control(ControlAccount::kTransfers), c.amount.Negated().value()}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const TransferIn& c, const Actor& actor,
                const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.transfer_id.empty() || c.transfer_id.size() > 64) {
    return Invalid("transfer_id", "must be 1 to 64 characters");
  }
  if (auto r = CheckOtherTenancy(s, c.from_tenancy_ref, "from_tenancy_ref")) return *r;
  const std::string id = TransferInPostingId(c.from_tenancy_ref, c.transfer_id);
  if (s.transfers_in.count(id)) return Events({});  // received before: a retry
  if (auto r = CheckAmount(c.amount, "amount", limits.payment_ceiling)) return *r;
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (auto r = CheckReasons(c.reason_code, c.reason, actor)) return *r;
  if (s.end_date.has_value() && c.account_kind == AccountKind::kRent) {
    return Precondition("account_kind", "the tenancy has ended: transfer to FORMER_TENANT_ARREARS");
  }
  if (!BalanceOf(s, c.account_kind).CheckedSub(c.amount).ok()) {
    return Precondition("amount", "the balance would overflow");
  }
  TransferredIn e{c.transfer_id,
                  c.from_tenancy_ref,
                  TransferOutPostingId(c.from_tenancy_ref, c.transfer_id),
                  c.account_kind,
                  c.reason_code,
                  c.reason,
                  actor.id,
                  {}};
  e.posting.id = id;
  e.posting.kind = EntryKind::kTransfer;
  e.posting.date = c.value_date;
  e.posting.lines = {
      {AccountRef::Control(ControlAccount::kTransfers), c.amount},
      {AccountRef::Tenant(s.info.tenancy_ref, c.account_kind), c.amount.Negated().value()}};
  return Events({std::move(e)});
}

namespace internal {

void EvolveTransfer(TenancyLedger& s, const TransferredOut& e) {
  const Money amount = e.posting.lines[0].amount;
  s.transfers_out[e.transfer_id] = {e.to_tenancy_ref, amount, e.account_kind, e.payment_posting_id};
  if (!e.payment_posting_id.empty()) {
    Money& moved = s.payments[e.payment_posting_id].transferred;
    moved = Money::FromPence(moved.pence() + amount.pence());
  }
  ApplyPosting(s, e.posting,
               absl::StrCat("Transfer to another account (", e.reason_code, "): ", e.reason));
}

void EvolveTransfer(TenancyLedger& s, const TransferredIn& e) {
  s.transfers_in.insert(e.posting.id);
  ApplyPosting(s, e.posting,
               absl::StrCat("Transfer from another account (", e.reason_code, "): ", e.reason));
}

}  // namespace internal
}  // namespace rentstream::ledger
