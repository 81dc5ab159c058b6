#include "libs/core/uuid.h"

#include <chrono>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"

namespace rentstream::core {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<Uuid> Uuid::Parse(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "uuid: \"", text, "\" is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"));
  };
  if (text.size() != 36) return bad();
  std::array<uint8_t, 16> bytes{};
  size_t b = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad();
      ++i;
      continue;
    }
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    bytes[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return Uuid(bytes);
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes_[i] >> 4]);
    out.push_back(kHex[bytes_[i] & 0xF]);
  }
  return out;
}

int64_t Uuid::unix_ms() const {
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = ms << 8 | bytes_[i];
  return ms;
}

UuidV7Generator::UuidV7Generator(ClockMs clock_ms, Random64 random64)
    : clock_ms_(std::move(clock_ms)), random64_(std::move(random64)) {}

UuidV7Generator UuidV7Generator::SystemDefault() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mu = std::make_shared<std::mutex>();
  return UuidV7Generator(
      [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      },
      [engine, mu] {
        std::lock_guard<std::mutex> lock(*mu);
        return (*engine)();
      });
}

Uuid UuidV7Generator::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_ms_();
  if (now < 0) now = 0;
  if (now > last_ms_) {
    last_ms_ = now;
    // Start the counter in the lower half so a burst has room before it must borrow a ms.
    counter_ = static_cast<uint32_t>(random64_() & 0x7FF);
  } else if (counter_ < 0xFFF) {
    ++counter_;  // same millisecond, or the clock went back: keep order with the counter
  } else {
    ++last_ms_;  // counter exhausted: borrow the next millisecond
    counter_ = 0;
  }
  const uint64_t ms = static_cast<uint64_t>(last_ms_) & 0xFFFFFFFFFFFFull;
  const uint64_t rand_b = random64_();
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | ((counter_ >> 8) & 0x0F));
  b[7] = static_cast<uint8_t>(counter_ & 0xFF);
  b[8] = static_cast<uint8_t>(0x80 | ((rand_b >> 56) & 0x3F));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(rand_b >> (8 * (15 - i)));
  return Uuid::FromBytes(b);
}

}  // namespace rentstream::core
