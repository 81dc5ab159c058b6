#include <gtest/gtest.h>

#include "services/ledger/domain/tenancy_ledger.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
Money P(int64_t pence) { return Money::FromPence(pence); }

TenancyLedger Opened(Frequency frequency, Date anchor, std::vector<ChargeLine> lines) {
  OpenAccount c;
  c.info.tenancy_ref = "HA-000123";
  c.info.tenant_ids = {"person-1"};
  c.info.start_date = anchor;
  c.schedule.frequency = frequency;
  c.schedule.anchor = anchor;
  c.schedule.rates = {{anchor, std::move(lines)}};
  TenancyLedger s;
  const Decision opened = Decide(s, c);
  for (const LedgerEvent& e : std::get<std::vector<LedgerEvent>>(opened)) Evolve(s, e);
  return s;
}

std::vector<LedgerEvent> Decided(TenancyLedger& s, JournalBook& book, const Decision& d) {
  EXPECT_FALSE(std::holds_alternative<Refusal>(d));
  if (std::holds_alternative<Refusal>(d)) return {};
  auto events = std::get<std::vector<LedgerEvent>>(d);
  for (const LedgerEvent& e : events) {
    Evolve(s, e);
    std::visit(
        [&](const auto& ev) {
          if constexpr (std::is_same_v<std::decay_t<decltype(ev)>, TenancyTerminated>) {
            if (ev.posting) {
              EXPECT_TRUE(book.Post(*ev.posting).ok());
            }
          } else if constexpr (requires { ev.posting.lines; }) {
            EXPECT_TRUE(book.Post(ev.posting).ok()) << ev.posting.id;
          }
        },
        e);
  }
  return events;
}

TEST(ProRataTest, CreditRoundsUpToThePennyInTheTenantsFavour) {
  EXPECT_EQ(ProRataCredit(P(700), 3, 7), P(300));
  EXPECT_EQ(ProRataCredit(P(1000), 1, 7), P(143));  // 142.86
  EXPECT_EQ(ProRataCredit(P(10000), 4, 7), P(5715));
  EXPECT_EQ(ProRataCredit(P(20000), 5, 14), P(7143));
  EXPECT_EQ(ProRataCredit(P(40000), 27, 28), P(38572));
  EXPECT_EQ(ProRataCredit(P(50000), 20, 30), P(33334));
  EXPECT_EQ(ProRataCredit(P(1000), 0, 7), Money::Zero());
  EXPECT_EQ(ProRataCredit(P(1000), 7, 7), P(1000));
}

TEST(ProRataTest, TheWeekTheEndDateSplitsIsCreditedForTheDaysAfterIt) {
  TenancyLedger s = Opened(
      Frequency::kWeekly, D(2026, 4, 6),
      {{ChargeKind::kNetRent, "RNT", P(10000)}, {ChargeKind::kServiceCharge, "HTG", P(1050)}});
  JournalBook book;
  Decided(s, book, Decide(s, PostCharges{D(2026, 4, 6), D(2026, 6, 14)}));  // 10 weeks
  // Ends Wednesday 3 June: Thursday to Sunday (4 of 7 days) of the week of 1 June credited.
  auto events = Decided(s, book, Decide(s, TerminateTenancy{D(2026, 6, 3), "moved out"}));
  ASSERT_EQ(events.size(), 3u);
  const auto& split = std::get<ChargeCredited>(events[0]);
  EXPECT_EQ(split.period_start, D(2026, 6, 1));
  EXPECT_EQ(split.period_end, D(2026, 6, 7));
  EXPECT_EQ(split.days_credited, 4);
  EXPECT_EQ(split.days_in_period, 7);
  EXPECT_EQ(split.posting.lines[0].amount, P(-(5715 + 600)));
  EXPECT_EQ(split.reason, "4 of 7 days of the rent period after the tenancy ended");
  const auto& whole = std::get<ChargeCredited>(events[1]);
  EXPECT_EQ(whole.period_start, D(2026, 6, 8));
  EXPECT_EQ(whole.days_credited, 7);
  EXPECT_EQ(s.balances[AccountKind::kRent], Money::Zero());
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(9 * 11050 - 6315));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  // Terminating again is refused: the credit is made once.
  EXPECT_TRUE(
      std::holds_alternative<Refusal>(Decide(s, TerminateTenancy{D(2026, 6, 3), "moved out"})));
}

TEST(ProRataTest, TheCalendarMonthUsesItsOwnNumberOfDays) {
  TenancyLedger s =
      Opened(Frequency::kCalendarMonthly, D(2026, 5, 1), {{ChargeKind::kNetRent, "RNT", P(50000)}});
  JournalBook book;
  Decided(s, book, Decide(s, PostCharges{D(2026, 5, 1), D(2026, 6, 1)}));
  auto events = Decided(s, book, Decide(s, TerminateTenancy{D(2026, 6, 10), "moved out"}));
  ASSERT_EQ(events.size(), 2u);
  const auto& split = std::get<ChargeCredited>(events[0]);
  EXPECT_EQ(split.days_credited, 20);
  EXPECT_EQ(split.days_in_period, 30);
  EXPECT_EQ(split.posting.lines[0].amount, P(-33334));
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(100000 - 33334));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

TEST(ProRataTest, FourWeeklyAndEndingOnThePeriodsLastDay) {
  TenancyLedger s =
      Opened(Frequency::kFourWeekly, D(2026, 4, 6), {{ChargeKind::kNetRent, "RNT", P(40000)}});
  JournalBook book;
  Decided(s, book, Decide(s, PostCharges{D(2026, 4, 6), D(2026, 5, 4)}));  // 6 Apr and 4 May
  // Ends Sunday 3 May, the first period's last day: nothing of it is credited, the next is.
  auto events = Decided(s, book, Decide(s, TerminateTenancy{D(2026, 5, 3), "moved out"}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<ChargeCredited>(events[0]).period_start, D(2026, 5, 4));
  EXPECT_EQ(std::get<ChargeCredited>(events[0]).days_in_period, 28);
  EXPECT_EQ(s.balances[AccountKind::kFormerTenantArrears], P(40000));
}

TEST(ProRataTest, APeriodChargedAfterTheEndIsChargedOnlyUpToTheEndDate) {
  TenancyLedger s =
      Opened(Frequency::kFortnightly, D(2026, 4, 6), {{ChargeKind::kNetRent, "RNT", P(20000)}});
  JournalBook book;
  Decided(s, book, Decide(s, TerminateTenancy{D(2026, 4, 10), "died"}));  // before any charge run
  auto events = Decided(s, book, Decide(s, PostCharges{D(2026, 4, 6), D(2026, 5, 31)}));
  ASSERT_EQ(events.size(), 1u);
  const auto& charge = std::get<ChargePosted>(events[0]);
  EXPECT_EQ(charge.period_end, D(2026, 4, 10));
  EXPECT_EQ(charge.posting.lines[0].amount, P(20000 - 12858));  // less 9 of 14 days, rounded up
  EXPECT_TRUE(
      std::get<std::vector<LedgerEvent>>(Decide(s, PostCharges{D(2026, 4, 6), D(2026, 5, 31)}))
          .empty());
}

}  // namespace
}  // namespace rentstream::ledger
