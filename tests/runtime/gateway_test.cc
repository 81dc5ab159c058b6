// The command gateway's deadline semantics: a command whose outcome does not come in time gets
// DEADLINE_EXCEEDED, is not lost, is decided exactly once later, and a retry with the same id
// then returns that decision.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "libs/runtime/command_gateway.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/projection_watermark.h"
#include "libs/runtime/served_partitions.h"
#include "libs/runtime/topics.h"
#include "rentstream/sample/v1/counter.pb.h"
#include "services/sample/app/counter_logic.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::runtime {
namespace {

using testing::BusKind;

common::v1::Command Increment(const std::string& tenancy, const std::string& id, int64_t amount) {
  common::v1::Command c;
  auto& env = *c.mutable_envelope();
  env.set_command_id(id);
  env.set_tenancy_ref(tenancy);
  env.set_command_type(sample::v1::Increment::descriptor()->full_name());
  sample::v1::Increment inc;
  inc.set_amount(amount);
  c.set_payload(inc.SerializeAsString());
  return c;
}

class GatewayTest : public ::testing::TestWithParam<BusKind> {};

TEST_P(GatewayTest, DeadlineExceededLosesNothingAndARetryGetsTheDecision) {
  static std::atomic<int> n{0};
  const std::string service = "gw" + std::to_string(++n);
  rentstream::testing::TempDir dir;
  auto bus = rentstream::testing::OpenBus(GetParam(), dir);
  ASSERT_NE(bus, nullptr);
  ASSERT_TRUE(bus->DeclareTopics(TopicsToDeclare(service, {}, 2, 1)).ok());
  sample::CounterLogic logic;
  auto gateway = CommandGateway::Start(*bus, service, logic);
  ASSERT_TRUE(gateway.ok()) << gateway.status();

  // No processor is running: nobody can answer in time.
  auto late = (*gateway)->Submit(Increment("T-9", "late-1", 4),
                                 std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();

  // Invalid commands never reach the topic.
  auto invalid = (*gateway)->Submit(Increment("T-9", "bad-1", -1),
                                    std::chrono::steady_clock::now() + std::chrono::seconds(1));
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(invalid.status().message()).find("amount"), std::string::npos);
  EXPECT_EQ(rentstream::testing::ReadTopic(*bus, ServiceTopics::For(service).commands).size(), 1u);

  auto store = StreamStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok());
  ProcessorOptions options;
  options.service = service;
  options.static_membership = false;
  ProcessorHost host(*bus, **store, logic, options);
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE(host.Run(stop).ok()); });

  auto retried = (*gateway)->Submit(Increment("T-9", "late-1", 4),
                                    std::chrono::steady_clock::now() + std::chrono::seconds(60));
  ASSERT_TRUE(retried.ok()) << retried.status();
  ASSERT_EQ(retried->accepted().events_size(), 1);
  stop = true;
  runner.join();
  auto events = rentstream::testing::ReadTopic(*bus, ServiceTopics::For(service).events);
  ASSERT_EQ(events.size(), 1u) << "the late command was decided exactly once";
  common::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(events[0].value));
  EXPECT_EQ(event.envelope().event_id(), retried->accepted().events(0).envelope().event_id());
}

// A command's answer comes once this process's projection has the command, so that a query
// right after it, to the same instance, reads what it did: the projection is written after the
// transaction's commit, which is when the outcome record becomes visible. Here the loop's
// projection write is held back after the commit; the answer must not come before it.
TEST_P(GatewayTest, TheAnswerWaitsUntilTheProjectionHasTheCommand) {
  static std::atomic<int> n{0};
  const std::string service = "gwr" + std::to_string(++n);
  rentstream::testing::TempDir dir;
  auto bus = rentstream::testing::OpenBus(GetParam(), dir);
  ASSERT_NE(bus, nullptr);
  constexpr int32_t kPartitions = 2;
  ASSERT_TRUE(bus->DeclareTopics(TopicsToDeclare(service, {}, kPartitions, 1)).ok());
  sample::CounterLogic logic;
  ServedPartitions served(kPartitions);  // both outlive the gateway
  ProjectionWatermark watermark(kPartitions);
  auto gateway = CommandGateway::Start(*bus, service, logic);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  (*gateway)->AnswerOnceReflected(&served, &watermark);

  auto store = StreamStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok());
  const auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(60); };
  const int32_t partition = eventlog::PartitionForKey("T-1", kPartitions);
  {
    // A first owner decides a command (marking nothing for this gateway), then stops.
    ProcessorOptions first;
    first.service = service;
    first.static_membership = false;
    ProcessorHost owner(*bus, **store, logic, first);
    std::atomic<bool> stop{false};
    std::thread runner([&] { EXPECT_TRUE(owner.Run(stop).ok()); });
    ASSERT_TRUE((*gateway)->Submit(Increment("T-1", "first", 2), deadline()).ok());
    stop = true;
    runner.join();
  }

  // Armed, the next transaction's projection write waits after its commit until released (or
  // for at most ten seconds, should the test stop early).
  std::mutex mu;
  std::condition_variable cv;
  bool armed = false, held = false, released = false;
  ProcessorOptions options;
  options.service = service;
  options.static_membership = false;
  options.served_partitions = &served;
  options.projection_watermark = &watermark;
  options.after_commit_for_tests = [&] {
    std::unique_lock lock(mu);
    if (!armed) return;
    armed = false;
    held = true;
    cv.notify_all();
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
  };
  ProcessorHost host(*bus, **store, logic, options);
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE(host.Run(stop).ok()); });
  ASSERT_TRUE(rentstream::testing::WaitFor(
      [&] { return served.Served().size() == static_cast<size_t>(kPartitions); }));
  // Taking the partition, the loop folded the first owner's events: their outcomes are reflected.
  EXPECT_TRUE(watermark.Reflects(partition, 0));

  {
    std::lock_guard lock(mu);
    armed = true;
  }
  absl::StatusOr<common::v1::CommandOutcome> answer;
  bool answered = false;
  std::thread submitter([&] {
    auto a = (*gateway)->Submit(Increment("T-1", "second", 3), deadline());
    std::lock_guard lock(mu);
    answer = std::move(a);
    answered = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return held; }));
    // The commit is done and its outcome record visible; the projection write is held back, so
    // the answer must not come (the gateway would see the outcome within milliseconds).
    EXPECT_FALSE(cv.wait_for(lock, std::chrono::seconds(1), [&] { return answered; }))
        << "answered before the projection had the command";
    released = true;
    cv.notify_all();
  }
  submitter.join();
  ASSERT_TRUE(answer.ok()) << answer.status();
  auto record = (*store)->LoadStream(partition, "T-1");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->sequence(), 2u);
  stop = true;
  runner.join();
}

INSTANTIATE_TEST_SUITE_P(Buses, GatewayTest, ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
