// Outcomes remembered by their events' ids (StreamLogic::Remembered::kEventIds, as the ledger and
// escalation services remember them): an accepted command is answered with its events' ids,
// types and the stream's sequence — the same answer the first time, on a repeat, for a batch item
// repeated alone, and from a projection rebuilt from the topic — and the projection keeps no
// second copy of the events.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libs/runtime/command_gateway.h"
#include "tests/runtime/counter_commands.h"
#include "tests/runtime/processor_fixture.h"

namespace rentstream::runtime {
namespace {

using testing::BusKind;
using testing::CommandBatchOf;
using testing::IncrementCommand;

class EventIdsCounterLogic : public sample::CounterLogic {
 public:
  Remembered RemembersOfOutcomes() const override { return Remembered::kEventIds; }
};

class ProcessorOutcomeTest : public ProcessorTest {
 protected:
  void SetUp() override {
    ProcessorTest::SetUp();
    logic_ = &ids_logic_;
  }

  std::vector<common::v1::CommandOutcome> Outcomes() {
    std::vector<common::v1::CommandOutcome> out;
    for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.outcomes)) {
      EXPECT_TRUE(out.emplace_back().ParseFromString(r.value));
    }
    return out;
  }
  std::vector<common::v1::Event> Events() {
    std::vector<common::v1::Event> out;
    for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.events)) {
      EXPECT_TRUE(out.emplace_back().ParseFromString(r.value));
    }
    return out;
  }

  EventIdsCounterLogic ids_logic_;
};

TEST_P(ProcessorOutcomeTest, AnAcceptedCommandIsAnsweredByItsEventIdsTheSameEveryTime) {
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));
  Send(IncrementCommand("HA-1", "c2", 2));
  Send(IncrementCommand("HA-1", "c1", 9));  // a repeat
  WaitForInputs(3);
  const std::vector<common::v1::Event> events = Events();
  ASSERT_EQ(events.size(), 2u);
  std::vector<common::v1::CommandOutcome> outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 3u);

  const common::v1::CommandOutcome first = outcomes[0];
  EXPECT_EQ(first.command_id(), "c1");
  ASSERT_TRUE(first.has_accepted());
  EXPECT_EQ(first.accepted().events_size(), 0) << "no copy of the event";
  const common::v1::CommandResult result = first.accepted().result();
  EXPECT_EQ(result.sequence(), 1u);
  ASSERT_EQ(result.event_ids_size(), 1);
  EXPECT_EQ(result.event_ids(0), events[0].envelope().event_id());
  ASSERT_EQ(result.event_types_size(), 1);
  EXPECT_EQ(result.event_types(0), sample::v1::Incremented::descriptor()->full_name());
  EXPECT_EQ(outcomes[1].accepted().result().sequence(), 2u);
  EXPECT_EQ(outcomes[1].accepted().result().event_ids(0), events[1].envelope().event_id());
  EXPECT_EQ(outcomes[2].SerializeAsString(), first.SerializeAsString()) << "the repeat";
  const common::v1::CommandOutcome second = outcomes[1];

  // What a service's gRPC answer holds, built from this form.
  common::v1::CommandResult answered;
  RecordOutcome(first, &answered);
  EXPECT_EQ(answered.SerializeAsString(), result.SerializeAsString());

  // The stored outcome holds the ids too.
  StopProcessor();
  {
    auto store = StreamStore::Open(dir_.Sub("state"));
    ASSERT_TRUE(store.ok());
    auto stored =
        (*store)->LoadOutcome(eventlog::PartitionForKey("HA-1", kPartitions), "HA-1", "c1");
    ASSERT_TRUE(stored.ok());
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->SerializeAsString(), first.SerializeAsString());
  }

  // A projection folded from the topic (a rebuild, or another instance taking the partition)
  // remembers the command alike: the repeat's answer does not depend on who decided it.
  StartProcessor(dir_.Sub("state-rebuilt"));
  Send(IncrementCommand("HA-1", "c1", 9));
  Send(IncrementCommand("HA-1", "c2", 9));
  WaitForInputs(2);
  EXPECT_EQ(Events().size(), 2u) << "nothing new";
  outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_EQ(outcomes[3].SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(outcomes[4].SerializeAsString(), second.SerializeAsString());
}

TEST_P(ProcessorOutcomeTest, ABatchItemRepeatedAloneIsAnsweredWithWhatTheBatchAnswered) {
  StartProcessor(dir_.Sub("state"));
  Send(CommandBatchOf("batch-1",
                      {IncrementCommand("HA-1", "i1", 2), IncrementCommand("HA-1", "i2", 3),
                       IncrementCommand("HA-1", "i3", -1)}));  // refused
  Send(IncrementCommand("HA-1", "i2", 3));
  Send(IncrementCommand("HA-1", "i3", 7));
  WaitForInputs(3);
  const std::vector<common::v1::CommandOutcome> outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  ASSERT_TRUE(outcomes[0].has_batch());
  const auto& items = outcomes[0].batch().items();
  ASSERT_EQ(items.size(), 3);
  ASSERT_TRUE(items[1].has_accepted());
  EXPECT_EQ(items[1].accepted().sequence(), 2u);

  const common::v1::CommandOutcome& alone = outcomes[1];
  EXPECT_EQ(alone.command_id(), "i2");
  EXPECT_EQ(alone.accepted().events_size(), 0);
  EXPECT_EQ(alone.accepted().result().SerializeAsString(), items[1].accepted().SerializeAsString());
  // A refusal is remembered whole, as in either form.
  ASSERT_TRUE(items[2].has_rejected());
  ASSERT_TRUE(outcomes[2].has_rejected());
  EXPECT_EQ(outcomes[2].rejected().SerializeAsString(), items[2].rejected().SerializeAsString());
}

TEST_P(ProcessorOutcomeTest, AnOutcomeRememberedWithItsEventsIsStillAnsweredWithThem) {
  logic_ = &counter_logic_;  // as a release that remembered events wrote the projection
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));
  WaitForInputs(1);
  StopProcessor();

  logic_ = &ids_logic_;
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));  // a repeat: answered from the stored events
  Send(IncrementCommand("HA-1", "c2", 1));  // new: remembered by ids
  WaitForInputs(2);
  const std::vector<common::v1::CommandOutcome> outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  ASSERT_EQ(outcomes[0].accepted().events_size(), 1);
  EXPECT_EQ(outcomes[1].SerializeAsString(), outcomes[0].SerializeAsString());
  EXPECT_EQ(outcomes[2].accepted().events_size(), 0);
  EXPECT_EQ(outcomes[2].accepted().result().sequence(), 2u);
  // Either form gives a service the same CommandResult.
  common::v1::CommandResult answered;
  RecordOutcome(outcomes[1], &answered);
  EXPECT_EQ(answered.sequence(), 1u);
  ASSERT_EQ(answered.event_ids_size(), 1);
  EXPECT_EQ(answered.event_ids(0), outcomes[0].accepted().events(0).envelope().event_id());
}

INSTANTIATE_TEST_SUITE_P(Buses, ProcessorOutcomeTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal), testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
