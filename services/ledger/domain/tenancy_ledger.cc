#include "services/ledger/domain/tenancy_ledger.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/strings/str_cat.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

Refusal Invalid(std::string field, std::string reason) {
  return {Refusal::Kind::kInvalidArgument, std::move(field), std::move(reason)};
}
Refusal Precondition(std::string field, std::string reason) {
  return {Refusal::Kind::kFailedPrecondition, std::move(field), std::move(reason)};
}

std::optional<Refusal> RequireOpen(const TenancyLedger& s) {
  if (!s.opened) {
    return Refusal{Refusal::Kind::kNotFound, "tenancy_ref", "no ledger account for this tenancy"};
  }
  return std::nullopt;
}

std::optional<Refusal> RequireCurrent(const TenancyLedger& s) {
  if (auto r = RequireOpen(s)) return r;
  if (s.end_date.has_value()) {
    return Precondition("tenancy_ref", absl::StrCat("the tenancy ended on ", s.end_date->ToIso()));
  }
  return std::nullopt;
}

std::optional<Refusal> CheckSchedule(const RentSchedule& schedule, Date start) {
  if (absl::Status st = ValidateSchedule(schedule); !st.ok()) {
    return Invalid("schedule." + std::string(st.message().substr(0, st.message().find(':'))),
                   std::string(st.message().substr(st.message().find(':') + 2)));
  }
  if (schedule.anchor < start) {
    return Invalid("schedule.anchor", "the first rent period starts before the tenancy");
  }
  return std::nullopt;
}

Money BalanceOf(const TenancyLedger& s, AccountKind kind) {
  auto it = s.balances.find(kind);
  return it == s.balances.end() ? Money::Zero() : it->second;
}

Decision Events(std::vector<LedgerEvent> events) { return events; }

}  // namespace

ControlAccount ControlAccountFor(PaymentMethod method) {
  switch (method) {
    case PaymentMethod::kHousingBenefit:
      return ControlAccount::kHousingBenefit;
    case PaymentMethod::kUcManagedPayment:
      return ControlAccount::kUniversalCredit;
    case PaymentMethod::kDwpDeduction:
      return ControlAccount::kDwpDeductions;
    default:
      return ControlAccount::kBank;
  }
}

ControlAccount IncomeAccountFor(ChargeKind kind) {
  switch (kind) {
    case ChargeKind::kNetRent:
      return ControlAccount::kRentIncome;
    case ChargeKind::kServiceCharge:
      return ControlAccount::kServiceChargeIncome;
    case ChargeKind::kOtherCharge:
      return ControlAccount::kOtherChargeIncome;
  }
  return ControlAccount::kOtherChargeIncome;
}

std::string PaymentPostingId(const std::string& source, const std::string& external_reference) {
  return absl::StrCat("payment:", source, ":", external_reference);
}

std::string ChargePostingId(const std::string& tenancy_ref, Date period_start) {
  return absl::StrCat("charge:", tenancy_ref, ":rent:", period_start.ToIso());
}

Decision Decide(const TenancyLedger& s, const OpenAccount& c) {
  if (s.opened) {
    return Refusal{Refusal::Kind::kAlreadyExists, "tenancy_ref", "the account is already open"};
  }
  if (c.info.tenant_ids.empty()) return Invalid("tenant_ids", "a tenancy has at least one tenant");
  for (size_t i = 0; i < c.info.tenant_ids.size(); ++i) {
    if (c.info.tenant_ids[i].empty() || c.info.tenant_ids[i].size() > 64) {
      return Invalid(absl::StrCat("tenant_ids[", i, "]"), "must be 1 to 64 characters");
    }
  }
  if (c.info.patch.size() > 64) return Invalid("patch", "longer than 64 characters");
  if (auto r = CheckSchedule(c.schedule, c.info.start_date)) return *r;
  return Events({AccountOpened{c.info, c.schedule}});
}

Decision Decide(const TenancyLedger& s, const ChangeRentSchedule& c) {
  if (auto r = RequireCurrent(s)) return *r;
  if (auto r = CheckSchedule(c.schedule, s.info.start_date)) return *r;
  if (c.reason.empty()) return Invalid("reason", "a schedule change says why");
  return Events({RentScheduleChanged{c.schedule, c.reason}});
}

