#pragma once
// Typed identifiers. A value of these types has been validated; construct through Parse.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rentstream::core {

// A landlord's tenancy reference, e.g. "HA-000123" or "TEN/2024/0042": 3 to 32 characters of
// upper-case letters, digits, '-' and '/', starting and ending with a letter or digit, with no
// two separators in a row. Lower case is rejected rather than folded: references are keys of
// event streams and must have one spelling.
class TenancyRef {
 public:
  static absl::StatusOr<TenancyRef> Parse(absl::string_view text);
  const std::string& value() const { return value_; }

  friend bool operator==(const TenancyRef&, const TenancyRef&) = default;
  friend auto operator<=>(const TenancyRef&, const TenancyRef&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const TenancyRef& r) {
    return H::combine(std::move(h), r.value_);
  }

 private:
  explicit TenancyRef(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// A client-chosen command id (idempotency key): 1 to 64 characters of [A-Za-z0-9._:-].
class CommandId {
 public:
  static absl::StatusOr<CommandId> Parse(absl::string_view text);
  const std::string& value() const { return value_; }

  friend bool operator==(const CommandId&, const CommandId&) = default;
  friend auto operator<=>(const CommandId&, const CommandId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const CommandId& c) {
    return H::combine(std::move(h), c.value_);
  }

 private:
  explicit CommandId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace rentstream::core
