#pragma once
// The rent periods a ledger has charged, in forms cheap to decode: every command decodes the
// ledger's state, and a tenancy of decades has thousands of weekly periods.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "services/ledger/domain/rent_schedule.h"

namespace rentstream::ledger {

// A set of days (days since 1970-01-01) as a sorted vector: a decision decodes the ledger's
// state each time, and a tenancy of decades has thousands of charged periods.
class DaySet {
 public:
  bool contains(int64_t day) const { return std::binary_search(days_.begin(), days_.end(), day); }
  void insert(int64_t day) {
    auto it = std::lower_bound(days_.begin(), days_.end(), day);
    if (it == days_.end() || *it != day) days_.insert(it, day);
  }
  bool empty() const { return days_.empty(); }
  size_t size() const { return days_.size(); }
  int64_t last() const { return days_.back(); }  // not empty
  const std::vector<int64_t>& days() const { return days_; }
  // Decoding: days in any order, duplicates ignored.
  template <typename It>
  void assign(It first, It last) {
    days_.assign(first, last);
    if (!std::is_sorted(days_.begin(), days_.end())) std::sort(days_.begin(), days_.end());
    days_.erase(std::unique(days_.begin(), days_.end()), days_.end());
  }

 private:
  std::vector<int64_t> days_;
};

// The lines each charged rent period was charged with, by period start. Periods charged alike
// share one copy of their lines — a tenancy has a rent change a year and a period a week — so
// its size and decoding cost grow with the rent changes, not with the periods.
class ChargedLines {
 public:
  using Lines = std::vector<ChargeLine>;
  struct Period {
    int64_t day = 0;
    const Lines* lines = nullptr;
  };
  void Set(int64_t day, const Lines& lines);
  void Erase(int64_t day);
  // The last period starting on or before `day`; every period starting after `day`, in order.
  std::optional<Period> LastOnOrBefore(int64_t day) const;
  std::vector<Period> After(int64_t day) const;
  size_t size() const { return periods_.size(); }
  // The codec's form: each distinct set of lines with the days charged with it, ordered by
  // first day (canonical: equal contents encode equally).
  struct Run {
    Lines lines;
    std::vector<int64_t> days;  // increasing
  };
  std::vector<Run> Runs() const;
  void AddRun(Lines lines, const std::vector<int64_t>& days);

 private:
  uint32_t IndexOf(const Lines& lines);
  std::vector<Lines> sets_;
  std::vector<std::pair<int64_t, uint32_t>> periods_;  // (day, index in sets_), by day
};

}  // namespace rentstream::ledger
