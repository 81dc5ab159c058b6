// Exactly-once under crashes (issue acceptance 1): the sample service runs as a child process
// over 100,000 preloaded commands and is SIGKILLed at random moments at least 10 times, restarted
// each time, then stopped with SIGTERM. Afterwards the events topic (read_committed) must hold
// exactly one event per command, in per-key order, and the child's RocksDB state digest must equal
// a clean fold of the events topic. Run on KafkaBus (real broker) and LocalBus.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "libs/runtime/processor_host.h"
#include "libs/runtime/topics.h"
#include "libs/testing/child_process.h"
#include "rentstream/sample/v1/counter.pb.h"
#include "services/sample/app/counter_logic.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::runtime {
namespace {

using rentstream::testing::BusKind;

constexpr int kCommands = 100000;
constexpr int kTenancies = 250;
constexpr int kPartitions = 4;
constexpr int kKills = 10;
const std::string kService = sample::CounterLogic::kService;

std::string Tenancy(int i) { return "T" + std::to_string(10000 + i % kTenancies); }
std::string CommandIdOf(int i) { return "c" + std::to_string(i); }

// Sum of a metric's samples (all label sets) in a Prometheus text page; -1 if absent. With
// `series`: also how many samples were summed.
double MetricSum(const std::string& page, const std::string& name, const std::string& filter = "",
                 int* series = nullptr) {
  std::istringstream in(page);
  double sum = -1;
  if (series != nullptr) *series = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    if (!filter.empty() && line.find(filter) == std::string::npos) continue;
    sum = (sum < 0 ? 0 : sum) + std::stod(line.substr(line.rfind(' ') + 1));
    if (series != nullptr) ++*series;
  }
  return sum;
}

class CrashTest : public ::testing::TestWithParam<BusKind> {
 protected:
  std::vector<std::string> ChildArgs() const {
    // 1 MB memtables: a kill finds part of a run flushed to tables and part only in memory (no
    // write-ahead log); the restart keeps the first and folds the rest from the topic.
    std::vector<std::string> args = {RS_SAMPLE_BINARY,
                                     "--data-dir=" + dir_.path(),
                                     "--grpc-listen=127.0.0.1:0",
                                     "--metrics-listen=127.0.0.1:0",
                                     "--partitions=" + std::to_string(kPartitions),
                                     "--instance-id=0",
                                     "--max-batch=500",
                                     "--kafka-session-timeout-ms=6000",
                                     "--state-memtable-mb=1"};
    if (GetParam() == BusKind::kKafka) {
      args.push_back("--bus=kafka");
      args.push_back("--bootstrap=" + rentstream::testing::KafkaEnvironment::broker().bootstrap());
    } else {
      args.push_back("--bus=local");
    }
    return args;
  }

  // Starts the child and returns its pid and metrics port (read from its "listening" line).
  std::pair<pid_t, int> StartChild(int run) {
    const std::string log = dir_.Sub("child-" + std::to_string(run) + ".log");
    auto pid = rentstream::testing::SpawnChild(ChildArgs(), log);
    EXPECT_TRUE(pid.ok()) << pid.status();
    int metrics_port = -1;
    EXPECT_TRUE(rentstream::testing::WaitFor([&] {
      std::ifstream in(log);
      for (std::string line; std::getline(in, line);) {
        if (auto at = line.find("listening grpc="); at != std::string::npos) {
          metrics_port = std::stoi(line.substr(line.find("metrics=") + 8));
          return true;
        }
      }
      return !rentstream::testing::ChildRunning(*pid);
    })) << "child did not start";
    EXPECT_GT(metrics_port, 0) << "child exited early; see " << log;
    return {*pid, metrics_port};
  }

  std::string Scrape(int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    auto res = client.Get("/metrics");
    return res && res->status == 200 ? res->body : "";
  }

  void Preload() {
    auto bus = rentstream::testing::OpenBus(GetParam(), dir_);
    ASSERT_NE(bus, nullptr);
    ASSERT_TRUE(bus->DeclareTopics(TopicsToDeclare(kService, {}, kPartitions, 1)).ok());
    auto appender = bus->NewAppender("crash-test-loader");
    ASSERT_TRUE(appender.ok());
    std::vector<eventlog::OutgoingRecord> chunk;
    for (int i = 0; i < kCommands; ++i) {
      common::v1::Command c;
      auto& env = *c.mutable_envelope();
      env.set_command_id(CommandIdOf(i));
      env.set_tenancy_ref(Tenancy(i));
      env.set_command_type(sample::v1::Increment::descriptor()->full_name());
      sample::v1::Increment inc;
      inc.set_amount(1);
      c.set_payload(inc.SerializeAsString());
      eventlog::OutgoingRecord r;
      r.topic = ServiceTopics::For(kService).commands;
      r.key = Tenancy(i);
      r.value = c.SerializeAsString();
      chunk.push_back(std::move(r));
      if (chunk.size() == 5000) {
        ASSERT_TRUE((*appender)->Append(chunk).ok());
        chunk.clear();
      }
    }
  }

