#include "libs/runtime/json_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rentstream::runtime {
namespace {

TEST(JsonLogTest, OneValidJsonObjectPerLineWithTheIds) {
  const std::string line =
      FormatLogLine(LogLevel::kWarn, "dead letter \"x\"\n",
                    {{"tenancy_ref", "T-1"}, {"command_id", "c1"}}, 1795585116806123);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["ts"], "2026-11-25T05:38:36.806123Z");
  EXPECT_EQ(json["level"], "warn");
  EXPECT_EQ(json["msg"], "dead letter \"x\"\n");
  EXPECT_EQ(json["tenancy_ref"], "T-1");
  EXPECT_EQ(json["command_id"], "c1");
}

TEST(JsonLogTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = FormatLogLine(LogLevel::kInfo, "bad \xff byte", {}, 0);
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

}  // namespace
}  // namespace rentstream::runtime
