#include "services/ledger/app/day_runs.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "libs/core/civil_date.h"

namespace rentstream::ledger::app {
namespace {

using google::protobuf::RepeatedPtrField;

int64_t Day(int y, int m, int d) { return core::Date::FromYmd(y, m, d)->days_since_epoch(); }

std::vector<int64_t> RoundTrip(const std::vector<int64_t>& days, int* runs = nullptr) {
  RepeatedPtrField<state::v1::DayRun> stored;
  DaysToRuns(days, &stored);
  if (runs != nullptr) *runs = stored.size();
  std::vector<int64_t> out;
  EXPECT_TRUE(AppendDaysOfRuns(stored, "days", &out).ok());
  return out;
}

TEST(DayRunsTest, DecadesOfRentPeriodsTakeAFewRuns) {
  // Twenty years of Monday weeks with two rent-free weeks at Christmas (48 charged a year,
  // as many landlords do: 50 weeks would be the same count of runs).
  std::vector<int64_t> weekly;
  for (int64_t d = Day(2006, 4, 3); d < Day(2026, 4, 6); d += 7) {
    const core::Date date = core::Date::FromDaysSinceEpoch(d);
    if (date.month() == 12 && date.day() > 17) continue;  // rent-free
    weekly.push_back(d);
  }
  int runs = 0;
  EXPECT_EQ(RoundTrip(weekly, &runs), weekly);
  EXPECT_LE(runs, 21) << "one run between each rent-free fortnight";
  state::v1::TenancyLedgerState as_numbers, as_runs;
  as_numbers.mutable_charged_period_days()->Add(weekly.begin(), weekly.end());
  DaysToRuns(weekly, as_runs.mutable_charged_period_runs());
  EXPECT_LT(as_runs.ByteSizeLong() * 10, as_numbers.ByteSizeLong())
      << as_runs.ByteSizeLong() << " bytes as runs, " << as_numbers.ByteSizeLong() << " as numbers";

  // Calendar months from the 1st, and from the 31st (clamped to shorter months' ends).
  std::vector<int64_t> first, last;
  for (int k = 0; k < 240; ++k) {
    first.push_back(
        core::Date::FromDaysSinceEpoch(Day(2006, 4, 1)).AddMonths(k).days_since_epoch());
    last.push_back(
        core::Date::FromDaysSinceEpoch(Day(2006, 1, 31)).AddMonths(k).days_since_epoch());
  }
  EXPECT_EQ(RoundTrip(first, &runs), first);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(RoundTrip(last, &runs), last);
  EXPECT_EQ(runs, 1);

  // Fortnights then four weeks (a change of frequency), one day alone, nothing.
  std::vector<int64_t> mixed;
  for (int k = 0; k < 10; ++k) mixed.push_back(Day(2020, 1, 6) + 14 * k);
  for (int k = 1; k <= 10; ++k) mixed.push_back(mixed[9] + 28 * k);
  EXPECT_EQ(RoundTrip(mixed, &runs), mixed);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(RoundTrip({Day(2020, 2, 29)}, &runs), std::vector<int64_t>{Day(2020, 2, 29)});
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(RoundTrip({}, &runs), std::vector<int64_t>{});
  EXPECT_EQ(runs, 0);
}

RC_GTEST_PROP(DayRunsProperty, AnySetOfDaysComesBackAsItWas, ()) {
  // Days from a few regular series (weeks, fortnights, months) with gaps, and stray days.
  std::set<int64_t> set;
  const int series = *rc::gen::inRange(0, 4);
  for (int s = 0; s < series; ++s) {
    const int64_t start = *rc::gen::inRange<int64_t>(-400, 30000);
    const int kind = *rc::gen::inRange(0, 3);
    const int count = *rc::gen::inRange(1, 120);
    for (int k = 0; k < count; ++k) {
      if (*rc::gen::inRange(0, 10) == 0) continue;  // a gap
      set.insert(kind == 2 ? core::Date::FromDaysSinceEpoch(start).AddMonths(k).days_since_epoch()
                           : start + (kind == 0 ? 7 : 14) * k);
    }
  }
  for (int64_t d : *rc::gen::container<std::vector<int64_t>>(rc::gen::inRange<int64_t>(0, 40000))) {
    set.insert(d);
  }
  const std::vector<int64_t> days(set.begin(), set.end());
  RepeatedPtrField<state::v1::DayRun> stored;
  DaysToRuns(days, &stored);
  std::vector<int64_t> back;
  RC_ASSERT(AppendDaysOfRuns(stored, "days", &back).ok());
  RC_ASSERT(back == days);
  RC_ASSERT(static_cast<size_t>(stored.size()) <= days.size());
}

RC_GTEST_PROP(DayRunsProperty, DaysAddedAfterTheLastMakeTheRunsOfAllTheDaysTogether, ()) {
  // A tenancy's periods: weekly or monthly series, rent-free gaps, a change of frequency.
  std::set<int64_t> set;
  int64_t start = *rc::gen::inRange<int64_t>(0, 20000);
  const int series = *rc::gen::inRange(1, 4);
  for (int s = 0; s < series; ++s) {
    const int kind = *rc::gen::inRange(0, 3);
    const int count = *rc::gen::inRange(1, 60);
    int64_t day = start;
    for (int k = 0; k < count; ++k) {
      day = kind == 2 ? core::Date::FromDaysSinceEpoch(start).AddMonths(k).days_since_epoch()
                      : start + (kind == 0 ? 7 : 28) * k;
      if (*rc::gen::inRange(0, 8) != 0) set.insert(day);  // else a rent-free period
    }
    start = day + *rc::gen::inRange<int64_t>(1, 40);
  }
  const std::vector<int64_t> days(set.begin(), set.end());
  RepeatedPtrField<state::v1::DayRun> all;
  DaysToRuns(days, &all);
  // Written with the first `k` days, then the rest added, a few at a time.
  const size_t k = *rc::gen::inRange<size_t>(0, days.size() + 1);
  RepeatedPtrField<state::v1::DayRun> grown;
  DaysToRuns(std::vector<int64_t>(days.begin(), days.begin() + static_cast<std::ptrdiff_t>(k)),
             &grown);
  for (size_t i = k; i < days.size();) {
    const size_t n = std::min(days.size() - i, *rc::gen::inRange<size_t>(1, 4));
    AppendDaysToRuns(days.data() + i, n, &grown);
    i += n;
  }
  RC_ASSERT(grown.size() == all.size());
  for (int i = 0; i < all.size(); ++i) {
    RC_ASSERT(grown.Get(i).SerializeAsString() == all.Get(i).SerializeAsString());
  }
}

TEST(DayRunsTest, DamagedRunsAreRefusedNamingTheField) {
  RepeatedPtrField<state::v1::DayRun> runs;
  std::vector<int64_t> out;
  state::v1::DayRun& empty = *runs.Add();
  empty.set_first_day(Day(2026, 4, 6));
  empty.set_step_days(7);
  absl::Status st = AppendDaysOfRuns(runs, "charged_period_runs", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(st.message(), "charged_period_runs: a run of no days");

  runs.Mutable(0)->set_count(60'000);
  state::v1::DayRun& more = *runs.Add();
  more.set_first_day(Day(2026, 4, 6));
  more.set_count(50'000);
  st = AppendDaysOfRuns(runs, "charged_period_runs", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << "a damaged count allocates nothing";
  EXPECT_NE(st.message().find("more than 100000 days"), std::string::npos) << st.message();

  runs.RemoveLast();
  runs.Mutable(0)->set_count(1);
  runs.Mutable(0)->set_first_day(int64_t{1} << 62);
  st = AppendDaysOfRuns(runs, "charged_period_runs", &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(out.empty()) << "nothing appended from refused runs";
}

}  // namespace
}  // namespace rentstream::ledger::app
