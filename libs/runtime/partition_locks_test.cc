#include "libs/runtime/partition_locks.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace rentstream::runtime {
namespace {

using std::chrono::milliseconds;

TEST(PartitionLocksTest, APartitionHasOneHolderAndPassesOnWhenReleased) {
  PartitionLocks locks;
  std::atomic<bool> stop{false};
  int loop_a = 0, loop_b = 0;
  ASSERT_TRUE(locks.Acquire(3, &loop_a, stop, milliseconds(0)));
  EXPECT_TRUE(locks.Acquire(3, &loop_a, stop, milliseconds(0))) << "its holder may ask again";
  EXPECT_TRUE(locks.Acquire(4, &loop_b, stop, milliseconds(0))) << "partitions are separate";
  EXPECT_FALSE(locks.Acquire(3, &loop_b, stop, milliseconds(0))) << "held by the other loop";
  locks.Release(3, &loop_b);  // not its holder: nothing happens
  EXPECT_EQ(locks.Holder(3), &loop_a);

  // B waits for the partition; A lets go; B has it.
  std::promise<void> waiting;
  auto b = std::async(std::launch::async, [&] {
    waiting.set_value();
    return locks.Acquire(3, &loop_b, stop, milliseconds(60000));
  });
  waiting.get_future().wait();
  locks.Release(3, &loop_a);
  EXPECT_TRUE(b.get());
  EXPECT_EQ(locks.Holder(3), &loop_b);
}

TEST(PartitionLocksTest, AWaitEndsOnStopOrTimeout) {
  PartitionLocks locks;
  std::atomic<bool> stop{false};
  int loop_a = 0, loop_b = 0;
  ASSERT_TRUE(locks.Acquire(1, &loop_a, stop, milliseconds(0)));
  EXPECT_FALSE(locks.Acquire(1, &loop_b, stop, milliseconds(50))) << "timed out";
  auto b = std::async(std::launch::async,
                      [&] { return locks.Acquire(1, &loop_b, stop, milliseconds(600000)); });
  stop = true;
  EXPECT_FALSE(b.get()) << "a stopping loop stops waiting";
  EXPECT_EQ(locks.Holder(1), &loop_a);
}

// A loop whose assignment was superseded stops waiting for a partition another loop now holds
// for good; until then it waits, and takes the partition when it is let go.
TEST(PartitionLocksTest, AWaitEndsWhenTheWaiterGivesUp) {
  PartitionLocks locks;
  std::atomic<bool> stop{false};
  std::atomic<bool> superseded{false};
  std::atomic<int> asked{0};
  std::promise<void> first_ask;
  std::atomic<bool> first_told{false};
  const auto give_up = [&] {
    ++asked;
    if (!first_told.exchange(true)) first_ask.set_value();
    return superseded.load();
  };
  const auto wait = std::chrono::seconds(20);  // far longer than a give-up takes (<= 100 ms)
  int loop_a = 0, loop_b = 0;
  ASSERT_TRUE(locks.Acquire(2, &loop_a, stop, milliseconds(0)));
  auto b = std::async(std::launch::async, [&] {
    const auto started = std::chrono::steady_clock::now();
    const bool got = locks.Acquire(2, &loop_b, stop, wait, give_up);
    return std::make_pair(got, std::chrono::steady_clock::now() - started);
  });
  ASSERT_EQ(first_ask.get_future().wait_for(wait), std::future_status::ready)
      << "asked while waiting";
  superseded = true;
  ASSERT_EQ(b.wait_for(wait), std::future_status::ready);
  const auto [got, took] = b.get();
  EXPECT_FALSE(got);
  EXPECT_LT(took, wait / 2) << "gave up when told, not at the timeout";
  EXPECT_EQ(locks.Holder(2), &loop_a);

  // Not giving up: it waits (asked again and again) and takes the partition when let go.
  superseded = false;
  asked = 0;
  auto again = std::async(std::launch::async,
                          [&] { return locks.Acquire(2, &loop_b, stop, wait, give_up); });
  while (asked.load() < 2 && again.wait_for(milliseconds(10)) != std::future_status::ready) {
  }
  locks.Release(2, &loop_a);
  ASSERT_EQ(again.wait_for(wait), std::future_status::ready);
  EXPECT_TRUE(again.get());
  EXPECT_EQ(locks.Holder(2), &loop_b);
}

}  // namespace
}  // namespace rentstream::runtime
