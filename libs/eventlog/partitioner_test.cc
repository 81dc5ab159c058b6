#include <gtest/gtest.h>

#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog {
namespace {

// Vectors from Kafka's own UtilsTest.testMurmur2 (Java's Utils.murmur2). The partition is the
// hash with the sign bit cleared, modulo the partition count.
struct Vector {
  const char* key;
  int32_t murmur2;
};
constexpr Vector kKafkaVectors[] = {
    {"21", -973932308},
    {"foobar", -790332482},
    {"a-little-bit-long-string", -985981536},
    {"a-little-bit-longer-string", -1486304829},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
    {"abc", 479470107},
};

TEST(PartitionerTest, MatchesKafkaJavaMurmur2) {
  for (const Vector& v : kKafkaVectors) {
    const int32_t positive = v.murmur2 & 0x7fffffff;
    for (int32_t n : {1, 3, 7, 12, 64, 1000}) {
      EXPECT_EQ(PartitionForKey(v.key, n), positive % n) << v.key << " over " << n;
    }
  }
}

TEST(PartitionerTest, SpreadsTenancyKeysOverPartitions) {
  std::vector<int> counts(12, 0);
  for (int i = 0; i < 12000; ++i) ++counts[PartitionForKey("T" + std::to_string(100000 + i), 12)];
  for (int c : counts) {
    EXPECT_GT(c, 800);
    EXPECT_LT(c, 1200);
  }
}

}  // namespace
}  // namespace rentstream::eventlog
