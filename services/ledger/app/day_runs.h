#pragma once
// Sets of days in the ledger's stored state as runs (state.v1.DayRun): the start days of a
// tenancy's charged rent periods are regular — a week, a fortnight, four weeks or a calendar month
// apart, broken only by rent-free weeks and rent changes — so decades of them take a few runs
// where one number a period made every command read and write more with each year.

#include <cstdint>
#include <vector>

#include <google/protobuf/repeated_field.h>

#include "absl/status/status.h"
#include "rentstream/ledger/state/v1/state.pb.h"

namespace rentstream::ledger::app {

// The most days one stored set may expand to: far more than a century of weekly periods, and a
// bound on what a damaged count can make a decode allocate.
inline constexpr uint64_t kMaxDaysInRuns = 100'000;

// `days` (increasing, no repeats) as runs: each run as long as the days allow, a run of days a
// fixed number apart or of calendar months, whichever covers more.
void DaysToRuns(const std::vector<int64_t>& days,
                google::protobuf::RepeatedPtrField<state::v1::DayRun>* out);

// Adds `days` (increasing, all after the last day of `runs`) to `runs`, which DaysToRuns made:
// the runs DaysToRuns makes of all the days together. (Only the last run can change: every run
// before it ended where its days stopped being regular, which later days do not change.)
void AppendDaysToRuns(const int64_t* days, size_t count,
                      google::protobuf::RepeatedPtrField<state::v1::DayRun>* runs);

// Whether `runs` hold `days` days and look as DaysToRuns writes them: first days increasing,
// and no run where the one before it could have gone on (the split a different writer might
// leave). Not a full proof of the form — DaysToRuns' choice between a run of a fixed step and
// one of months is not checked — but what a state this code wrote always passes.
bool LooksLikeDaysToRuns(const google::protobuf::RepeatedPtrField<state::v1::DayRun>& runs,
                         size_t days);

// Appends the days of `runs` to `out`, in the runs' order. DataLoss naming `field` for a run with
// no days, or runs of more than kMaxDaysInRuns days in all.
absl::Status AppendDaysOfRuns(const google::protobuf::RepeatedPtrField<state::v1::DayRun>& runs,
                              const char* field, std::vector<int64_t>* out);

}  // namespace rentstream::ledger::app
