#include "libs/runtime/projection_watermark.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rentstream::runtime {
namespace {

TEST(ProjectionWatermarkTest, AnOutcomeIsReflectedOnceTheMarkHasPassedItAndTheMarkNeverMovesBack) {
  ProjectionWatermark mark(3);
  int told = 0;
  mark.SetListener([&] { ++told; });
  EXPECT_FALSE(mark.Reflects(1, 0)) << "nothing is reflected before a write";

  mark.Advance(1, 5);  // records 0..4 of partition 1 are in the projection
  EXPECT_TRUE(mark.Reflects(1, 4));
  EXPECT_FALSE(mark.Reflects(1, 5));
  EXPECT_FALSE(mark.Reflects(0, 0)) << "each partition has its own mark";
  EXPECT_EQ(told, 1);

  mark.Advance(1, 3);  // an older end (another loop's catch-up, say): no move, no call
  mark.Advance(1, 5);
  EXPECT_TRUE(mark.Reflects(1, 4));
  EXPECT_EQ(told, 1);

  mark.Advance(1, 9);
  EXPECT_TRUE(mark.Reflects(1, 8));
  EXPECT_EQ(told, 2);

  mark.SetListener(nullptr);  // the gateway went away: advancing calls nobody
  mark.Advance(2, 1);
  EXPECT_TRUE(mark.Reflects(2, 0));
  EXPECT_EQ(told, 2);

  mark.Advance(7, 100);  // out of range: ignored
  EXPECT_TRUE(mark.Reflects(7, 1000)) << "a partition it does not track holds nothing back";
}

// A query forwarded by another replica waits until the projection has the outcomes that replica
// answered (runtime::AwaitReflected): the wait ends when a loop advances the mark, or at the
// deadline.
TEST(ProjectionWatermarkTest, AWaitEndsWhenTheMarkPassesOrAtTheDeadline) {
  ProjectionWatermark mark(2);
  mark.Advance(0, 5);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_TRUE(mark.WaitReflects(0, 5, now));  // records before 5: there already
  EXPECT_FALSE(mark.WaitReflects(0, 6, now)) << "not reflected, and the deadline has passed";

  std::thread loop([&] { mark.Advance(0, 6); });  // a loop's projection write, at some moment
  EXPECT_TRUE(mark.WaitReflects(0, 6, now + std::chrono::seconds(60)));
  loop.join();
}

}  // namespace
}  // namespace rentstream::runtime
