#include "services/ledger/domain/charged_periods.h"

#include <iterator>

namespace rentstream::ledger {

uint32_t ChargedLines::IndexOf(const Lines& lines) {
  // Newest first: a period is almost always charged what the one before it was.
  for (size_t i = sets_.size(); i-- > 0;) {
    if (sets_[i] == lines) return static_cast<uint32_t>(i);
  }
  sets_.push_back(lines);
  return static_cast<uint32_t>(sets_.size() - 1);
}

void ChargedLines::Set(int64_t day, const Lines& lines) {
  const uint32_t index = IndexOf(lines);
  auto it = std::lower_bound(periods_.begin(), periods_.end(), std::make_pair(day, uint32_t{0}));
  if (it != periods_.end() && it->first == day) {
    if (it->second != index) ++edits_;
    it->second = index;
  } else {
    if (it != periods_.end()) ++edits_;  // not after the last period
    periods_.insert(it, {day, index});
  }
}

void ChargedLines::Erase(int64_t day) {
  auto it = std::lower_bound(periods_.begin(), periods_.end(), std::make_pair(day, uint32_t{0}));
  if (it != periods_.end() && it->first == day) {
    periods_.erase(it);
    ++edits_;
  }
}

std::optional<ChargedLines::Period> ChargedLines::LastOnOrBefore(int64_t day) const {
  auto it = std::upper_bound(periods_.begin(), periods_.end(), day,
                             [](int64_t d, const auto& p) { return d < p.first; });
  if (it == periods_.begin()) return std::nullopt;
  --it;
  return Period{it->first, &sets_[it->second]};
}

std::vector<ChargedLines::Period> ChargedLines::After(int64_t day) const {
  auto it = std::upper_bound(periods_.begin(), periods_.end(), day,
                             [](int64_t d, const auto& p) { return d < p.first; });
  std::vector<Period> out;
  for (; it != periods_.end(); ++it) out.push_back({it->first, &sets_[it->second]});
  return out;
}

std::vector<ChargedLines::Run> ChargedLines::Runs() const {
  std::vector<Run> runs;
  std::vector<int> run_of(sets_.size(), -1);
  for (const auto& [day, index] : periods_) {  // by day: runs come out ordered by first day
    if (run_of[index] < 0) {
      run_of[index] = static_cast<int>(runs.size());
      runs.push_back({sets_[index], {}});
    }
    runs[run_of[index]].days.push_back(day);
  }
  return runs;
}

uint32_t ChargedLines::AddRun(Lines lines, const std::vector<int64_t>& days) {
  ++edits_;
  const uint32_t index = IndexOf(lines);
  const size_t before = periods_.size();
  for (int64_t day : days) periods_.emplace_back(day, index);
  auto middle = periods_.begin() + static_cast<std::ptrdiff_t>(before);
  if (!std::is_sorted(middle, periods_.end())) std::sort(middle, periods_.end());
  // Runs are decoded in order of their first day, and most start after the last one ends (a
  // rent change a year): merged only where they interleave (lines charged again later), so a
  // tenancy of decades decodes its runs in one pass instead of a merge per run.
  auto from = middle;
  if (before > 0 && middle != periods_.end() && std::prev(middle)->first >= middle->first) {
    std::inplace_merge(periods_.begin(), middle, periods_.end());
    from = periods_.begin();
  }
  // A day in two runs (a corrupt state) keeps one of them (the lower set index).
  periods_.erase(std::unique(from, periods_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 periods_.end());
  return index;
}

}  // namespace rentstream::ledger
