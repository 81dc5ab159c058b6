#include "absl/strings/str_cat.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog {

absl::StatusOr<int32_t> CheckMemberConfig(
    const MemberConfig& config,
    const std::function<absl::StatusOr<int32_t>(const std::string&)>& partitions) {
  if (config.group_id.empty()) return absl::InvalidArgumentError("group_id: empty");
  if (config.transactional_id.empty()) return absl::InvalidArgumentError("transactional_id: empty");
  if (config.topics.empty()) return absl::InvalidArgumentError("topics: empty");
  int32_t common = -1;
  for (const std::string& topic : config.topics) {
    auto n = partitions(topic);
    if (!n.ok()) return n.status();
    if (common >= 0 && *n != common) {
      return absl::InvalidArgumentError(absl::StrCat("topics: ", topic, " has ", *n,
                                                     " partitions, others ", common,
                                                     "; co-partitioned inputs need equal counts"));
    }
    common = *n;
  }
  return common;
}

}  // namespace rentstream::eventlog
