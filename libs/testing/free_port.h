#pragma once

#include "absl/status/statusor.h"

namespace rentstream::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, release).
// Callers that then fail to bind should retry with another port.
absl::StatusOr<int> PickFreeLoopbackPort();

}  // namespace rentstream::testing
