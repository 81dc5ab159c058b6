#pragma once
// The error classes of the event bus (see event_bus.h).

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace rentstream::eventlog {

// Another instance took over this member's transactional id or partitions: rejoin from scratch.
absl::Status FencedError(absl::string_view message);
bool IsFenced(const absl::Status& status);

// The transaction must be aborted; the batch can then be retried.
inline absl::Status AbortableError(absl::string_view message) {
  return absl::AbortedError(message);
}
inline bool IsAbortable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted;
}

}  // namespace rentstream::eventlog
