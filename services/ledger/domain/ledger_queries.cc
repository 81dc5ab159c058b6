// Queries over a tenancy's ledger: the next charge due, arrears split into benefit expected and
// tenant owed, and statements.
#include "services/ledger/domain/tenancy_ledger.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/ledger/domain/decision_support.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

namespace internal {

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

BenefitCover BenefitCoverOf(const TenancyLedger& s, Date start, Money charge) {
  int64_t covered = 0;
  int64_t universal_credit = 0;
  for (const auto& [kind, award] : s.awards) {
    if (start < award.from || (award.until && start > *award.until)) continue;
    const int64_t per_period = AwardPerRentPeriod(award, s.schedule.frequency);
    covered += per_period;
    if (kind == BenefitKind::kUniversalCredit) universal_credit += per_period;
  }
  covered = std::max<int64_t>(0, std::min(covered, charge.pence()));
  return {Money::FromPence(covered), Money::FromPence(std::min(universal_credit, covered))};
}

}  // namespace internal

std::optional<Date> NextChargeDue(const TenancyLedger& s) {
  if (!s.opened) return std::nullopt;
  const Date from = s.charged_periods.empty()
                        ? s.schedule.anchor
                        : Date::FromDaysSinceEpoch(s.charged_periods.last()).AddDays(1);
  Date limit = from.AddDays(366);
  if (s.end_date.has_value() && *s.end_date < limit) limit = *s.end_date;
  // Asked after most events (not payments): look a few weeks ahead first, the whole year only
  // when those are all free or charged.
  for (int window : {35, 366}) {
    const Date to = std::min(limit, from.AddDays(window));
    if (to < from) return std::nullopt;
    auto periods = PeriodsStartingIn(s.schedule, from, to);
    if (!periods.ok()) return std::nullopt;
    for (const ChargePeriod& p : *periods) {
      if (!p.rent_free && p.total > Money::Zero() &&
          !s.charged_periods.contains(p.start.days_since_epoch())) {
        return p.start;
      }
    }
    if (to == limit) break;
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
    accrued += BenefitCoverOf(s, m.value_date, m.amount).covered.pence();
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

void KpiAccumulator::Add(const TenancyLedger& s) {
  if (!s.opened || s.info.start_date > as_of_) return;
  const Date year_ago = as_of_.AddDays(-364);
  int64_t charged = 0, collected = 0, written_off = 0;
  for (const AccountMovement& m : s.movements) {
    if (m.value_date > as_of_ || m.value_date < year_ago) continue;
    const absl::string_view id = m.posting_id;
    if (absl::StartsWith(id, "charge:")) charged += m.amount.pence();
    // Payments net of reversals; a misallocated payment counts where it was transferred to.
    if (absl::StartsWith(id, "payment:") || absl::StartsWith(id, "allocation:") ||
        absl::StartsWith(id, "reversal:") || absl::StartsWith(id, "transfer-")) {
      collected -= m.amount.pence();
    }
    if (absl::StartsWith(id, "write-off:")) written_off -= m.amount.pence();
  }
  k_.charged_52_weeks = Money::FromPence(k_.charged_52_weeks.pence() + charged);
  k_.collected_52_weeks = Money::FromPence(k_.collected_52_weeks.pence() + collected);
  k_.written_off_52_weeks = Money::FromPence(k_.written_off_52_weeks.pence() + written_off);
  const int64_t former = BalanceAsOf(s, AccountKind::kFormerTenantArrears, as_of_).pence();
  if (former > 0) {
    k_.former_tenant_arrears = Money::FromPence(k_.former_tenant_arrears.pence() + former);
  }
  if (s.end_date.has_value() && *s.end_date < as_of_) return;  // not a current tenancy
  ++k_.accounts;
  const ArrearsPosition p = ArrearsAsOf(s, as_of_);
  k_.current_arrears = Money::FromPence(k_.current_arrears.pence() + p.tenant_owed.pence());
  k_.benefit_expected = Money::FromPence(k_.benefit_expected.pence() + p.benefit_expected.pence());
  auto weekly = WeeklyGrossRentOn(s.schedule, std::max(as_of_, s.schedule.anchor));
  const int64_t week = weekly.ok() ? weekly->pence() : 0;
  k_.annual_rent_debit = Money::FromPence(k_.annual_rent_debit.pence() + 52 * week);
  if (p.tenant_owed <= Money::Zero()) return;
  ++k_.in_arrears;
  const double weeks = week > 0 ? static_cast<double>(p.tenant_owed.pence()) / week : 1e9;
  if (weeks > 7) ++k_.over_seven_weeks;
  const size_t bucket = weeks <= 4 ? 0 : weeks <= 8 ? 1 : weeks <= 13 ? 2 : 3;
  ++k_.aged_accounts[bucket];
  k_.aged_amount[bucket] = Money::FromPence(k_.aged_amount[bucket].pence() + p.tenant_owed.pence());
}

void KpiAccumulator::Merge(const LedgerKpis& part) {
  const auto add = [](Money& to, Money more) { to = Money::FromPence(to.pence() + more.pence()); };
  k_.accounts += part.accounts;
  k_.in_arrears += part.in_arrears;
  k_.over_seven_weeks += part.over_seven_weeks;
  add(k_.current_arrears, part.current_arrears);
  add(k_.benefit_expected, part.benefit_expected);
  add(k_.annual_rent_debit, part.annual_rent_debit);
  add(k_.charged_52_weeks, part.charged_52_weeks);
  add(k_.collected_52_weeks, part.collected_52_weeks);
  add(k_.former_tenant_arrears, part.former_tenant_arrears);
  add(k_.written_off_52_weeks, part.written_off_52_weeks);
  for (size_t i = 0; i < k_.aged_accounts.size(); ++i) {
    k_.aged_accounts[i] += part.aged_accounts[i];
    add(k_.aged_amount[i], part.aged_amount[i]);
  }
}

LedgerKpis KpiAccumulator::Result() const {
  LedgerKpis out = k_;
  if (out.annual_rent_debit > Money::Zero()) {
    out.arrears_percent_of_debit = 100.0 * static_cast<double>(out.current_arrears.pence()) /
                                   static_cast<double>(out.annual_rent_debit.pence());
  }
  if (out.charged_52_weeks > Money::Zero()) {
    out.collection_rate_percent = 100.0 * static_cast<double>(out.collected_52_weeks.pence()) /
                                  static_cast<double>(out.charged_52_weeks.pence());
  }
  return out;
}

}  // namespace rentstream::ledger