Decision Decide(const TenancyLedger& s, const PostCharges& c) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.to < c.from) return Invalid("to", "is before from");
  Date last = c.to;
  if (s.end_date.has_value() && *s.end_date < last) last = *s.end_date;
  std::vector<LedgerEvent> events;
  if (last < c.from) return events;
  auto periods = PeriodsStartingIn(s.schedule, c.from, last);
  if (!periods.ok()) return Invalid("to", std::string(periods.status().message()));
  Money balance = BalanceOf(s, AccountKind::kRent);
  for (const ChargePeriod& p : *periods) {
    if (p.rent_free || p.total == Money::Zero()) continue;
    if (s.charged_periods.count(p.start.days_since_epoch())) continue;  // charged before
    auto next = balance.CheckedAdd(p.total);
    if (!next.ok()) return Precondition("to", std::string(next.status().message()));
    balance = *next;
    ChargePosted e{p.start, p.end, p.lines, {}};
    e.posting.id = ChargePostingId(s.info.tenancy_ref, p.start);
    e.posting.kind = EntryKind::kCharge;
    e.posting.date = p.start;
    e.posting.lines.push_back({AccountRef::Tenant(s.info.tenancy_ref), p.total});
    std::map<ControlAccount, int64_t> income;
    for (const ChargeLine& line : p.lines)
      income[IncomeAccountFor(line.kind)] += line.amount.pence();
    for (const auto& [account, pence] : income) {
      if (pence != 0)
        e.posting.lines.push_back({AccountRef::Control(account), Money::FromPence(-pence)});
    }
    events.push_back(std::move(e));
  }
  return events;
}

