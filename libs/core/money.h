#pragma once
// Money in pounds sterling as integer pence. Never floating point. Arithmetic is checked:
// overflow is an error value, not undefined behaviour.

#include <compare>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rentstream::core {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money FromPence(int64_t pence) { return Money(pence); }
  static constexpr Money Zero() { return Money(0); }

  // Parses "£1,234.56", "-£3.00", "£-3.00", "1234.56", "12", "0.5" (50p), with optional
  // surrounding spaces. Commas must group thousands correctly. At most 2 decimals.
  // INVALID_ARGUMENT for malformed text, OUT_OF_RANGE beyond int64 pence.
  static absl::StatusOr<Money> Parse(absl::string_view text);

  constexpr int64_t pence() const { return pence_; }
  constexpr bool is_negative() const { return pence_ < 0; }

  absl::StatusOr<Money> CheckedAdd(Money other) const;
  absl::StatusOr<Money> CheckedSub(Money other) const;
  absl::StatusOr<Money> CheckedMultiply(int64_t factor) const;
  absl::StatusOr<Money> Negated() const;

  // "£1,234.56", "-£3.00", "£0.00". Round-trips through Parse.
  std::string Format() const;

  friend constexpr auto operator<=>(Money, Money) = default;

 private:
  constexpr explicit Money(int64_t pence) : pence_(pence) {}
  int64_t pence_ = 0;
};

}  // namespace rentstream::core
