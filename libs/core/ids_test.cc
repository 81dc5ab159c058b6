#include "libs/core/ids.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"

namespace rentstream::core {
namespace {

TEST(TenancyRefTest, AcceptsLandlordReferences) {
  for (const char* ok :
       {"HA-000123", "TEN/2024/0042", "ABC", "123", "A1B2C3", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}) {
    auto r = TenancyRef::Parse(ok);
    ASSERT_TRUE(r.ok()) << ok << ": " << r.status();
    EXPECT_EQ(r->value(), ok);
  }
}

TEST(TenancyRefTest, RejectsBadInputWithAReason) {
  struct Case {
    std::string text;
    const char* why;
  };
  const Case cases[] = {
      {"", "is empty"},
      {"AB", "3 to 32"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "3 to 32"},
      {"ha-000123", "upper case"},
      {"HA 000123", "not allowed at position 3"},
      {"HA_000123", "not allowed"},
      {"-HA123", "start and end"},
      {"HA123/", "start and end"},
      {"HA--123", "two separators"},
      {"HA-/123", "two separators"},
      {std::string("HA\0123", 6), "not allowed"},
      {"HA\xC2\xA3"
       "123",
       "not allowed"},
      {"'; DROP TABLE", "not allowed"},
  };
  for (const Case& c : cases) {
    auto r = TenancyRef::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(r.status().message(), "tenancy_ref: ")) << r.status();
    EXPECT_NE(r.status().message().find(c.why), std::string::npos) << r.status();
  }
}

TEST(TenancyRefTest, IsHashableAndOrdered) {
  absl::flat_hash_set<TenancyRef> set;
  set.insert(*TenancyRef::Parse("HA-1"));
  set.insert(*TenancyRef::Parse("HA-1"));
  set.insert(*TenancyRef::Parse("HA-2"));
  EXPECT_EQ(set.size(), 2u);
  EXPECT_LT(*TenancyRef::Parse("HA-1"), *TenancyRef::Parse("HA-2"));
}

TEST(CommandIdTest, AcceptsIdempotencyKeys) {
  EXPECT_TRUE(CommandId::Parse("cmd-1").ok());
  EXPECT_TRUE(CommandId::Parse("0192f3a1-7c2b-7abc-8def-0123456789ab").ok());
  EXPECT_TRUE(CommandId::Parse("import:file-7:line.12_x").ok());
  EXPECT_TRUE(CommandId::Parse(std::string(64, 'a')).ok());
}

TEST(CommandIdTest, RejectsBadInput) {
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("a b"),
                                 std::string("a/b"), std::string("\xff")}) {
    auto id = CommandId::Parse(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(id.status().message(), "command_id: ")) << id.status();
  }
}

}  // namespace
}  // namespace rentstream::core
