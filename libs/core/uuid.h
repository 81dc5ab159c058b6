#pragma once
// UUID version 7 (RFC 9562): 48-bit Unix milliseconds, version, 12-bit sub-millisecond counter,
// variant, 62 random bits. Generated ids sort in creation order within one generator, even when
// the clock stalls or steps back.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rentstream::core {

class Uuid {
 public:
  // Canonical 8-4-4-4-12 hex form, either case. INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Uuid> Parse(absl::string_view text);
  static Uuid FromBytes(const std::array<uint8_t, 16>& bytes) { return Uuid(bytes); }

  // Lower-case canonical form.
  std::string ToString() const;
  int version() const { return bytes_[6] >> 4; }
  // The RFC 4122/9562 variant (binary 10).
  bool has_rfc_variant() const { return (bytes_[8] & 0xC0) == 0x80; }
  // For version 7: the embedded Unix time in milliseconds.
  int64_t unix_ms() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  explicit Uuid(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}
  std::array<uint8_t, 16> bytes_{};
};

class UuidV7Generator {
 public:
  using ClockMs = std::function<int64_t()>;
  using Random64 = std::function<uint64_t()>;

  // Both sources are injected so tests are deterministic; SystemDefault() uses the system clock
  // and a seeded std::mt19937_64. Thread-safe.
  UuidV7Generator(ClockMs clock_ms, Random64 random64);
  static UuidV7Generator SystemDefault();

  // Strictly greater than every id this generator returned before.
  Uuid Next();

 private:
  ClockMs clock_ms_;
  Random64 random64_;
  std::mutex mu_;
  int64_t last_ms_ = -1;
  uint32_t counter_ = 0;  // 12 bits
};

}  // namespace rentstream::core
