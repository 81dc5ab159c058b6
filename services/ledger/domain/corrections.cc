// Corrections and suspense: refunds, adjustments, sundry charges, write-offs with approval, and
// payments held in suspense until allocated. Never an edit: each is a new posting.
#include "services/ledger/domain/tenancy_ledger.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "services/ledger/domain/correction_roles.h"
#include "services/ledger/domain/decision_support.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

std::optional<Refusal> CheckCorrectionRole(const Actor& actor, Correction correction) {
  const bool person = actor.role == Role::kOfficer || actor.role == Role::kTeamLeader ||
                      actor.role == Role::kIncomeManager;
  if (person) return std::nullopt;
  if (actor.role == Role::kIntegration && correction == Correction::kReversal) return std::nullopt;
  static constexpr const char* kWhat[] = {
      // in Correction's order
      "a payment is reversed",
      "a refund is issued",
      "an adjustment is posted",
      "a transfer is made",
      "a payment is allocated from suspense",
      "a write-off is requested",
  };
  const char* what = kWhat[static_cast<int>(correction)];
  return Refusal{
      Refusal::Kind::kPermissionDenied, "actor",
      absl::StrCat(what, " by an officer, team leader or income manager",
                   correction == Correction::kReversal ? " (or the bank file's integration)" : "")};
}

Decision Decide(const TenancyLedger& s, const IssueRefund& c) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.amount <= Money::Zero()) return Invalid("amount", "must be more than £0.00");
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (c.reason.empty()) return Invalid("reason", "a refund says why");
  const Money credit = Money::FromPence(-BalanceOf(s, c.account_kind).pence());
  if (c.amount > credit) {
    return Precondition("amount", absl::StrCat("the account holds ", credit.Format(),
                                               " of credit, less than the refund"));
  }
  return Events({PostingMade{PostingMade::Kind::kRefund, c.account_kind, "", c.reason, "",
                             OneOff(s, "refund", EntryKind::kRefund, c.account_kind,
                                    ControlAccount::kRefunds, c.amount, c.value_date)}});
}

Decision Decide(const TenancyLedger& s, const PostAdjustment& c, const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.amount == Money::Zero()) return Invalid("amount", "an adjustment is not zero");
  const Money magnitude =
      Money::FromPence(c.amount.pence() < 0 ? -c.amount.pence() : c.amount.pence());
  if (c.amount.pence() == std::numeric_limits<int64_t>::min() ||
      magnitude > limits.payment_ceiling) {
    return Invalid("amount", "is above the ceiling");
  }
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (c.reason_code.empty() || c.reason_code.size() > 32) {
    return Invalid("reason_code", "must be 1 to 32 characters");
  }
  if (c.reason.empty()) return Invalid("reason", "an adjustment says why");
  return Events(
      {PostingMade{PostingMade::Kind::kAdjustment, c.account_kind, c.reason_code, c.reason, "",
                   OneOff(s, "adjustment", EntryKind::kAdjustment, c.account_kind,
                          ControlAccount::kAdjustments, c.amount, c.value_date)}});
}

Decision Decide(const TenancyLedger& s, const PostSundryCharge& c, const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  if (auto r = CheckAmount(c.amount, "amount", limits.payment_ceiling)) return *r;
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (c.account_kind == AccountKind::kRent) {
    return Invalid("account_kind",
                   "sundry charges go to a sundry, garage or service-charge account");
  }
  if (c.code.empty() || c.code.size() > 16) return Invalid("code", "must be 1 to 16 characters");
  if (c.description.empty()) return Invalid("description", "say what the charge is for");
  return Events(
      {PostingMade{PostingMade::Kind::kSundryCharge, c.account_kind, c.code, c.description, "",
                   OneOff(s, "sundry", EntryKind::kCharge, c.account_kind,
                          ControlAccount::kSundryIncome, c.amount, c.value_date)}});
}

Decision Decide(const TenancyLedger& s, const RequestWriteOff& c, const Actor& actor) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.request_id.empty() || c.request_id.size() > 64) {
    return Invalid("request_id", "must be 1 to 64 characters");
  }
  if (s.pending_write_offs.count(c.request_id) || s.closed_write_offs.count(c.request_id)) {
    return Refusal{Refusal::Kind::kAlreadyExists, "request_id", "a request with this id exists"};
  }
  if (c.amount <= Money::Zero()) return Invalid("amount", "must be more than £0.00");
  if (c.amount > BalanceOf(s, c.account_kind)) {
    return Precondition("amount",
                        absl::StrCat("the account owes ", BalanceOf(s, c.account_kind).Format(),
                                     ", less than the write-off"));
  }
  if (c.reason_code.empty()) return Invalid("reason_code", "a write-off has a reason code");
  if (actor.id.empty()) return Invalid("actor", "a write-off request names its requester");
  return Events({WriteOffRequested{c.request_id, c.account_kind, c.amount, c.reason_code, c.reason,
                                   actor.id}});
}

