#include "libs/runtime/served_partitions.h"

#include <gtest/gtest.h>

namespace rentstream::runtime {
namespace {

TEST(ServedPartitionsTest, AQueryIsAnsweredOnlyForAPartitionServedNow) {
  ServedPartitions served(4);
  EXPECT_FALSE(served.Serves(1)) << "nothing is served before a loop has caught up";
  absl::Status st = served.CheckServes(1, "tenancy_ref", "HA-000123");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(st.message().rfind("tenancy_ref: HA-000123 is on partition 1", 0), 0u) << st;
  EXPECT_NE(st.message().find("serves none"), std::string::npos) << st;

  served.Set(1, true);
  served.Set(3, true);
  EXPECT_TRUE(served.CheckServes(1, "tenancy_ref", "HA-000123").ok());
  EXPECT_EQ(served.Served(), (std::vector<int32_t>{1, 3}));
  st = served.CheckServes(2, "tenancy_ref", "HA-000456");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("serves partitions 1,3"), std::string::npos) << st;

  served.Set(1, false);  // revoked: another instance's now
  EXPECT_FALSE(served.Serves(1));
  EXPECT_FALSE(served.Serves(-1));
  EXPECT_FALSE(served.Serves(4)) << "out of range";
  served.Set(7, true);  // out of range: ignored
  EXPECT_EQ(served.Served(), std::vector<int32_t>{3});
}

TEST(ServedPartitionsTest, AScanNeedsEveryPartition) {
  ServedPartitions served(3);
  served.Set(0, true);
  served.Set(2, true);
  absl::Status st = served.CheckServesAll("GetKpis");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("GetKpis reads every partition"), std::string::npos) << st;
  EXPECT_NE(st.message().find("partitions 0,2 of 3"), std::string::npos) << st;
  served.Set(1, true);
  EXPECT_TRUE(served.CheckServesAll("GetKpis").ok());
}

}  // namespace
}  // namespace rentstream::runtime
