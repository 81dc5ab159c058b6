// Termination: rent periods charged in advance past the end date are credited back — whole when
// they start after it, pro rata for the days after it when the end date splits the period — then
// the rent balance moves to former-tenant arrears.
#include <map>

#include "absl/strings/str_cat.h"
#include "services/ledger/domain/decision_support.h"
#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

Money ProRataCredit(Money line, int64_t days_after, int64_t days_in_period) {
  if (days_in_period <= 0 || days_after <= 0) return Money::Zero();
  if (days_after >= days_in_period) return line;
  const __int128 num = static_cast<__int128>(line.pence()) * days_after;
  return Money::FromPence(static_cast<int64_t>((num + days_in_period - 1) / days_in_period));
}

namespace internal {

ChargePeriod ChargedUpToEnd(const ChargePeriod& p, const std::optional<Date>& end_date) {
  if (!end_date.has_value() || !(p.start <= *end_date) || !(*end_date < p.end)) return p;
  const int64_t days_in_period = core::DaysBetween(p.start, p.end) + 1;
  const int64_t days_after = core::DaysBetween(*end_date, p.end);
  ChargePeriod out = p;
  out.end = *end_date;
  int64_t total = 0;
  for (ChargeLine& line : out.lines) {
    line.amount = Money::FromPence(line.amount.pence() -
                                   ProRataCredit(line.amount, days_after, days_in_period).pence());
    total += line.amount.pence();
  }
  out.total = Money::FromPence(total);
  return out;
}

}  // namespace internal

namespace {

// Credits `lines` (charged for the period from `start`) back: each line's pro-rata part for
// `days` of `days_in_period` (all of it when equal). Nothing when it comes to zero.
std::optional<ChargeCredited> Credit(const TenancyLedger& s, Date start, Date end,
                                     const std::vector<ChargeLine>& lines, int64_t days,
                                     int64_t days_in_period, Date value_date) {
  ChargeCredited credit{
      start, "", {}, end, static_cast<int32_t>(days), static_cast<int32_t>(days_in_period)};
  credit.reason = days == days_in_period
                      ? "rent period after the tenancy ended"
                      : absl::StrCat(days, " of ", days_in_period,
                                     " days of the rent period after the tenancy ended");
  credit.posting.id = absl::StrCat("credit:", ChargePostingId(s.info.tenancy_ref, start));
  credit.posting.kind = EntryKind::kAdjustment;
  credit.posting.date = value_date;
  std::map<ControlAccount, int64_t> income;
  int64_t total = 0;
  for (const ChargeLine& line : lines) {
    const int64_t pence = ProRataCredit(line.amount, days, days_in_period).pence();
    income[IncomeAccountFor(line.kind)] += pence;
    total += pence;
  }
  if (total == 0) return std::nullopt;
  credit.posting.lines.push_back(
      {AccountRef::Tenant(s.info.tenancy_ref), Money::FromPence(-total)});
  for (const auto& [account, pence] : income) {
    if (pence != 0) {
      credit.posting.lines.push_back({AccountRef::Control(account), Money::FromPence(pence)});
    }
  }
  return credit;
}

// The charged period the end date falls inside (not on its last day), with its end.
std::optional<ChargePeriod> SplitPeriod(const TenancyLedger& s, Date end_date) {
  auto charged = s.charged_lines.LastOnOrBefore(end_date.days_since_epoch());
  if (!charged.has_value()) return std::nullopt;
  const Date start = Date::FromDaysSinceEpoch(charged->day);
  auto periods = PeriodsStartingIn(s.schedule, start, start);
  if (!periods.ok() || periods->size() != 1 || (*periods)[0].start != start) return std::nullopt;
  if (!(end_date < (*periods)[0].end)) return std::nullopt;
  ChargePeriod p = (*periods)[0];
  p.lines = *charged->lines;  // what was charged, not today's rate
  return p;
}

}  // namespace

Decision Decide(const TenancyLedger& s, const TerminateTenancy& c) {
  if (auto r = RequireCurrent(s)) return *r;
  if (c.end_date < s.info.start_date) return Invalid("end_date", "is before the tenancy started");
  if (c.reason.empty()) return Invalid("reason", "a termination says why");
  std::vector<LedgerEvent> events;
  int64_t credited = 0;
  auto add = [&](std::optional<ChargeCredited> credit) {
    if (!credit.has_value()) return;
    credited -= credit->posting.lines[0].amount.pence();
    events.push_back(std::move(*credit));
  };
  // The period the end date splits: the days after the end date, pro rata.
  if (auto split = SplitPeriod(s, c.end_date)) {
    add(Credit(s, split->start, split->end, split->lines, core::DaysBetween(c.end_date, split->end),
               core::DaysBetween(split->start, split->end) + 1, c.end_date));
  }
  // Periods charged in advance that start after the end date, whole.
  for (const ChargedLines::Period& charged : s.charged_lines.After(c.end_date.days_since_epoch())) {
    const Date start = Date::FromDaysSinceEpoch(charged.day);
    auto periods = PeriodsStartingIn(s.schedule, start, start);
    const Date end = periods.ok() && periods->size() == 1 ? (*periods)[0].end : start;
    const int64_t days = core::DaysBetween(start, end) + 1;
    add(Credit(s, start, end, *charged.lines, days, days, c.end_date));
  }
  TenancyTerminated e{c.end_date, c.reason, std::nullopt};
  const Money rent = Money::FromPence(BalanceOf(s, AccountKind::kRent).pence() - credited);
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
  events.push_back(std::move(e));
  return events;
}

}  // namespace rentstream::ledger
