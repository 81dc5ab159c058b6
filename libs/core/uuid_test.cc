#include "libs/core/uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace rentstream::core {
namespace {

TEST(UuidTest, ParsesAndFormatsCanonically) {
  auto u = Uuid::Parse("0192F3A1-7C2B-7ABC-8DEF-0123456789AB");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->ToString(), "0192f3a1-7c2b-7abc-8def-0123456789ab");
  EXPECT_EQ(u->version(), 7);
  EXPECT_TRUE(u->has_rfc_variant());
  EXPECT_EQ(u->unix_ms(), 0x0192F3A17C2B);
  EXPECT_EQ(*Uuid::Parse(u->ToString()), *u);
}

TEST(UuidTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "not-a-uuid", "0192f3a1-7c2b-7abc-8def-0123456789a",
        "0192f3a1-7c2b-7abc-8def-0123456789abc", "0192f3a17c2b7abc8def0123456789ab",
        "0192f3a1-7c2b-7abc-8def_0123456789ab", "0192f3a1-7c2b-7abc-8def-0123456789ag",
        "{0192f3a1-7c2b-7abc-8def-0123456789a}"}) {
    auto u = Uuid::Parse(bad);
    EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(UuidV7Test, EmbedsTimeVersionAndVariant) {
  uint64_t r = 0x0123456789ABCDEFull;
  UuidV7Generator gen([] { return int64_t{1764000000123}; }, [&] { return r++; });
  Uuid u = gen.Next();
  EXPECT_EQ(u.version(), 7);
  EXPECT_TRUE(u.has_rfc_variant());
  EXPECT_EQ(u.unix_ms(), 1764000000123);
}

TEST(UuidV7Test, OrdersIdsWithinAMillisecondAndWhenTheClockStepsBack) {
  int64_t now = 1764000000000;
  uint64_t r = 99;
  UuidV7Generator gen([&] { return now; }, [&] { return r = r * 6364136223846793005ull + 1; });
  std::vector<Uuid> ids;
  for (int i = 0; i < 10000; ++i) {  // more than the 12-bit counter holds: borrows milliseconds
    ids.push_back(gen.Next());
    if (i == 5000) now -= 10'000;  // clock stepped back ten seconds
    if (i == 7000) now += 60'000;
  }
  for (size_t i = 1; i < ids.size(); ++i) {
    ASSERT_LT(ids[i - 1], ids[i]) << i;
    ASSERT_LT(ids[i - 1].ToString(), ids[i].ToString()) << i;  // text sorts the same way
  }
  // A burst larger than the counter borrows at most a millisecond or two from the future.
  EXPECT_GE(ids.back().unix_ms(), now);
  EXPECT_LE(ids.back().unix_ms(), now + 2);
}

TEST(UuidV7Test, SystemGeneratorIsUniqueAcrossThreads) {
  UuidV7Generator gen = UuidV7Generator::SystemDefault();
  std::vector<std::vector<Uuid>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&gen, &out] {
      for (int i = 0; i < 5000; ++i) out.push_back(gen.Next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<Uuid> all;
  for (const auto& out : per_thread) {
    for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1], out[i]);
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 20000u);
}

}  // namespace
}  // namespace rentstream::core
