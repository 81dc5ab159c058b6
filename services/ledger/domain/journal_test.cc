#include "services/ledger/domain/journal.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "absl/strings/match.h"

namespace rentstream::ledger {
namespace {

using core::Date;
using core::Money;

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }
Money P(int64_t pence) { return Money::FromPence(pence); }

const AccountRef kTenant = AccountRef::Tenant("HA-000123");
const AccountRef kIncome = AccountRef::Control(ControlAccount::kRentIncome);
const AccountRef kBank = AccountRef::Control(ControlAccount::kBank);
const AccountRef kSuspense = AccountRef::Control(ControlAccount::kSuspense);

JournalEntry Charge(const std::string& id, Date date, int64_t pence) {
  return {id, EntryKind::kCharge, date, {{kTenant, P(pence)}, {kIncome, P(-pence)}}, ""};
}
JournalEntry Payment(const std::string& id, Date date, int64_t pence) {
  return {id, EntryKind::kPayment, date, {{kTenant, P(-pence)}, {kBank, P(pence)}}, ""};
}

TEST(JournalTest, ChargesAndPaymentsMoveTheTenantBalanceAndBalanceTheBook) {
  JournalBook book;
  ASSERT_TRUE(book.Post(Charge("c1", D(2026, 4, 6), 11050)).ok());
  ASSERT_TRUE(book.Post(Charge("c2", D(2026, 4, 13), 11050)).ok());
  ASSERT_TRUE(book.Post(Payment("p1", D(2026, 4, 10), 10000)).ok());
  EXPECT_EQ(book.Balance(kTenant), P(12100));
  EXPECT_EQ(*book.BalanceAsOf(kTenant, D(2026, 4, 5)), P(0));
  EXPECT_EQ(*book.BalanceAsOf(kTenant, D(2026, 4, 9)), P(11050));
  EXPECT_EQ(*book.BalanceAsOf(kTenant, D(2026, 4, 12)), P(1050));
  EXPECT_EQ(book.Balance(kBank), P(10000));
  EXPECT_EQ(book.Balance(kIncome), P(-22100));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
  EXPECT_EQ(book.EntriesOf(kTenant).size(), 3u);
  EXPECT_EQ(book.Balances().size(), 3u);
}

TEST(JournalTest, SuspenseAllocationAndReversalAreNewEntries) {
  JournalBook book;
  // A payment that matched nothing waits in suspense, then is allocated by an officer.
  ASSERT_TRUE(book.Post({"s1",
                         EntryKind::kPayment,
                         D(2026, 4, 7),
                         {{kSuspense, P(-5000)}, {kBank, P(5000)}},
                         ""})
                  .ok());
  ASSERT_TRUE(book.Post({"a1",
                         EntryKind::kSuspenseAllocation,
                         D(2026, 4, 8),
                         {{kTenant, P(-5000)}, {kSuspense, P(5000)}},
                         ""})
                  .ok());
  EXPECT_EQ(book.Balance(kSuspense), Money::Zero());
  EXPECT_EQ(book.Balance(kTenant), P(-5000));
  // A direct debit returned unpaid is reversed, exactly and once.
  ASSERT_TRUE(book.Post(Payment("dd1", D(2026, 4, 10), 11050)).ok());
  JournalEntry reversal{"dd1-r",
                        EntryKind::kPaymentReversal,
                        D(2026, 4, 15),
                        {{kTenant, P(11050)}, {kBank, P(-11050)}},
                        "dd1"};
  ASSERT_TRUE(book.Post(reversal).ok());
  EXPECT_EQ(book.Balance(kTenant), P(-5000));
  reversal.id = "dd1-r2";
  EXPECT_EQ(book.Post(reversal).code(), absl::StatusCode::kFailedPrecondition);
  reversal.reverses = "nope";
  EXPECT_EQ(book.Post(reversal).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(book.Post(Payment("dd2", D(2026, 4, 17), 11050)).ok());
  JournalEntry partial{"dd2-r",
                       EntryKind::kPaymentReversal,
                       D(2026, 4, 20),
                       {{kTenant, P(5000)}, {kBank, P(-5000)}},
                       "dd2"};
  EXPECT_EQ(book.Post(partial).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

TEST(JournalTest, BadEntriesAreRefusedNamingTheFieldAndChangeNothing) {
  JournalBook book;
  ASSERT_TRUE(book.Post(Charge("c1", D(2026, 4, 6), 11050)).ok());
  struct Case {
    JournalEntry entry;
    absl::StatusCode code;
    const char* field;
  };
  const Case cases[] = {
      {{"", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(1)}, {kIncome, P(-1)}}, ""},
       absl::StatusCode::kInvalidArgument,
       "id"},
      {Charge("c1", D(2026, 4, 6), 5), absl::StatusCode::kAlreadyExists, "id"},
      {{"x1", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(1)}}, ""},
       absl::StatusCode::kInvalidArgument,
       "lines"},
      {{"x2", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(0)}, {kIncome, P(0)}}, ""},
       absl::StatusCode::kInvalidArgument,
       "lines[0].amount"},
      {{"x3", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(100)}, {kIncome, P(-99)}}, ""},
       absl::StatusCode::kInvalidArgument,
       "lines"},
      {{"x4", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(100)}, {kTenant, P(-100)}}, ""},
       absl::StatusCode::kInvalidArgument,
       "lines[1].account"},
      {{"x5",
        EntryKind::kCharge,
        D(2026, 4, 6),
        {{AccountRef::Tenant(""), P(100)}, {kIncome, P(-100)}},
        ""},
       absl::StatusCode::kInvalidArgument,
       "lines[0].account"},
      {{"x6", EntryKind::kCharge, D(2026, 4, 6), {{kTenant, P(100)}, {kIncome, P(-100)}}, "c1"},
       absl::StatusCode::kInvalidArgument,
       "reverses"},
      {{"x7",
        EntryKind::kPaymentReversal,
        D(2026, 4, 6),
        {{kTenant, P(100)}, {kBank, P(-100)}},
        ""},
       absl::StatusCode::kInvalidArgument,
       "reverses"},
      {{"x8",
        EntryKind::kCharge,
        D(2026, 4, 6),
        {{kTenant, P(std::numeric_limits<int64_t>::max())}, {kIncome, P(-1)}, {kBank, P(-1)}},
        ""},
       absl::StatusCode::kInvalidArgument,
       "lines"},
  };
  for (const Case& c : cases) {
    absl::Status st = book.Post(c.entry);
    EXPECT_EQ(st.code(), c.code) << c.entry.id << ": " << st;
    EXPECT_TRUE(absl::StartsWith(st.message(), std::string(c.field) + ":")) << st;
  }
  // A ceiling on amounts (the landlord's "absurd amount" guard).
  EXPECT_EQ(book.Post(Payment("big", D(2026, 4, 7), 1'000'001), P(1'000'000)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(book.Post(Payment("ok", D(2026, 4, 7), 1'000'000), P(1'000'000)).ok());
  EXPECT_EQ(book.Balance(kTenant), P(11050 - 1'000'000));
  EXPECT_EQ(*book.TrialBalance(), Money::Zero());
}

// Any sequence of balanced entries over a handful of accounts keeps the trial balance at zero,
// and an account's balance as of D is the sum of its lines dated on or before D.
RC_GTEST_PROP(JournalProperty, TrialBalanceIsZeroAndBalanceAsOfIsTheFold, ()) {
  const std::vector<AccountRef> accounts = {AccountRef::Tenant("HA-1"),
                                            AccountRef::Tenant("HA-2"),
                                            AccountRef::Tenant("HA-1", AccountKind::kGarage),
                                            kIncome,
                                            kBank,
                                            kSuspense,
                                            AccountRef::Control(ControlAccount::kWriteOff)};
  JournalBook book;
  std::map<std::pair<size_t, int64_t>, int64_t> lines;  // (account, day) → sum
  const int n = *rc::gen::inRange(1, 60);
  for (int i = 0; i < n; ++i) {
    const int64_t day = *rc::gen::inRange<int64_t>(20550, 20950);
    const int width = *rc::gen::inRange(2, 5);
    const auto picked =
        *rc::gen::unique<std::vector<size_t>>(width, rc::gen::inRange<size_t>(0, accounts.size()));
    JournalEntry e{
        "e" + std::to_string(i), EntryKind::kAdjustment, Date::FromDaysSinceEpoch(day), {}, ""};
    int64_t sum = 0;
    for (size_t k = 0; k + 1 < picked.size(); ++k) {
      int64_t amount = *rc::gen::inRange<int64_t>(-5'000'000, 5'000'000);
      if (amount == 0) amount = 1;
      e.lines.push_back({accounts[picked[k]], P(amount)});
      sum += amount;
    }
    if (sum == 0) {
      e.lines[0].amount = P(e.lines[0].amount.pence() + 1);
      sum += 1;
    }
    e.lines.push_back({accounts[picked.back()], P(-sum)});
    RC_ASSERT(book.Post(e).ok());
    for (const JournalLine& l : e.lines) {
      const size_t index = static_cast<size_t>(
          std::find(accounts.begin(), accounts.end(), l.account) - accounts.begin());
      lines[{index, day}] += l.amount.pence();
    }
    RC_ASSERT(*book.TrialBalance() == Money::Zero());
  }
  const int64_t as_of = *rc::gen::inRange<int64_t>(20500, 21000);
  for (size_t a = 0; a < accounts.size(); ++a) {
    int64_t expected = 0;
    for (const auto& [key, pence] : lines) {
      if (key.first == a && key.second <= as_of) expected += pence;
    }
    RC_ASSERT(book.BalanceAsOf(accounts[a], Date::FromDaysSinceEpoch(as_of))->pence() == expected);
  }
}

}  // namespace
}  // namespace rentstream::ledger