Decision Decide(const TenancyLedger& s, const ApproveWriteOff& c, const Actor& actor,
                const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  auto it = s.pending_write_offs.find(c.request_id);
  if (it == s.pending_write_offs.end()) {
    return Refusal{Refusal::Kind::kNotFound, "request_id", "no pending write-off request"};
  }
  const WriteOffRequested& request = it->second;
  if (actor.id.empty() || actor.id == request.requested_by) {
    return Refusal{Refusal::Kind::kPermissionDenied, "actor",
                   "a write-off is approved by someone other than its requester"};
  }
  const bool can_approve =
      actor.role == Role::kIncomeManager ||
      (actor.role == Role::kTeamLeader && request.amount <= limits.team_leader_write_off_limit);
  if (!can_approve) {
    return Refusal{
        Refusal::Kind::kPermissionDenied, "actor",
        absl::StrCat("approving a write-off of ", request.amount.Format(), " needs ",
                     request.amount <= limits.team_leader_write_off_limit ? "a team leader"
                                                                          : "an income manager")};
  }
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  if (request.amount > BalanceOf(s, request.account_kind)) {
    return Precondition("request_id", "the account now owes less than the write-off");
  }
  JournalEntry posting =
      OneOff(s, "write-off", EntryKind::kWriteOff, request.account_kind, ControlAccount::kWriteOff,
             Money::FromPence(-request.amount.pence()), c.value_date);
  return Events(
      {PostingMade{PostingMade::Kind::kWriteOff, request.account_kind, request.reason_code,
                   request.reason, request.request_id, std::move(posting)}});
}

Decision Decide(const TenancyLedger& s, const RejectWriteOff& c, const Actor& actor) {
  if (auto r = RequireOpen(s)) return *r;
  auto it = s.pending_write_offs.find(c.request_id);
  if (it == s.pending_write_offs.end()) {
    return Refusal{Refusal::Kind::kNotFound, "request_id", "no pending write-off request"};
  }
  if (actor.role != Role::kTeamLeader && actor.role != Role::kIncomeManager) {
    return Refusal{Refusal::Kind::kPermissionDenied, "actor",
                   "a write-off is rejected by a team leader or income manager"};
  }
  if (c.reason.empty()) return Invalid("reason", "a rejection says why");
  return Events({WriteOffRejected{c.request_id, c.reason}});
}

Decision Decide(const TenancyLedger& s, const SuspendPayment& c, const LedgerLimits& limits) {
  if (s.info.tenancy_ref != kSuspenseStream) {
    return Invalid("tenancy_ref", absl::StrCat("suspended payments live on ", kSuspenseStream));
  }
  if (auto r = CheckAmount(c.amount, "amount", limits.payment_ceiling)) return *r;
  if (c.source.empty() || c.source.size() > 128)
    return Invalid("source", "must be 1 to 128 characters");
  if (c.external_reference.empty() || c.external_reference.size() > 128) {
    return Invalid("external_reference", "must be 1 to 128 characters");
  }
  const std::string id = SuspendedPostingId(c.source, c.external_reference);
  if (s.suspended.count(id)) {
    return Refusal{Refusal::Kind::kAlreadyExists, "external_reference",
                   absl::StrCat("payment ", c.external_reference, " from ", c.source,
                                " is already in suspense")};
  }
  PaymentSuspended e{c.method,        c.source,        c.external_reference,
                     c.received_date, c.raw_reference, {}};
  e.posting.id = id;
  e.posting.kind = EntryKind::kPayment;
  e.posting.date = c.received_date;
  e.posting.lines = {
      {AccountRef::Control(ControlAccountFor(c.method)), c.amount},
      {AccountRef::Control(ControlAccount::kSuspense), Money::FromPence(-c.amount.pence())}};
  return Events({std::move(e)});
}

namespace {

// The payment held as `id`, for a command that acts on held payments (`what` they do there), or
// why there is none: not the suspense stream, or no such payment.
std::variant<const TenancyLedger::Suspended*, Refusal> HeldPayment(const TenancyLedger& s,
                                                                   const std::string& id,
                                                                   const char* what) {
  if (s.info.tenancy_ref != kSuspenseStream) {
    return Invalid("tenancy_ref", absl::StrCat(what, " on ", kSuspenseStream));
  }
  auto it = s.suspended.find(id);
  if (it == s.suspended.end()) {
    return Refusal{Refusal::Kind::kNotFound, "suspended_posting_id", "no such payment in suspense"};
  }
  return &it->second;
}

}  // namespace

