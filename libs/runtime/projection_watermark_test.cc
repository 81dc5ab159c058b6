#include "libs/runtime/projection_watermark.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace rentstream::runtime
