#include "libs/core/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace rentstream::core {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(MoneyTest, ParsesTheFormsPeopleWrite) {
  struct Case {
    const char* text;
    int64_t pence;
  };
  const Case cases[] = {
      {"£1,234.56", 123456},
      {"-£3.00", -300},
      {"£-3.00", -300},
      {"1234.56", 123456},
      {"12", 1200},
      {"0.5", 50},
      {"£0.05", 5},
      {" £7.10 ", 710},
      {"12,345,678.90", 1234567890},
      {"1,234", 123400},
      {"0", 0},
      {"-0.01", -1},
      {"92233720368547758.07", kMax},
      {"-92233720368547758.08", kMin},
  };
  for (const Case& c : cases) {
    auto m = Money::Parse(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status();
    EXPECT_EQ(m->pence(), c.pence) << c.text;
  }
}

TEST(MoneyTest, RejectsBadInputWithErrorsNotExceptions) {
  struct Case {
    const char* text;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {"", absl::StatusCode::kInvalidArgument},
      {"   ", absl::StatusCode::kInvalidArgument},
      {"£", absl::StatusCode::kInvalidArgument},
      {"-", absl::StatusCode::kInvalidArgument},
      {"abc", absl::StatusCode::kInvalidArgument},
      {"1.234", absl::StatusCode::kInvalidArgument},
      {"0.001", absl::StatusCode::kInvalidArgument},
      {"1e5", absl::StatusCode::kInvalidArgument},
      {"+-1", absl::StatusCode::kInvalidArgument},
      {"--1", absl::StatusCode::kInvalidArgument},
      {"1.", absl::StatusCode::kInvalidArgument},
      {".5", absl::StatusCode::kInvalidArgument},
      {"1,23", absl::StatusCode::kInvalidArgument},
      {",123", absl::StatusCode::kInvalidArgument},
      {"1,,234", absl::StatusCode::kInvalidArgument},
      {"1234,567", absl::StatusCode::kInvalidArgument},
      {"12.3.4", absl::StatusCode::kInvalidArgument},
      {"£ 5", absl::StatusCode::kInvalidArgument},
      {"$5", absl::StatusCode::kInvalidArgument},
      {"92233720368547758.08", absl::StatusCode::kOutOfRange},
      {"-92233720368547758.09", absl::StatusCode::kOutOfRange},
      {"99999999999999999999999", absl::StatusCode::kOutOfRange},
  };
  for (const Case& c : cases) {
    auto m = Money::Parse(c.text);
    EXPECT_EQ(m.status().code(), c.code) << "\"" << c.text << "\" gave " << m.status();
    if (!m.ok()) {
      EXPECT_NE(std::string(m.status().message()).find("money"), std::string::npos);
    }
  }
}

TEST(MoneyTest, FormatsAndRoundTrips) {
  EXPECT_EQ(Money::FromPence(123456).Format(), "£1,234.56");
  EXPECT_EQ(Money::FromPence(-300).Format(), "-£3.00");
  EXPECT_EQ(Money::Zero().Format(), "£0.00");
  EXPECT_EQ(Money::FromPence(5).Format(), "£0.05");
  EXPECT_EQ(Money::FromPence(100000000).Format(), "£1,000,000.00");
  for (int64_t p : {kMax, kMin, int64_t{0}, int64_t{-1}, int64_t{99}, int64_t{100000}}) {
    auto back = Money::Parse(Money::FromPence(p).Format());
    ASSERT_TRUE(back.ok()) << p;
    EXPECT_EQ(back->pence(), p);
  }
}

TEST(MoneyTest, CheckedArithmeticReportsOverflow) {
  EXPECT_EQ(Money::FromPence(250).CheckedAdd(Money::FromPence(-50))->pence(), 200);
  EXPECT_EQ(Money::FromPence(kMax).CheckedAdd(Money::FromPence(1)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromPence(kMin).CheckedSub(Money::FromPence(1)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromPence(1000).CheckedSub(Money::FromPence(1500))->pence(), -500);
  EXPECT_EQ(Money::FromPence(12500).CheckedMultiply(52)->pence(), 650000);
  EXPECT_EQ(Money::FromPence(kMax / 2 + 1).CheckedMultiply(2).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromPence(kMin).CheckedMultiply(-1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromPence(kMin).Negated().status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromPence(-7).Negated()->pence(), 7);
  EXPECT_TRUE(Money::FromPence(-1).is_negative());
  EXPECT_LT(Money::FromPence(1), Money::FromPence(2));
}

}  // namespace
}  // namespace rentstream::core
