#include "services/escalation/domain/refusal.h"

namespace rentstream::escalation {

common::v1::Rejection Refuse(common::v1::RejectionCode code, std::string field,
                             std::string reason) {
  common::v1::Rejection r;
  r.set_code(code);
  r.set_field(std::move(field));
  r.set_reason(std::move(reason));
  return r;
}

common::v1::Rejection Invalid(std::string field, std::string reason) {
  return Refuse(common::v1::REJECTION_CODE_INVALID_ARGUMENT, std::move(field), std::move(reason));
}

common::v1::Rejection Precondition(std::string field, std::string reason) {
  return Refuse(common::v1::REJECTION_CODE_FAILED_PRECONDITION, std::move(field),
                std::move(reason));
}

common::v1::Rejection RejectionOf(const absl::Status& st, const std::string& default_field) {
  common::v1::RejectionCode code = common::v1::REJECTION_CODE_INVALID_ARGUMENT;
  switch (st.code()) {
    case absl::StatusCode::kNotFound:
      code = common::v1::REJECTION_CODE_NOT_FOUND;
      break;
    case absl::StatusCode::kAlreadyExists:
      code = common::v1::REJECTION_CODE_ALREADY_EXISTS;
      break;
    case absl::StatusCode::kFailedPrecondition:
      code = common::v1::REJECTION_CODE_FAILED_PRECONDITION;
      break;
    default:
      break;
  }
  const std::string message(st.message());
  const size_t colon = message.find(": ");
  const bool named = colon != std::string::npos && message.find(' ') > colon;
  return Refuse(code, named ? message.substr(0, colon) : default_field,
                named ? message.substr(colon + 2) : message);
}

}  // namespace rentstream::escalation
