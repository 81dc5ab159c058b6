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

}  // namespace
}  // namespace rentstream::runtime
