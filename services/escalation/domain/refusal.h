#pragma once
// How the case's decisions refuse a command: a Rejection naming the field (one way, for every
// decide function of the escalation domain).

#include <string>

#include "absl/status/status.h"
#include "rentstream/common/v1/command.pb.h"

namespace rentstream::escalation {

common::v1::Rejection Refuse(common::v1::RejectionCode code, std::string field, std::string reason);
common::v1::Rejection Invalid(std::string field, std::string reason);
common::v1::Rejection Precondition(std::string field, std::string reason);

// A rule's Status ("field: reason", the code kept) as a rejection; `default_field` when the
// message names none.
common::v1::Rejection RejectionOf(const absl::Status& status, const std::string& default_field);

}  // namespace rentstream::escalation
