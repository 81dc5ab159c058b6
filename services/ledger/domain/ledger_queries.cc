// Queries over a tenancy's ledger: the next charge due, arrears split into benefit expected and
// tenant owed, and statements.
#include "services/ledger/domain/tenancy_ledger.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "absl/strings/str_cat.h"
#include "services/ledger/domain/decision_support.h"

namespace rentstream::ledger {

using namespace internal;  // NOLINT: the domain's own decision helpers

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
  Date limit = from.AddDays(366);
  if (s.end_date.has_value() && *s.end_date < limit) limit = *s.end_date;
  // Asked after every event: look a few weeks ahead first, the whole year only when those are
  // all free or charged.
  for (int window : {35, 366}) {
    const Date to = std::min(limit, from.AddDays(window));
    if (to < from) return std::nullopt;
    auto periods = PeriodsStartingIn(s.schedule, from, to);
    if (!periods.ok()) return std::nullopt;
    for (const ChargePeriod& p : *periods) {
      if (!p.rent_free && p.total > Money::Zero() &&
          !s.charged_periods.count(p.start.days_since_epoch())) {
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

}  // namespace rentstream::ledger
