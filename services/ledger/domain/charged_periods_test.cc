#include "services/ledger/domain/charged_periods.h"

#include <gtest/gtest.h>

namespace rentstream::ledger {
namespace {

ChargedLines::Lines RentOf(int64_t pence) {
  return {{ChargeKind::kNetRent, "RNT", core::Money::FromPence(pence)}};
}

TEST(ChargedLinesTest, PeriodsChargedAlikeShareARunAndComeBackInDayOrder) {
  ChargedLines charged;
  for (int64_t day = 100; day < 100 + 7 * 52; day += 7) charged.Set(day, RentOf(11050));
  for (int64_t day = 464; day < 464 + 7 * 10; day += 7) charged.Set(day, RentOf(11600));
  charged.Set(30, RentOf(11600));  // an older period charged late, at the new rate
  EXPECT_EQ(charged.size(), 63u);
  std::vector<ChargedLines::Run> runs = charged.Runs();
  ASSERT_EQ(runs.size(), 2u) << "one run per distinct set of lines";
  EXPECT_EQ(runs[0].lines, RentOf(11600));  // ordered by first day: 30
  EXPECT_EQ(runs[0].days.size(), 11u);
  EXPECT_EQ(runs[1].days.size(), 52u);

  auto split = charged.LastOnOrBefore(103);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->day, 100);
  EXPECT_EQ(*split->lines, RentOf(11050));
  EXPECT_FALSE(charged.LastOnOrBefore(29).has_value());
  std::vector<ChargedLines::Period> after = charged.After(457);
  ASSERT_EQ(after.size(), 10u);
  EXPECT_EQ(after.front().day, 464);
  EXPECT_EQ(*after.front().lines, RentOf(11600));

  charged.Erase(464);
  charged.Erase(465);  // not a period: nothing
  EXPECT_EQ(charged.After(457).front().day, 471);

  // Decoded from its runs (in any order), it is the same.
  ChargedLines decoded;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) decoded.AddRun(it->lines, it->days);
  decoded.Erase(464);
  std::vector<ChargedLines::Run> again = decoded.Runs();
  std::vector<ChargedLines::Run> now = charged.Runs();
  ASSERT_EQ(again.size(), now.size());
  for (size_t i = 0; i < now.size(); ++i) {
    EXPECT_EQ(again[i].lines, now[i].lines);
    EXPECT_EQ(again[i].days, now[i].days);
  }
}

TEST(ChargedLinesTest, RunsDecodedInDayOrderAreAppendedAndADayInTwoRunsIsKeptOnce) {
  ChargedLines decoded;
  decoded.AddRun(RentOf(100), {1, 8, 15});
  decoded.AddRun(RentOf(200), {22, 29, 29});  // after the last day: appended, 29 once
  decoded.AddRun(RentOf(300), {29, 36});      // from a day charged already: merged, 29 once
  EXPECT_EQ(decoded.size(), 6u);              // 1 8 15 22 29 36
  ASSERT_TRUE(decoded.LastOnOrBefore(29).has_value());
  EXPECT_EQ(decoded.LastOnOrBefore(29)->day, 29);
  EXPECT_EQ(*decoded.LastOnOrBefore(29)->lines, RentOf(200)) << "the run decoded first keeps it";
  EXPECT_EQ(*decoded.LastOnOrBefore(36)->lines, RentOf(300));
  EXPECT_EQ(*decoded.LastOnOrBefore(21)->lines, RentOf(100));
  std::vector<ChargedLines::Run> runs = decoded.Runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].days, (std::vector<int64_t>{1, 8, 15}));
  EXPECT_EQ(runs[1].days, (std::vector<int64_t>{22, 29}));
  EXPECT_EQ(runs[2].days, (std::vector<int64_t>{36}));
}

TEST(ChargedLinesTest, SettingADayAgainReplacesItsLines) {
  ChargedLines charged;
  charged.Set(10, RentOf(100));
  charged.Set(17, RentOf(100));
  charged.Set(10, RentOf(200));
  ASSERT_EQ(charged.size(), 2u);
  EXPECT_EQ(*charged.LastOnOrBefore(10)->lines, RentOf(200));
  EXPECT_EQ(*charged.LastOnOrBefore(17)->lines, RentOf(100));
  // The runs are what a fresh build of the same content gives.
  ChargedLines fresh;
  fresh.Set(10, RentOf(200));
  fresh.Set(17, RentOf(100));
  std::vector<ChargedLines::Run> a = charged.Runs();
  std::vector<ChargedLines::Run> b = fresh.Runs();
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].lines, b[i].lines);
    EXPECT_EQ(a[i].days, b[i].days);
  }
}

TEST(DaySetTest, KeepsDaysSortedAndUnique) {
  DaySet days;
  days.insert(20);
  days.insert(10);
  days.insert(20);
  EXPECT_EQ(days.days(), (std::vector<int64_t>{10, 20}));
  EXPECT_TRUE(days.contains(10));
  EXPECT_FALSE(days.contains(15));
  EXPECT_EQ(days.last(), 20);
  const std::vector<int64_t> unsorted = {5, 3, 5, 9};
  days.assign(unsorted.begin(), unsorted.end());
  EXPECT_EQ(days.days(), (std::vector<int64_t>{3, 5, 9}));
}

}  // namespace
}  // namespace rentstream::ledger
