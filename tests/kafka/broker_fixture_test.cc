// The broker fixture must leave no JVM behind, even when the process that started it crashes.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "libs/testing/child_process.h"
#include "libs/testing/kafka_broker.h"

namespace rentstream::testing {
namespace {

// Alive = has a /proc entry that is not a zombie.
bool ProcessAlive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] != 'Z' && line[close_paren + 2] != 'X';
}

bool WaitUntilGone(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ProcessAlive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval
  }
  return true;
}

// The broker's threads are sized by the cores the process may use: a container's CPU quota
// counts, not only the host's CPUs.
TEST(BrokerFixtureTest, ACpuQuotaLimitsTheCoresCounted) {
  EXPECT_EQ(CoresUnderQuota("200000 100000\n", 32), 2u);
  EXPECT_EQ(CoresUnderQuota("150000 100000", 32), 2u);  // 1.5 CPUs: rounded up
  EXPECT_EQ(CoresUnderQuota("50000 100000", 32), 1u);   // never below one
  EXPECT_EQ(CoresUnderQuota("800000 100000", 2), 2u);   // never above the CPUs there are
  EXPECT_EQ(CoresUnderQuota("max 100000", 8), 8u);      // no quota
  EXPECT_EQ(CoresUnderQuota("", 8), 8u);
  EXPECT_EQ(CoresUnderQuota("garbage", 8), 8u);
  EXPECT_EQ(CoresUnderQuota("-1 100000", 8), 8u);
  const unsigned usable = UsableCores();
  EXPECT_GE(usable, 1u);
  EXPECT_LE(usable, std::max(1u, std::thread::hardware_concurrency()));
}

TEST(BrokerFixtureTest, DestructorKillsTheBrokerAndRemovesItsData) {
  auto broker = KafkaBroker::Start();
  ASSERT_TRUE(broker.ok()) << broker.status();
  const pid_t pid = (*broker)->pid();
  const std::string dir = (*broker)->data_dir();
  ASSERT_TRUE(ProcessAlive(pid));
  broker->reset();
  EXPECT_FALSE(ProcessAlive(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(BrokerFixtureTest, BrokerDiesWithACrashedTestProcess) {
  const std::string log =
      (std::filesystem::temp_directory_path() / ("crash-helper-" + std::to_string(getpid())))
          .string();
  auto helper = SpawnChild({RS_BROKER_CRASH_HELPER}, log);
  ASSERT_TRUE(helper.ok()) << helper.status();
  EXPECT_EQ(WaitChild(*helper), 128 + SIGKILL);

  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(log);
  const auto at = text.str().find("jvm-pid ");
  ASSERT_NE(at, std::string::npos) << text.str();
  const pid_t jvm = std::stoi(text.str().substr(at + 8));
  EXPECT_TRUE(WaitUntilGone(jvm, std::chrono::seconds(30))) << "orphan JVM " << jvm;
  if (ProcessAlive(jvm)) kill(jvm, SIGKILL);  // never leave it behind, even when failing
  // A crashed process cannot clean up its broker's data directory; the test does.
  const auto dir_at = text.str().find("data-dir ");
  ASSERT_NE(dir_at, std::string::npos);
  std::string dir = text.str().substr(dir_at + 9);
  dir = dir.substr(0, dir.find('\n'));
  ASSERT_NE(dir.find("rentstream-kafka-"), std::string::npos) << dir;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rentstream::testing