Decision Decide(const TenancyLedger& s, const RecordPayment& c, const LedgerLimits& limits) {
  if (auto r = RequireOpen(s)) return *r;
  if (c.amount <= Money::Zero()) return Invalid("amount", "must be more than £0.00");
  if (c.amount > limits.payment_ceiling) {
    return Invalid("amount", absl::StrCat(c.amount.Format(), " is above the ceiling of ",
                                          limits.payment_ceiling.Format()));
  }
  if (c.source.empty() || c.source.size() > 128)
    return Invalid("source", "must be 1 to 128 characters");
  if (c.external_reference.empty() || c.external_reference.size() > 128) {
    return Invalid("external_reference", "must be 1 to 128 characters");
  }
  if (c.received_date < s.info.start_date) {
    return Invalid("received_date",
                   absl::StrCat(c.received_date.ToIso(), " is before the tenancy started on ",
                                s.info.start_date.ToIso()));
  }
  if (s.end_date.has_value() && c.account_kind == AccountKind::kRent) {
    return Precondition("account_kind", "the tenancy has ended: pay to FORMER_TENANT_ARREARS");
  }
  const std::string id = PaymentPostingId(c.source, c.external_reference);
  if (s.payments.count(id)) {
    return Refusal{Refusal::Kind::kAlreadyExists, "external_reference",
                   absl::StrCat("payment ", c.external_reference, " from ", c.source,
                                " was already recorded")};
  }
  if (!BalanceOf(s, c.account_kind).CheckedSub(c.amount).ok()) {
    return Precondition("amount", "the balance would overflow");
  }
  PaymentReceived e{c.method, c.source, c.external_reference, c.received_date, c.account_kind, {}};
  e.posting.id = id;
  e.posting.kind = EntryKind::kPayment;
  e.posting.date = c.received_date;
  e.posting.lines = {
      {AccountRef::Tenant(s.info.tenancy_ref, c.account_kind), c.amount.Negated().value()},
      {AccountRef::Control(ControlAccountFor(c.method)), c.amount}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const ReversePayment& c) {
  if (auto r = RequireOpen(s)) return *r;
  auto it = s.payments.find(c.original_posting_id);
  if (it == s.payments.end()) {
    return Refusal{Refusal::Kind::kNotFound, "original_posting_id",
                   absl::StrCat("no payment ", c.original_posting_id, " on this tenancy")};
  }
  if (it->second.reversed) {
    return Precondition("original_posting_id", "the payment was already reversed");
  }
  if (c.value_date < it->second.value_date) {
    return Invalid("value_date", "a reversal cannot be dated before the payment");
  }
  if (c.reason.empty()) return Invalid("reason", "a reversal says why (e.g. returned unpaid)");
  const PaymentRecord& p = it->second;
  PaymentReversed e{c.original_posting_id, c.reason, {}};
  e.posting.id = "reversal:" + c.original_posting_id;
  e.posting.kind = EntryKind::kPaymentReversal;
  e.posting.date = c.value_date;
  e.posting.reverses = c.original_posting_id;
  e.posting.lines = {{AccountRef::Tenant(s.info.tenancy_ref, p.account_kind), p.amount},
                     {AccountRef::Control(p.contra), p.amount.Negated().value()}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const TerminateTenancy& c) {
  if (auto r = RequireCurrent(s)) return *r;
  if (c.end_date < s.info.start_date) return Invalid("end_date", "is before the tenancy started");
  if (c.reason.empty()) return Invalid("reason", "a termination says why");
  TenancyTerminated e{c.end_date, c.reason, std::nullopt};
  const Money rent = BalanceOf(s, AccountKind::kRent);
  if (rent != Money::Zero()) {
    JournalEntry move;
    move.id = absl::StrCat("termination:", s.info.tenancy_ref);
    move.kind = EntryKind::kTransfer;
    move.date = c.end_date;
    move.lines = {
        {AccountRef::Tenant(s.info.tenancy_ref, AccountKind::kRent), rent.Negated().value()},
        {AccountRef::Tenant(s.info.tenancy_ref, AccountKind::kFormerTenantArrears), rent}};
    e.posting = std::move(move);
  }
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const SetBenefitAward& c) {
  if (auto r = RequireCurrent(s)) return *r;
  const BenefitAward& a = c.award;
  if (a.amount <= Money::Zero()) return Invalid("award.amount", "must be more than £0.00");
  if (a.until.has_value()) return Invalid("award.until", "end an award with EndBenefitAward");
  if (a.from < s.info.start_date) {
    return Invalid("award.from", "the award starts before the tenancy");
  }
  if (a.kind == BenefitKind::kUniversalCredit && a.frequency != Frequency::kCalendarMonthly) {
    return Invalid("award.frequency", "Universal Credit is paid calendar monthly");
  }
  RentSchedule periods{
      a.frequency, a.from, {{a.from, {{ChargeKind::kNetRent, "BEN", a.amount}}}}, {}};
  if (absl::Status st = ValidateSchedule(periods); !st.ok()) {
    return Invalid("award.from", std::string(st.message()));
  }
  if (c.reason.empty()) return Invalid("reason", "an award change says why");
  return Events({BenefitAwardChanged{a, c.reason}});
}

Decision Decide(const TenancyLedger& s, const EndBenefitAward& c) {
  if (auto r = RequireOpen(s)) return *r;
  auto it = s.awards.find(c.kind);
  if (it == s.awards.end() || it->second.until.has_value()) {
    return Refusal{Refusal::Kind::kNotFound, "kind", "no current award of this kind"};
  }
  if (c.last_day < it->second.from) return Invalid("last_day", "is before the award started");
  if (c.reason.empty()) return Invalid("reason", "ending an award says why");
  BenefitAward ended = it->second;
  ended.until = c.last_day;
  return Events({BenefitAwardChanged{ended, c.reason}});
}

namespace {

// A one-off posting between a tenant account and a control account. Its id is unique in the
// stream (the movement count), so the same decision always produces the same id.
JournalEntry OneOff(const TenancyLedger& s, absl::string_view prefix, EntryKind kind,
                    AccountKind account, ControlAccount contra, Money amount, Date date) {
  JournalEntry e;
  e.id = absl::StrCat(prefix, ":", s.info.tenancy_ref, ":", s.movements.size());
  e.kind = kind;
  e.date = date;
  e.lines = {{AccountRef::Tenant(s.info.tenancy_ref, account), amount},
             {AccountRef::Control(contra), Money::FromPence(-amount.pence())}};
  return e;
}

std::optional<Refusal> CheckAmount(Money amount, const std::string& field, Money ceiling) {
  if (amount <= Money::Zero()) return Invalid(field, "must be more than £0.00");
  if (amount > ceiling) {
    return Invalid(field,
                   absl::StrCat(amount.Format(), " is above the ceiling of ", ceiling.Format()));
  }
  return std::nullopt;
}

std::optional<Refusal> CheckDate(const TenancyLedger& s, Date d, const std::string& field) {
  if (d < s.info.start_date) {
    return Invalid(field, absl::StrCat(d.ToIso(), " is before the tenancy started on ",
                                       s.info.start_date.ToIso()));
  }
  return std::nullopt;
}

}  // namespace

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
  const std::string id = absl::StrCat("suspense:", c.source, ":", c.external_reference);
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

Decision Decide(const TenancyLedger& s, const ReleaseFromSuspense& c) {
  if (s.info.tenancy_ref != kSuspenseStream) {
    return Invalid("tenancy_ref", absl::StrCat("releases happen on ", kSuspenseStream));
  }
  auto it = s.suspended.find(c.suspended_posting_id);
  if (it == s.suspended.end()) {
    return Refusal{Refusal::Kind::kNotFound, "suspended_posting_id", "no such payment in suspense"};
  }
  if (!it->second.released_to.empty()) {
    if (it->second.released_to == c.tenancy_ref) return Events({});  // a retry of the same
    return Precondition("suspended_posting_id",
                        absl::StrCat("already allocated to ", it->second.released_to));
  }
  if (c.tenancy_ref.empty() || c.tenancy_ref == kSuspenseStream) {
    return Invalid("tenancy_ref", "name the tenancy the payment belongs to");
  }
  if (c.amount != it->second.amount) {
    return Invalid("amount", absl::StrCat("the payment held is ", it->second.amount.Format()));
  }
  if (c.value_date < it->second.received_date) {
    return Invalid("value_date", "an allocation cannot be dated before the payment");
  }
  SuspenseReleased e{c.suspended_posting_id, c.tenancy_ref, {}};
  e.posting.id = "release:" + c.suspended_posting_id;
  e.posting.kind = EntryKind::kSuspenseAllocation;
  e.posting.date = c.value_date;
  e.posting.lines = {{AccountRef::Control(ControlAccount::kSuspense), it->second.amount},
                     {AccountRef::Control(ControlAccount::kTransfers),
                      Money::FromPence(-it->second.amount.pence())}};
  return Events({std::move(e)});
}

Decision Decide(const TenancyLedger& s, const ReceiveFromSuspense& c) {
  if (auto r = RequireOpen(s)) return *r;
  if (s.received_from_suspense.count(c.suspended_posting_id)) return Events({});  // a retry
  if (c.amount <= Money::Zero()) return Invalid("amount", "must be more than £0.00");
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

namespace {

// An award converted to the rent's period: through its weekly equivalent (monthly × 12 / 52),
// rounded half up to the penny.
int64_t AwardPerRentPeriod(const BenefitAward& award, Frequency rent) {
  auto weeks_num = [](Frequency f) -> std::pair<int64_t, int64_t> {
    switch (f) {
      case Frequency::kWeekly:
        return {1, 1};
      case Frequency::kFortnightly:
        return {2, 1};
      case Frequency::kFourWeekly:
        return {4, 1};
      case Frequency::kCalendarMonthly:
        return {52, 12};
    }
    return {1, 1};
  };
  const auto [award_num, award_den] = weeks_num(award.frequency);
  const auto [rent_num, rent_den] = weeks_num(rent);
  // amount / (award weeks) × (rent weeks)
  const __int128 num = static_cast<__int128>(award.amount.pence()) * award_den * rent_num;
  const __int128 den = static_cast<__int128>(award_num) * rent_den;
  return static_cast<int64_t>((num + den / 2) / den);
}

}  // namespace

std::optional<Date> NextChargeDue(const TenancyLedger& s) {
  if (!s.opened) return std::nullopt;
  const Date from = s.charged_periods.empty()
                        ? s.schedule.anchor
                        : Date::FromDaysSinceEpoch(*s.charged_periods.rbegin()).AddDays(1);
  Date to = from.AddDays(366);
  if (s.end_date.has_value() && *s.end_date < to) to = *s.end_date;
  if (to < from) return std::nullopt;
  auto periods = PeriodsStartingIn(s.schedule, from, to);
  if (!periods.ok()) return std::nullopt;
  for (const ChargePeriod& p : *periods) {
    if (!p.rent_free && p.total > Money::Zero() &&
        !s.charged_periods.count(p.start.days_since_epoch())) {
      return p.start;
    }
  }
  return std::nullopt;
}

absl::StatusOr<Statement> BuildStatement(const TenancyLedger& s, AccountKind kind, Date from,
                                         Date to) {
  if (to < from) return absl::InvalidArgumentError("to: is before from");
  if (core::DaysBetween(from, to) > kMaxStatementDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("to: a statement covers at most ", kMaxStatementDays, " days"));
  }
  Statement out;
  out.tenancy_ref = s.info.tenancy_ref;
  out.account_kind = kind;
  out.from = from;
  out.to = to;
  std::vector<const AccountMovement*> in_range;
  int64_t opening = 0;
  for (const AccountMovement& m : s.movements) {
    if (m.account_kind != kind) continue;
    if (m.value_date < from) {
      opening += m.amount.pence();
    } else if (m.value_date <= to) {
      in_range.push_back(&m);
    }
  }
  // By value date; postings of one day in the order they were recorded.
  std::stable_sort(in_range.begin(), in_range.end(),
                   [](const AccountMovement* a, const AccountMovement* b) {
                     return a->value_date < b->value_date;
                   });
  out.opening_balance = Money::FromPence(opening);
  int64_t running = opening;
  for (const AccountMovement* m : in_range) {
    running += m->amount.pence();
    StatementLine line{m->value_date, m->description, Money::Zero(), Money::Zero(),
                       Money::FromPence(running)};
    if (m->amount.is_negative()) {
      line.credit = Money::FromPence(-m->amount.pence());
    } else {
      line.debit = m->amount;
    }
    out.lines.push_back(std::move(line));
  }
  out.closing_balance = Money::FromPence(running);
  return out;
}

ArrearsPosition ArrearsAsOf(const TenancyLedger& s, Date as_of) {
  ArrearsPosition p;
  p.balance = BalanceAsOf(s, AccountKind::kRent, as_of);
  // Benefit accrues with the rent it pays for: for each rent charge whose period began within
  // an award, the award converted to that rent period (capped at the charge) is owed by the
  // benefit, not the tenant, until the benefit payment arrives.
  int64_t accrued = 0;
  for (const AccountMovement& m : s.movements) {
    if (m.account_kind != AccountKind::kRent || m.value_date > as_of ||
        m.posting_id.rfind("charge:", 0) != 0) {
      continue;
    }
    int64_t covered = 0;
    for (const auto& [kind, award] : s.awards) {
      if (m.value_date < award.from || (award.until && m.value_date > *award.until)) continue;
      covered += AwardPerRentPeriod(award, s.schedule.frequency);
    }
    accrued += std::min(covered, m.amount.pence());
  }
  int64_t received = 0;
  for (const auto& [id, payment] : s.payments) {
    const bool benefit = payment.contra == ControlAccount::kHousingBenefit ||
                         payment.contra == ControlAccount::kUniversalCredit;
    if (benefit && payment.account_kind == AccountKind::kRent && payment.value_date <= as_of) {
      received += payment.amount.pence();
    }
  }
  // Reversed benefit payments count as not received from the reversal's value date.
  for (const AccountMovement& m : s.movements) {
    if (m.posting_id.rfind("reversal:", 0) != 0 || m.value_date > as_of) continue;
    auto it = s.payments.find(m.posting_id.substr(9));
    if (it == s.payments.end()) continue;
    if (it->second.contra == ControlAccount::kHousingBenefit ||
        it->second.contra == ControlAccount::kUniversalCredit) {
      received -= it->second.amount.pence();
    }
  }
  p.benefit_accrued = Money::FromPence(accrued);
  p.benefit_received = Money::FromPence(received);
  p.benefit_expected = Money::FromPence(std::max<int64_t>(0, accrued - received));
  p.tenant_owed =
      Money::FromPence(std::max<int64_t>(0, p.balance.pence() - p.benefit_expected.pence()));
  return p;
}

namespace {

std::string UkDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day(), d.month(), d.year());
  return buf;
}

absl::string_view MethodWords(PaymentMethod m) {
  switch (m) {
    case PaymentMethod::kDirectDebit:
      return "direct debit";
    case PaymentMethod::kStandingOrder:
      return "standing order";
    case PaymentMethod::kCard:
      return "card";
    case PaymentMethod::kCash:
      return "cash";
    case PaymentMethod::kBankTransfer:
      return "bank transfer";
    case PaymentMethod::kHousingBenefit:
      return "Housing Benefit";
    case PaymentMethod::kUcManagedPayment:
      return "Universal Credit";
    case PaymentMethod::kDwpDeduction:
      return "DWP deduction";
  }
  return "payment";
}

void ApplyPosting(TenancyLedger& s, const JournalEntry& posting, const std::string& description) {
  for (const JournalLine& line : posting.lines) {
    if (line.account.is_control || line.account.tenancy != s.info.tenancy_ref) continue;
    Money& balance = s.balances[line.account.kind];
    balance = Money::FromPence(balance.pence() + line.amount.pence());  // checked when decided
    s.movements.push_back({posting.date, line.account.kind, line.amount, posting.id, description});
  }
}

}  // namespace

