#include "services/ledger/app/day_runs.h"

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"

namespace rentstream::ledger::app {
namespace {

int64_t MonthsAfter(int64_t first_day, uint64_t months) {
  return core::Date::FromDaysSinceEpoch(first_day)
      .AddMonths(static_cast<int>(months))
      .days_since_epoch();
}

// The `k`th day of `run`.
int64_t DayOfRun(const state::v1::DayRun& run, uint32_t k) {
  if (k == 0) return run.first_day();
  return run.step_days() == 0 ? MonthsAfter(run.first_day(), k)
                              : run.first_day() + int64_t{run.step_days()} * int64_t{k};
}

}  // namespace

void DaysToRuns(const std::vector<int64_t>& days,
                google::protobuf::RepeatedPtrField<state::v1::DayRun>* out) {
  size_t i = 0;
  while (i < days.size()) {
    const int64_t first = days[i];
    size_t fixed = 1;  // days a fixed step apart from `first`
    int64_t step = 0;
    if (i + 1 < days.size()) {
      step = days[i + 1] - first;
      fixed = 2;
      while (i + fixed < days.size() && days[i + fixed] - days[i + fixed - 1] == step) ++fixed;
    }
    size_t monthly = 1;  // days a calendar month apart from `first`
    while (i + monthly < days.size() && days[i + monthly] == MonthsAfter(first, monthly)) {
      ++monthly;
    }
    state::v1::DayRun& run = *out->Add();
    run.set_first_day(first);
    // The longer run; a step too large for the field (days a lifetime apart, never a month) makes
    // `first` a run of months of one day.
    if (fixed > monthly && step <= int64_t{UINT32_MAX}) {
      run.set_step_days(static_cast<uint32_t>(step));
      run.set_count(static_cast<uint32_t>(fixed));
      i += fixed;
    } else {
      run.set_count(static_cast<uint32_t>(monthly));  // step_days 0: months (one day: either)
      i += monthly;
    }
  }
}

void AppendDaysToRuns(const int64_t* days, size_t count,
                      google::protobuf::RepeatedPtrField<state::v1::DayRun>* runs) {
  if (count == 0) return;
  std::vector<int64_t> tail;
  if (!runs->empty()) {
    const state::v1::DayRun& last = runs->Get(runs->size() - 1);
    tail.reserve(last.count() + count);
    for (uint32_t k = 0; k < last.count(); ++k) tail.push_back(DayOfRun(last, k));
    runs->RemoveLast();
  }
  tail.insert(tail.end(), days, days + count);
  DaysToRuns(tail, runs);
}

bool LooksLikeDaysToRuns(const google::protobuf::RepeatedPtrField<state::v1::DayRun>& runs,
                         size_t days) {
  uint64_t total = 0;
  for (int i = 0; i < runs.size(); ++i) {
    const state::v1::DayRun& run = runs.Get(i);
    total += run.count();
    if (i == 0) continue;
    const state::v1::DayRun& before = runs.Get(i - 1);
    const int64_t next = DayOfRun(before, before.count());  // where `before` would go on
    if (run.first_day() <= before.first_day() || run.first_day() == next) return false;
  }
  return total == days;
}

absl::Status AppendDaysOfRuns(const google::protobuf::RepeatedPtrField<state::v1::DayRun>& runs,
                              const char* field, std::vector<int64_t>* out) {
  // Days within ±10,000,000 of 1970 (past any date the ledger takes): no sum below overflows.
  constexpr int64_t kFarthestDay = 10'000'000;
  uint64_t total = 0;
  for (const state::v1::DayRun& run : runs) {
    if (run.first_day() < -kFarthestDay || run.first_day() > kFarthestDay) {
      return absl::DataLossError(absl::StrCat(field, ": a run from day ", run.first_day()));
    }
    total += run.count();
    if (run.count() == 0 || total > kMaxDaysInRuns) {
      return absl::DataLossError(
          run.count() == 0 ? absl::StrCat(field, ": a run of no days")
                           : absl::StrCat(field, ": runs of more than ", kMaxDaysInRuns, " days"));
    }
  }
  out->reserve(out->size() + total);
  for (const state::v1::DayRun& run : runs) {
    for (uint32_t k = 0; k < run.count(); ++k) out->push_back(DayOfRun(run, k));
  }
  return absl::OkStatus();
}

}  // namespace rentstream::ledger::app
