#pragma once
// Which partitions a process answers queries for: those one of its processing loops owns and
// has caught up with, so its projection holds every event committed on them before. A stream of
// another partition is another instance's — this projection may have none of it, or an old copy
// from before a rebalance — and a query answered from it would be wrong without a word. Loops
// mark and unmark; query handlers read, from any thread.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rentstream::runtime {

class ServedPartitions {
 public:
  explicit ServedPartitions(int32_t partitions)
      : served_(static_cast<size_t>(partitions > 0 ? partitions : 0)) {}

  // By the loop that took (after its catch-up) or gives up the partition. A partition is one
  // loop's at a time (PartitionLocks hands it over), so the last word is its holder's.
  void Set(int32_t partition, bool served) {
    if (partition >= 0 && static_cast<size_t>(partition) < served_.size()) {
      served_[static_cast<size_t>(partition)].store(served);
    }
  }
  bool Serves(int32_t partition) const {
    return partition >= 0 && static_cast<size_t>(partition) < served_.size() &&
           served_[static_cast<size_t>(partition)].load();
  }
  std::vector<int32_t> Served() const {
    std::vector<int32_t> out;
    for (size_t p = 0; p < served_.size(); ++p) {
      if (served_[p].load()) out.push_back(static_cast<int32_t>(p));
    }
    return out;
  }
  // For a query about one tenancy: UNAVAILABLE naming `field` unless its partition is served.
  absl::Status CheckServes(int32_t partition, const std::string& field,
                           const std::string& tenancy) const {
    if (Serves(partition)) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat(
        field, ": ", tenancy, " is on partition ", partition,
        ", which this instance does not serve now (it serves ", Describe(),
        "): ask the instance that owns the partition, or again once this one has caught up"));
  }
  // For a query over every stream (a scan): UNAVAILABLE unless every partition is served.
  absl::Status CheckServesAll(const std::string& what) const {
    if (Served().size() == served_.size()) return absl::OkStatus();
    return absl::UnavailableError(
        absl::StrCat(what, " reads every partition, and this instance serves ", Describe(), " of ",
                     served_.size(),
                     " now: ask again once it has caught up, or run the service as one instance "
                     "holding every partition for such queries"));
  }

 private:
  std::string Describe() const {
    std::vector<int32_t> served = Served();
    if (served.empty()) return "none";
    return absl::StrCat("partitions ", absl::StrJoin(served, ","));
  }
  std::vector<std::atomic<bool>> served_;  // sized once: atomics neither move nor copy
};

}  // namespace rentstream::runtime