void Evolve(TenancyLedger& s, const LedgerEvent& event) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, AccountOpened>) {
          s.opened = true;
          s.info = e.info;
          s.schedule = e.schedule;
        } else if constexpr (std::is_same_v<T, RentScheduleChanged>) {
          s.schedule = e.schedule;
        } else if constexpr (std::is_same_v<T, ChargePosted>) {
          s.charged_periods.insert(e.period_start.days_since_epoch());
          ApplyPosting(s, e.posting,
                       absl::StrCat("Rent ", UkDate(e.period_start), " to ", UkDate(e.period_end)));
        } else if constexpr (std::is_same_v<T, PaymentReceived>) {
          const JournalLine& contra = e.posting.lines.back();
          s.payments[e.posting.id] = {contra.amount, e.account_kind, contra.account.control,
                                      e.posting.date, false};
          ApplyPosting(
              s, e.posting,
              absl::StrCat("Payment, ", MethodWords(e.method), " (", e.external_reference, ")"));
        } else if constexpr (std::is_same_v<T, PaymentReversed>) {
          s.payments[e.original_posting_id].reversed = true;
          ApplyPosting(s, e.posting, absl::StrCat("Payment returned: ", e.reason));
        } else if constexpr (std::is_same_v<T, TenancyTerminated>) {
          s.end_date = e.end_date;
          if (e.posting.has_value()) {
            ApplyPosting(s, *e.posting, "Tenancy ended: balance moved to former tenant account");
          }
        } else if constexpr (std::is_same_v<T, BenefitAwardChanged>) {
          s.awards[e.award.kind] = e.award;
        } else if constexpr (std::is_same_v<T, PostingMade>) {
          if (e.kind == PostingMade::Kind::kWriteOff) {
            s.pending_write_offs.erase(e.request_id);
            s.closed_write_offs.insert(e.request_id);
          }
          std::string what;
          switch (e.kind) {
            case PostingMade::Kind::kRefund:
              what = absl::StrCat("Refund: ", e.description);
              break;
            case PostingMade::Kind::kAdjustment:
              what = absl::StrCat("Adjustment (", e.code, "): ", e.description);
              break;
            case PostingMade::Kind::kSundryCharge:
              what = absl::StrCat("Charge (", e.code, "): ", e.description);
              break;
            case PostingMade::Kind::kWriteOff:
              what = absl::StrCat("Written off (", e.code, ")");
              break;
          }
          ApplyPosting(s, e.posting, what);
        } else if constexpr (std::is_same_v<T, WriteOffRequested>) {
          s.pending_write_offs[e.request_id] = e;
        } else if constexpr (std::is_same_v<T, WriteOffRejected>) {
          s.pending_write_offs.erase(e.request_id);
          s.closed_write_offs.insert(e.request_id);
        } else if constexpr (std::is_same_v<T, PaymentSuspended>) {
          s.suspended[e.posting.id] = {e.posting.lines[0].amount, e.received_date, ""};
        } else if constexpr (std::is_same_v<T, SuspenseReleased>) {
          s.suspended[e.suspended_posting_id].released_to = e.tenancy_ref;
        } else if constexpr (std::is_same_v<T, SuspenseAllocated>) {
          s.received_from_suspense.insert(e.suspended_posting_id);
          ApplyPosting(s, e.posting, "Payment allocated from suspense");
        }
      },
      event);
}

Money BalanceAsOf(const TenancyLedger& s, AccountKind kind, Date as_of) {
  int64_t pence = 0;
  for (const AccountMovement& m : s.movements) {
    if (m.account_kind == kind && m.value_date <= as_of) pence += m.amount.pence();
  }
  return Money::FromPence(pence);
}

}  // namespace rentstream::ledger