Decision Decide(const TenancyLedger& s, const ReleaseFromSuspense& c) {
  auto found = HeldPayment(s, c.suspended_posting_id, "releases happen");
  if (auto* refused = std::get_if<Refusal>(&found)) return *refused;
  const TenancyLedger::Suspended& held = *std::get<const TenancyLedger::Suspended*>(found);
  if (held.reversed) {
    return Precondition("suspended_posting_id",
                        "it was reversed (bounced, returned or a duplicate): nothing to allocate");
  }
  if (!held.released_to.empty()) {
    if (held.released_to == c.tenancy_ref) return Events({});  // a retry of the same
    return Precondition("suspended_posting_id",
                        absl::StrCat("already allocated to ", held.released_to));
  }
  if (c.tenancy_ref.empty() || c.tenancy_ref == kSuspenseStream) {
    return Invalid("tenancy_ref", "name the tenancy the payment belongs to");
  }
  if (c.amount != held.amount) {
    return Invalid("amount", absl::StrCat("the payment held is ", held.amount.Format()));
  }
  if (c.value_date < held.received_date) {
    return Invalid("value_date", "an allocation cannot be dated before the payment");
  }
  SuspenseReleased e{c.suspended_posting_id, c.tenancy_ref, {}};
  e.posting.id = "release:" + c.suspended_posting_id;
  e.posting.kind = EntryKind::kSuspenseAllocation;
  e.posting.date = c.value_date;
  e.posting.lines = {
      {AccountRef::Control(ControlAccount::kSuspense), held.amount},
      {AccountRef::Control(ControlAccount::kTransfers), Money::FromPence(-held.amount.pence())}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const ReverseHeldPayment& c) {
  auto found = HeldPayment(s, c.suspended_posting_id, "held payments are reversed");
  if (auto* refused = std::get_if<Refusal>(&found)) return *refused;
  const TenancyLedger::Suspended& held = *std::get<const TenancyLedger::Suspended*>(found);
  if (held.reversed) return Events({});  // a repeat: reversed once
  if (!held.released_to.empty()) {
    return Precondition("suspended_posting_id",
                        absl::StrCat("allocated to ", held.released_to,
                                     ": reverse it on that account, not in suspense"));
  }
  if (c.amount != held.amount) {
    return Invalid("amount", absl::StrCat("the payment held is ", held.amount.Format()));
  }
  if (c.value_date < held.received_date) {
    return Invalid("value_date", "a reversal cannot be dated before the payment");
  }
  if (c.reason.empty() || c.reason.size() > 500) {
    return Invalid("reason", "must be 1 to 500 characters");
  }
  if (held.method.has_value() && c.method.has_value() && *c.method != *held.method) {
    return Invalid("method", "is not the method the payment was held with");
  }
  if (!held.method.has_value() && !c.method.has_value()) {
    return Precondition("method",
                        "held before the ledger kept the method of held payments: name how it "
                        "was paid");
  }
  const PaymentMethod method = held.method.has_value() ? *held.method : *c.method;
  HeldPaymentReversed e{c.suspended_posting_id, c.reason, {}};
  e.posting.id = "reversal:" + c.suspended_posting_id;
  e.posting.kind = EntryKind::kPaymentReversal;
  e.posting.reverses = c.suspended_posting_id;  // the PaymentSuspended posting
  e.posting.date = c.value_date;
  e.posting.lines = {
      {AccountRef::Control(ControlAccount::kSuspense), held.amount},
      {AccountRef::Control(ControlAccountFor(method)), Money::FromPence(-held.amount.pence())}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const ReceiveFromSuspense& c) {
  if (auto r = RequireOpen(s)) return *r;
  if (s.received_from_suspense.count(c.suspended_posting_id)) return Events({});  // a retry
  if (c.amount <= Money::Zero()) return Invalid("amount", "must be more than £0.00");
  // The payment held was recorded on this account already (imported naming it, and again naming
  // no account or an unknown one): receiving it too would credit the tenant twice.
  if (auto paid = PaymentPostingIdOfHeld(c.suspended_posting_id); paid && s.payments.count(*paid)) {
    return Refusal{Refusal::Kind::kAlreadyExists, "suspended_posting_id",
                   absl::StrCat("the payment held as ", c.suspended_posting_id,
                                " was already recorded on this account as ", *paid,
                                " (the same source and reference): it stays held")};
  }
  if (auto r = CheckDate(s, c.value_date, "value_date")) return *r;
  SuspenseAllocated e{c.suspended_posting_id, c.account_kind, {}};
  e.posting.id = "allocation:" + c.suspended_posting_id;
  e.posting.kind = EntryKind::kSuspenseAllocation;
  e.posting.date = c.value_date;
  e.posting.lines = {{AccountRef::Control(ControlAccount::kTransfers), c.amount},
                     {AccountRef::Tenant(s.info.tenancy_ref, c.account_kind),
                      Money::FromPence(-c.amount.pence())}};
  return Events({std::move(e)});
}

}  // namespace rentstream::ledger
