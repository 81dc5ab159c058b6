#include "services/sample/domain/counter.h"

#include <limits>

namespace rentstream::sample {

std::optional<Refusal> ValidateIncrement(const IncrementCommand& command) {
  if (command.amount < 1 || command.amount > kMaxIncrement) {
    return Refusal{Refusal::Kind::kInvalidArgument, "amount",
                   "must be between 1 and " + std::to_string(kMaxIncrement)};
  }
  return std::nullopt;
}

std::variant<Incremented, Refusal> DecideIncrement(const CounterState& state,
                                                   const IncrementCommand& command,
                                                   int64_t day_total) {
  if (auto invalid = ValidateIncrement(command)) return *invalid;
  if (day_total > kMaxPerDay - command.amount) {
    return Refusal{Refusal::Kind::kFailedPrecondition, "amount",
                   "at most " + std::to_string(kMaxPerDay) + " a day; " +
                       std::to_string(day_total) + " already added today"};
  }
  if (state.total > std::numeric_limits<int64_t>::max() - command.amount) {
    return Refusal{Refusal::Kind::kFailedPrecondition, "amount", "the counter would overflow"};
  }
  return Incremented{command.amount, state.total + command.amount};
}

CounterState Evolve(CounterState state, const Incremented& event) {
  state.total = event.total;
  state.increments += 1;
  return state;
}

}  // namespace rentstream::sample
