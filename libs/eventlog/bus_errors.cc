#include "libs/eventlog/bus_errors.h"

#include "absl/strings/cord.h"

namespace rentstream::eventlog {
namespace {
constexpr char kFencedPayload[] = "rentstream.eventlog/fenced";
}

absl::Status FencedError(absl::string_view message) {
  absl::Status s = absl::FailedPreconditionError(message);
  s.SetPayload(kFencedPayload, absl::Cord("1"));
  return s;
}

bool IsFenced(const absl::Status& status) { return status.GetPayload(kFencedPayload).has_value(); }

}  // namespace rentstream::eventlog
