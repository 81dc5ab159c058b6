// Outcomes remembered by their events' ids (StreamLogic::Remembered::kEventIds, as the ledger and
// escalation services remember them): an accepted command is answered with its events' ids,
// types and the stream's sequence — the same answer the first time, on a repeat, for a batch item
// repeated alone, and from a projection rebuilt from the topic — and the projection keeps no
// second copy of the events.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
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

// Keeps an increment's answer itself (StreamLogic::RecallsOutcomeOf), as the ledger keeps a
// payment's: a keyed record per command id, written by the fold from the event's envelope and
// read by the decision of that command id.
class RecallingCounterLogic : public EventIdsCounterLogic {
 public:
  static std::string ReceiptKey(const std::string& command_id) { return "receipt/" + command_id; }
  bool RecallsOutcomeOf(std::string_view event_type) const override {
    return event_type == sample::v1::Incremented::descriptor()->full_name();
  }
  std::vector<std::string> KeysToDecide(const common::v1::CommandEnvelope& envelope,
                                        std::string_view payload) const override {
    std::vector<std::string> keys = EventIdsCounterLogic::KeysToDecide(envelope, payload);
    keys.push_back(ReceiptKey(envelope.command_id()));
    return keys;
  }
  Decision DecideCommand(const StreamView& stream, const common::v1::CommandEnvelope& envelope,
                         std::string_view payload) override {
    if (auto it = stream.keyed.find(ReceiptKey(envelope.command_id())); it != stream.keyed.end()) {
      common::v1::CommandResult first;
      if (!first.ParseFromString(it->second)) {
        return Decision::Fault(absl::DataLossError("receipt does not parse"));
      }
      return Decision::Recall(first);
    }
    return EventIdsCounterLogic::DecideCommand(stream, envelope, payload);
  }
  absl::Status EvolveStream(google::protobuf::Message& state, const common::v1::Event& event,
                            FoldSide& side) override {
    if (absl::Status st = EventIdsCounterLogic::EvolveStream(state, event, side); !st.ok()) {
      return st;
    }
    const common::v1::EventEnvelope& env = event.envelope();
    if (RecallsOutcomeOf(env.event_type())) {
      common::v1::CommandResult receipt;
      receipt.set_sequence(env.sequence());
      receipt.add_event_ids(env.event_id());
      receipt.add_event_types(env.event_type());
      side.keyed_writes[ReceiptKey(env.command_id())] = receipt.SerializeAsString();
    }
    return absl::OkStatus();
  }
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

  std::optional<common::v1::CommandOutcome> Stored(StreamStore& store, const std::string& id) {
    auto stored = store.LoadOutcome(eventlog::PartitionForKey("HA-1", kPartitions), "HA-1", id);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : std::nullopt;
  }

  EventIdsCounterLogic ids_logic_;
  RecallingCounterLogic recalling_logic_;
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

TEST_P(ProcessorOutcomeTest, ABatchItemTheLogicAnswersItselfLeavesNoOutcomeAndIsAnsweredAlike) {
  logic_ = &recalling_logic_;
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));  // alone: its id is the client's
  Send(CommandBatchOf("batch-1", {IncrementCommand("HA-1", "i1", 2),
                                  IncrementCommand("HA-1", "i2", -1)}));  // i2 refused
  Send(IncrementCommand("HA-1", "c1", 9));  // a repeat, other content: the first answer
  Send(IncrementCommand("HA-1", "i1", 2));  // a batch item repeated alone
  Send(CommandBatchOf("batch-1", {IncrementCommand("HA-1", "i1", 2),
                                  IncrementCommand("HA-1", "i2", -1)}));  // the batch again
  WaitForInputs(5);
  const std::vector<common::v1::Event> events = Events();
  ASSERT_EQ(events.size(), 3u) << "c1, i1 and i2's rejection";
  std::vector<common::v1::CommandOutcome> outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 5u);
  const common::v1::CommandOutcome first = outcomes[0];
  EXPECT_EQ(first.command_id(), "c1");
  ASSERT_TRUE(first.has_accepted());
  EXPECT_EQ(first.accepted().result().sequence(), 1u);
  EXPECT_EQ(outcomes[2].SerializeAsString(), first.SerializeAsString()) << "the repeat";
  ASSERT_TRUE(outcomes[1].has_batch());
  const common::v1::CommandOutcome batch_answer = outcomes[1];
  const auto& items = batch_answer.batch().items();
  ASSERT_EQ(items.size(), 2);
  ASSERT_TRUE(items[0].has_accepted());
  EXPECT_EQ(items[0].accepted().sequence(), 2u);
  ASSERT_EQ(items[0].accepted().event_ids_size(), 1);
  EXPECT_EQ(items[0].accepted().event_ids(0), events[1].envelope().event_id());
  ASSERT_TRUE(items[1].has_rejected());
  const common::v1::CommandResult i1 = items[0].accepted();
  const common::v1::Rejection i2 = items[1].rejected();
  EXPECT_EQ(outcomes[3].command_id(), "i1");
  EXPECT_EQ(outcomes[3].accepted().result().SerializeAsString(), i1.SerializeAsString());
  EXPECT_EQ(outcomes[4].SerializeAsString(), batch_answer.SerializeAsString()) << "the batch";
  StopProcessor();
  {
    auto store = StreamStore::Open(dir_.Sub("state"));
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE(Stored(**store, "c1").has_value()) << "a single command is remembered";
    EXPECT_FALSE(Stored(**store, "i1").has_value()) << "the logic keeps it";
    EXPECT_TRUE(Stored(**store, "i2").has_value()) << "a refusal is remembered as ever";
  }

  // Folded from the topic (a rebuild, another instance): every command remembered, answered
  // alike.
  StartProcessor(dir_.Sub("state-rebuilt"));
  Send(IncrementCommand("HA-1", "c1", 9));
  Send(IncrementCommand("HA-1", "i1", 9));
  Send(IncrementCommand("HA-1", "i2", 1));  // refused the first time: refused again
  WaitForInputs(3);
  EXPECT_EQ(Events().size(), 3u) << "nothing new";
  outcomes = Outcomes();
  ASSERT_EQ(outcomes.size(), 8u);
  EXPECT_EQ(outcomes[5].SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(outcomes[6].accepted().result().SerializeAsString(), i1.SerializeAsString());
  ASSERT_TRUE(outcomes[7].has_rejected());
  EXPECT_EQ(outcomes[7].rejected().SerializeAsString(), i2.SerializeAsString());
  StopProcessor();
  auto rebuilt = StreamStore::Open(dir_.Sub("state-rebuilt"));
  ASSERT_TRUE(rebuilt.ok());
  // A fold cannot tell a batch item's event from a single command's: it remembers both.
  EXPECT_TRUE(Stored(**rebuilt, "c1").has_value());
  EXPECT_TRUE(Stored(**rebuilt, "i1").has_value());
}

INSTANTIATE_TEST_SUITE_P(Buses, ProcessorOutcomeTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal), testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
