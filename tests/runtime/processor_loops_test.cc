// Processing loops sharing one state store (`--processors N`) on LocalBus, where a group moves to
// a new generation at once: a loop still taking an assignment the group has replaced must not
// wait for a partition the new generation gave another loop (it used to wait out the partition
// lock timeout, then restart).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "libs/eventlog/event_bus.h"
#include "libs/runtime/partition_locks.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/topics.h"
#include "services/sample/app/counter_logic.h"
#include "tests/runtime/bus_fixture.h"
#include "tests/runtime/counter_commands.h"

namespace rentstream::runtime {
namespace {

using testing::TempDir;

constexpr int kPartitions = 2;

// A tenancy whose commands go to `partition`.
std::string TenancyOn(int32_t partition) {
  for (int i = 0;; ++i) {
    std::string t = "T-" + std::to_string(700 + i);
    if (eventlog::PartitionForKey(t, kPartitions) == partition) return t;
  }
}

eventlog::OutgoingRecord Increment(const std::string& topic, const std::string& tenancy,
                                   const std::string& id) {
  eventlog::OutgoingRecord r;
  r.topic = topic;
  r.key = tenancy;
  r.value = testing::IncrementCommand(tenancy, id, 1).SerializeAsString();
  return r;
}

TEST(ProcessorLoopsTest, ALoopTakingASupersededAssignmentDoesNotWaitForAnotherLoopsPartition) {
  TempDir dir;
  auto bus = testing::OpenBus(testing::BusKind::kLocal, dir);
  ASSERT_NE(bus, nullptr);
  const std::string service = "counter";
  const ServiceTopics topics = ServiceTopics::For(service);
  ASSERT_TRUE(bus->DeclareTopics(TopicsToDeclare(service, {}, kPartitions, 1)).ok());
  auto store = StreamStore::Open(dir.Sub("state"));
  ASSERT_TRUE(store.ok()) << store.status();
  sample::CounterLogic logic;
  PartitionLocks locks;
  // Partition 1 is still held, as by a loop that has not let go of it yet.
  const std::atomic<bool> never{false};
  int previous_holder = 0;
  ASSERT_TRUE(locks.Acquire(1, &previous_holder, never, std::chrono::milliseconds(0)));

  auto options = [&](const std::string& instance) {
    ProcessorOptions o;
    o.service = service;
    o.instance_id = instance;
    o.static_membership = false;
    o.partition_locks = &locks;
    o.partition_lock_timeout = std::chrono::seconds(120);  // longer than the waits below
    return o;
  };
  std::atomic<bool> stop{false};
  ProcessorHost a(*bus, **store, logic, options("0"), nullptr);
  absl::Status a_status, b_status;
  std::thread a_thread([&] { a_status = a.Run(stop); });
  // Alone in the group, A is handed both partitions: it takes 0, then waits for 1.
  ASSERT_TRUE(testing::WaitFor([&] { return locks.Holder(0) == &a; }));

  // B joins: the group moves on (A: partition 0, B: partition 1) while A is still waiting.
  ProcessorHost b(*bus, **store, logic, options("1"), nullptr);
  std::thread b_thread([&] { b_status = b.Run(stop); });

  // A gives the old assignment up and takes the new one: a command on partition 0 is decided
  // while partition 1's previous holder still has it (A would have waited 120 s for it).
  auto appender = bus->NewAppender("test");
  ASSERT_TRUE(appender.ok());
  ASSERT_TRUE((*appender)->Append({Increment(topics.commands, TenancyOn(0), "c-0")}).ok());
  EXPECT_TRUE(testing::WaitFor([&] { return a.committed_inputs() == 1; }, std::chrono::seconds(30)))
      << "loop A is still waiting for partition 1";
  EXPECT_EQ(locks.Holder(1), &previous_holder);

  // Partition 1's previous holder lets go: B takes it and decides its command.
  locks.Release(1, &previous_holder);
  ASSERT_TRUE((*appender)->Append({Increment(topics.commands, TenancyOn(1), "c-1")}).ok());
  EXPECT_TRUE(testing::WaitFor([&] { return b.committed_inputs() == 1; }));
  EXPECT_EQ(locks.Holder(0), &a);
  EXPECT_EQ(locks.Holder(1), &b);

  stop = true;
  a_thread.join();
  b_thread.join();
  EXPECT_TRUE(a_status.ok()) << a_status;
  EXPECT_TRUE(b_status.ok()) << b_status;
  // Each command decided once, by the loop that owns its partition.
  int events = 0;
  for (const eventlog::Record& r : testing::ReadTopic(*bus, topics.events)) {
    common::v1::Event e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    ++events;
  }
  EXPECT_EQ(events, 2);
  EXPECT_EQ(a.committed_inputs(), 1u);
}

}  // namespace
}  // namespace rentstream::runtime
