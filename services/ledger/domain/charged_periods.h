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
    if (it == days_.end() || *it != day) {
      if (it != days_.end()) ++edits_;  // not after the last day
      days_.insert(it, day);
    }
  }
  bool empty() const { return days_.empty(); }
  size_t size() const { return days_.size(); }
  int64_t last() const { return days_.back(); }  // not empty
  const std::vector<int64_t>& days() const { return days_; }
  // How many changes were not a day added after the last (an encoder that kept the days it
  // wrote only needs the new ones while this stays the same).
  uint64_t edits() const { return edits_; }
  // Decoding: days in any order, duplicates ignored.
  template <typename It>
  void assign(It first, It last) {
    ++edits_;
    days_.assign(first, last);
    if (!std::is_sorted(days_.begin(), days_.end())) std::sort(days_.begin(), days_.end());
    days_.erase(std::unique(days_.begin(), days_.end()), days_.end());
  }

 private:
  std::vector<int64_t> days_;
  uint64_t edits_ = 0;
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
  // Returns the index of the run's set of lines.
  uint32_t AddRun(Lines lines, const std::vector<int64_t>& days);

  // For an encoder that kept what it wrote: a distinct set of lines (indices only grow), the
  // periods by day as (day, set index), and how many changes were not a period added after the
  // last (while this stays the same, the periods it wrote are still the first ones).
  const Lines& set(uint32_t index) const { return sets_[index]; }
  const std::vector<std::pair<int64_t, uint32_t>>& periods() const { return periods_; }
  uint64_t edits() const { return edits_; }

 private:
  uint32_t IndexOf(const Lines& lines);
  std::vector<Lines> sets_;
  std::vector<std::pair<int64_t, uint32_t>> periods_;  // (day, index in sets_), by day
  uint64_t edits_ = 0;
};

}  // namespace rentstream::ledger
