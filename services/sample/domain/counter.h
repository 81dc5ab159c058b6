#pragma once
// The sample service's domain: a counter per tenancy. Pure — no I/O, no clock, no protobuf.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace rentstream::sample {

inline constexpr int64_t kMaxIncrement = 1'000'000;
// At most this much may be added to one counter on one business day.
inline constexpr int64_t kMaxPerDay = 10'000'000;

struct CounterState {
  int64_t total = 0;
  int64_t increments = 0;
};

struct IncrementCommand {
  int64_t amount = 0;
};

struct Incremented {
  int64_t amount = 0;
  int64_t total = 0;
};

// A command that cannot be carried out, and the field to blame.
struct Refusal {
  enum class Kind { kInvalidArgument, kFailedPrecondition };
  Kind kind;
  std::string field;
  std::string reason;
};

// Checks what needs no state.
std::optional<Refusal> ValidateIncrement(const IncrementCommand& command);

// `day_total`: what was already added to this counter on the command's business day.
std::variant<Incremented, Refusal> DecideIncrement(const CounterState& state,
                                                   const IncrementCommand& command,
                                                   int64_t day_total = 0);

CounterState Evolve(CounterState state, const Incremented& event);

}  // namespace rentstream::sample
