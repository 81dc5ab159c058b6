#include "services/sample/domain/counter.h"

#include <gtest/gtest.h>

#include <limits>

namespace rentstream::sample {
namespace {

TEST(CounterTest, ValidatesTheAmountRange) {
  EXPECT_TRUE(ValidateIncrement({0}).has_value());
  EXPECT_TRUE(ValidateIncrement({-5}).has_value());
  EXPECT_TRUE(ValidateIncrement({kMaxIncrement + 1}).has_value());
  EXPECT_FALSE(ValidateIncrement({1}).has_value());
  EXPECT_FALSE(ValidateIncrement({kMaxIncrement}).has_value());
  EXPECT_EQ(ValidateIncrement({0})->field, "amount");
}

TEST(CounterTest, DecidesTheNewTotal) {
  auto decision = DecideIncrement({10, 2}, {5});
  ASSERT_TRUE(std::holds_alternative<Incremented>(decision));
  EXPECT_EQ(std::get<Incremented>(decision).total, 15);
  CounterState next = Evolve({10, 2}, std::get<Incremented>(decision));
  EXPECT_EQ(next.total, 15);
  EXPECT_EQ(next.increments, 3);
}

TEST(CounterTest, RefusesOverflowAsAPreconditionNotAnArgument) {
  CounterState near_max{std::numeric_limits<int64_t>::max() - 3, 1};
  auto decision = DecideIncrement(near_max, {4});
  ASSERT_TRUE(std::holds_alternative<Refusal>(decision));
  EXPECT_EQ(std::get<Refusal>(decision).kind, Refusal::Kind::kFailedPrecondition);
  EXPECT_TRUE(std::holds_alternative<Incremented>(DecideIncrement(near_max, {3})));
}

TEST(CounterTest, RefusesWhatWouldTakeTheDayOverItsLimit) {
  EXPECT_TRUE(std::holds_alternative<Incremented>(DecideIncrement({0, 0}, {5}, kMaxPerDay - 5)));
  auto decision = DecideIncrement({0, 0}, {6}, kMaxPerDay - 5);
  ASSERT_TRUE(std::holds_alternative<Refusal>(decision));
  EXPECT_EQ(std::get<Refusal>(decision).kind, Refusal::Kind::kFailedPrecondition);
  EXPECT_EQ(std::get<Refusal>(decision).field, "amount");
}

}  // namespace
}  // namespace rentstream::sample