  rentstream::testing::TempDir dir_;
};

TEST_P(CrashTest, ExactlyOnceAcrossRandomKills) {
  Preload();
  if (HasFatalFailure()) return;
  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  for (int run = 0; kills < kKills; ++run) {
    auto [pid, port] = StartChild(run);
    ASSERT_GT(port, 0);
    const double target = std::uniform_int_distribution<int>(2000, 7000)(rng);
    // Wait for some progress in this run (or the end of the input), then kill at a random moment.
    rentstream::testing::WaitFor(
        [&] {
          const std::string page = Scrape(port);
          return MetricSum(page, "rentstream_records_in_total") >= target ||
                 !rentstream::testing::ChildRunning(pid);
        },
        std::chrono::seconds(120));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(rng)));
    ASSERT_TRUE(rentstream::testing::ChildRunning(pid))
        << "child died on its own (run " << run << ")";
    rentstream::testing::KillChild(pid, SIGKILL);
    ++kills;
  }

  // The last run finishes the input; then SIGTERM must drain and exit 0.
  auto [pid, port] = StartChild(kKills);
  ASSERT_GT(port, 0);
  ASSERT_TRUE(rentstream::testing::WaitFor(
      [&] {
        // Every partition owned, each with its lag measured: a killed member's partitions reach
        // this one only when the group rebalances, and the lag of those it owns says nothing of
        // theirs (nor does a lag of no records measured before it took them: lags are measured
        // once a second). All input is there before the runs start, so a lag only falls.
        const std::string page = Scrape(port);
        int lags = 0;
        const double lag = MetricSum(page, "rentstream_consumer_lag_records", "commands", &lags);
        return MetricSum(page, "rentstream_owned_partitions") == kPartitions &&
               MetricSum(page, "rentstream_caught_up") == 1 && lags == kPartitions && lag == 0;
      },
      std::chrono::seconds(300)))
      << "input not drained";
  kill(pid, SIGTERM);
  EXPECT_EQ(rentstream::testing::WaitChild(pid), 0) << "SIGTERM must drain and exit 0";

  // Exactly one event per command, in per-key order.
  auto bus = rentstream::testing::OpenBus(GetParam(), dir_);
  ASSERT_NE(bus, nullptr);
  std::map<std::string, int64_t> totals;
  std::map<std::string, int> last_command;
  std::set<std::string> seen;
  uint64_t events = 0;
  for (const eventlog::Record& r :
       rentstream::testing::ReadTopic(*bus, ServiceTopics::For(kService).events)) {
    common::v1::Event event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    ASSERT_EQ(event.envelope().event_type(), "rentstream.sample.v1.Incremented");
    sample::v1::Incremented inc;
    ASSERT_TRUE(inc.ParseFromString(event.payload()));
    ASSERT_TRUE(seen.insert(event.envelope().command_id()).second)
        << "command decided twice: " << event.envelope().command_id();
    EXPECT_EQ(inc.total(), ++totals[r.key]) << r.key;
    const int command = std::stoi(event.envelope().command_id().substr(1));
    auto [it, first] = last_command.emplace(r.key, command);
    if (!first) {
      EXPECT_LT(it->second, command) << "per-key order broken for " << r.key;
      it->second = command;
    }
    ++events;
  }
  EXPECT_EQ(events, static_cast<uint64_t>(kCommands));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kCommands));

  // The child's projection equals a clean fold of the topic.
  auto live = StreamStore::Open(dir_.Sub("state-0"));
  ASSERT_TRUE(live.ok()) << live.status();
  auto clean = StreamStore::Open(dir_.Sub("clean-fold"));
  ASSERT_TRUE(clean.ok());
  sample::CounterLogic logic;
  auto folded = ProcessorHost::Rebuild(*bus, **clean, logic, kService);
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(*folded, static_cast<uint64_t>(kCommands));
  EXPECT_EQ(*(*live)->StreamsDigest(), *(*clean)->StreamsDigest());
  EXPECT_EQ(*(*live)->StreamCount(), static_cast<uint64_t>(kTenancies));
}

INSTANTIATE_TEST_SUITE_P(Buses, CrashTest, ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
