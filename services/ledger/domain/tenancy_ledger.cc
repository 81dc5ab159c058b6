#include "services/ledger/domain/tenancy_ledger.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/strings/str_cat.h"
#include "services/ledger/domain/decision_support.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

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

std::string SuspendedPostingId(const std::string& source, const std::string& external_reference) {
  return absl::StrCat("suspense:", source, ":", external_reference);
}

std::optional<std::string> PaymentPostingIdOfHeld(const std::string& suspended_posting_id) {
  constexpr std::string_view kHeld = "suspense:";
  if (suspended_posting_id.rfind(kHeld, 0) != 0) return std::nullopt;
  return "payment:" + suspended_posting_id.substr(kHeld.size());
}

std::string ChargePostingId(const std::string& tenancy_ref, Date period_start) {
  return absl::StrCat("charge:", tenancy_ref, ":rent:", period_start.ToIso());
}

Decision Decide(const TenancyLedger& s, const OpenAccount& c) {
  if (s.opened) {
    return Refusal{Refusal::Kind::kAlreadyExists, "tenancy_ref", "the account is already open"};
  }
  if (c.info.tenancy_ref == kSuspenseStream) {
    return Invalid("tenancy_ref", absl::StrCat(kSuspenseStream, " is reserved for suspense"));
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
    if (s.charged_periods.contains(p.start.days_since_epoch())) continue;  // charged before
    ChargePeriod charged = ChargedUpToEnd(p, s.end_date);
    auto next = balance.CheckedAdd(charged.total);
    if (!next.ok()) return Precondition("to", std::string(next.status().message()));
    balance = *next;
    ChargePosted e{charged.start, charged.end, charged.lines, {}, {}, {}, {}};
    auto weekly = WeeklyGrossRentOn(s.schedule, p.start);
    e.weekly_gross_rent = weekly.ok() ? *weekly : Money::Zero();
    const BenefitCover cover = BenefitCoverOf(s, p.start, charged.total);
    e.benefit_covered = cover.covered;
    e.universal_credit_covered = cover.universal_credit;
    e.posting.id = ChargePostingId(s.info.tenancy_ref, p.start);
    e.posting.kind = EntryKind::kCharge;
    e.posting.date = p.start;
    e.posting.lines.push_back({AccountRef::Tenant(s.info.tenancy_ref), charged.total});
    std::map<ControlAccount, int64_t> income;
    for (const ChargeLine& line : charged.lines)
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
  // Held in suspense first and allocated to this account since: the same payment.
  if (!s.received_from_suspense.empty() &&
      s.received_from_suspense.count(SuspendedPostingId(c.source, c.external_reference))) {
    return Refusal{Refusal::Kind::kAlreadyExists, "external_reference",
                   absl::StrCat("payment ", c.external_reference, " from ", c.source,
                                " was already received on this account from suspense")};
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
  if (it->second.transferred != Money::Zero()) {
    return Precondition("original_posting_id",
                        absl::StrCat(it->second.transferred.Format(),
                                     " of the payment was transferred to another tenancy"));
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

}  // namespace

void internal::ApplyPosting(TenancyLedger& s, const JournalEntry& posting,
                            const std::string& description) {
  for (const JournalLine& line : posting.lines) {
    if (line.account.is_control || line.account.tenancy != s.info.tenancy_ref) continue;
    Money& balance = s.balances[line.account.kind];
    balance = Money::FromPence(balance.pence() + line.amount.pence());  // checked when decided
    s.movements.push_back({posting.date, line.account.kind, line.amount, posting.id, description});
  }
}

void Evolve(TenancyLedger& s, const LedgerEvent& event) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, AccountOpened>) {
          s.opened = true;
          s.info = e.info;
          s.schedule = e.schedule;
          ++s.schedule_changes;
        } else if constexpr (std::is_same_v<T, RentScheduleChanged>) {
          s.schedule = e.schedule;
          ++s.schedule_changes;
        } else if constexpr (std::is_same_v<T, ChargePosted>) {
          s.charged_periods.insert(e.period_start.days_since_epoch());
          s.charged_lines.Set(e.period_start.days_since_epoch(), e.lines);
          ApplyPosting(s, e.posting,
                       absl::StrCat("Rent ", UkDate(e.period_start), " to ", UkDate(e.period_end)));
        } else if constexpr (std::is_same_v<T, PaymentReceived>) {
          const JournalLine& contra = e.posting.lines.back();
          s.payments[e.posting.id] = {contra.amount,  e.account_kind, contra.account.control,
                                      e.posting.date, false,          Money::Zero()};
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
          s.suspended[e.posting.id] = {
              e.posting.lines[0].amount, e.received_date, "", e.method, false, e.raw_reference};
        } else if constexpr (std::is_same_v<T, SuspenseReleased>) {
          s.suspended[e.suspended_posting_id].released_to = e.tenancy_ref;
        } else if constexpr (std::is_same_v<T, HeldPaymentReversed>) {
          s.suspended[e.suspended_posting_id].reversed = true;
        } else if constexpr (std::is_same_v<T, ChargeCredited>) {
          s.charged_lines.Erase(e.period_start.days_since_epoch());
          ApplyPosting(s, e.posting, absl::StrCat("Rent credited: ", e.reason));
        } else if constexpr (std::is_same_v<T, SuspenseAllocated>) {
          s.received_from_suspense.insert(e.suspended_posting_id);
          ApplyPosting(s, e.posting, "Payment allocated from suspense");
        } else if constexpr (std::is_same_v<T, TransferredOut> ||
                             std::is_same_v<T, TransferredIn>) {
          EvolveTransfer(s, e);
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
