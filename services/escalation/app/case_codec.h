#pragma once
// The escalation's events on the wire: CaseEvent (a variant of payload messages) to the runtime's
// NewEvent and back from a stored Event, by the payload's fully-qualified type name.

#include "absl/status/statusor.h"
#include "libs/runtime/stream_logic.h"
#include "services/escalation/domain/arrears_case.h"

namespace rentstream::escalation::app {

runtime::NewEvent ToNewEvent(const CaseEvent& event);
std::vector<runtime::NewEvent> ToNewEvents(const std::vector<CaseEvent>& events);

// Fails with INVALID_ARGUMENT on a type this build does not know or a payload that does not parse
// (the host then stops rather than fold it wrongly).
absl::StatusOr<CaseEvent> FromEvent(const common::v1::Event& event);

}  // namespace rentstream::escalation::app
