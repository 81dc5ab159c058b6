// ProcessorHost against both buses with the sample counter logic: decisions become chained
// events, repeated command ids are answered once, poison goes to the dead-letter topic, and a
// projection rebuilt from the topic equals the live one.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <thread>

#include "libs/core/civil_date.h"
#include "libs/core/hash_chain.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/command_gateway.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/topics.h"
#include "rentstream/sample/v1/counter.pb.h"
#include "services/sample/app/counter_logic.h"
#include "tests/runtime/bus_fixture.h"
#include "tests/runtime/counter_commands.h"
#include "tests/runtime/processor_fixture.h"

namespace rentstream::runtime {
namespace {

using testing::BusKind;
using testing::CommandBatchOf;
using testing::IncrementCommand;
using testing::TempDir;

TEST_P(ProcessorTest, DecidesCommandsIntoHashChainedEvents) {
  StartProcessor(dir_.Sub("state"));
  for (int i = 0; i < 30; ++i) {
    Send(IncrementCommand("HA-" + std::to_string(i % 3), "cmd-" + std::to_string(i), i + 1));
  }
  WaitForInputs(30);
  std::map<std::string, std::vector<core::ChainedEvent>> streams;
  std::map<std::string, int64_t> totals;
  for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    EXPECT_EQ(r.key, ev.envelope().tenancy_ref());
    EXPECT_EQ(ev.envelope().service(), service_);
    EXPECT_EQ(ev.envelope().actor().id(), "officer-1");
    EXPECT_EQ(ev.envelope().causation_id(), ev.envelope().command_id());
    sample::v1::Incremented inc;
    ASSERT_TRUE(inc.ParseFromString(ev.payload()));
    totals[r.key] += inc.amount();
    EXPECT_EQ(inc.total(), totals[r.key]);
    streams[r.key].push_back({ToFields(ev.envelope()), ev.payload()});
  }
  ASSERT_EQ(streams.size(), 3u);
  for (const auto& [tenancy, chain] : streams) {
    EXPECT_EQ(chain.size(), 10u);
    core::ChainVerdict verdict = core::VerifyChain(chain);
    EXPECT_TRUE(verdict.ok) << tenancy << ": " << verdict.detail;
  }
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.outcomes).size(), 30u);
}

TEST_P(ProcessorTest, RepeatedCommandIdGetsTheFirstOutcomeAndNoNewEvent) {
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "same-id", 5));
  Send(IncrementCommand("HA-1", "same-id", 7));  // a retry (even with another body) is a repeat
  WaitForInputs(2);
  auto events = testing::ReadTopic(*bus_, topics_.events);
  ASSERT_EQ(events.size(), 1u);
  auto outcomes = testing::ReadTopic(*bus_, topics_.outcomes);
  ASSERT_EQ(outcomes.size(), 2u);
  common::v1::CommandOutcome first, second;
  ASSERT_TRUE(first.ParseFromString(outcomes[0].value));
  ASSERT_TRUE(second.ParseFromString(outcomes[1].value));
  ASSERT_EQ(first.accepted().events_size(), 1);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());

  // Still true after a restart with the projection rebuilt from the topic.
  StopProcessor();
  StartProcessor(dir_.Sub("state-rebuilt"));
  Send(IncrementCommand("HA-1", "same-id", 9));
  Send(IncrementCommand("HA-1", "other-id", 1));
  WaitForInputs(2);
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.events).size(), 2u);
}

TEST_P(ProcessorTest, AKeyedRecordThatDoesNotDecodeStopsTheLoopInsteadOfAnsweringFromIt) {
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));
  WaitForInputs(1);
  StopProcessor();
  {
    // The day's total, damaged on disk.
    auto store = StreamStore::Open(dir_.Sub("state"));
    ASSERT_TRUE(store.ok());
    StreamStore::Batch damage;
    damage.PutKeyed(eventlog::PartitionForKey("HA-1", kPartitions), "HA-1", "day/2026-11-25",
                    "\xff\xff not a DayTotal");
    ASSERT_TRUE((*store)->Write(damage).ok());
  }
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c2", 5));  // its decision reads that day's total
  thread_.join();                           // the loop stops by itself
  EXPECT_EQ(run_status_.code(), absl::StatusCode::kDataLoss) << run_status_;
  EXPECT_NE(run_status_.message().find("day/2026-11-25"), std::string::npos) << run_status_;
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.events).size(), 1u) << "no answer made up";
}

TEST_P(ProcessorTest, PoisonGoesToTheDeadLetterTopicAndProcessingContinues) {
  StartProcessor(dir_.Sub("state"));
  Append("HA-1", "\xff\xfe not a protobuf command");
  common::v1::Command bad_ref = IncrementCommand("lower-case", "c-bad-ref", 1);
  Append("lower-case", bad_ref.SerializeAsString());
  Send(IncrementCommand("HA-1", "c-zero", 0));  // valid record, invalid command: a rejection
  Send(IncrementCommand("HA-1", "c-ok", 2));
  WaitForInputs(4);

  auto dead = testing::ReadTopic(*bus_, DeadLetterTopic(topics_.commands));
  ASSERT_EQ(dead.size(), 2u);
  for (const eventlog::Record& r : dead) {
    const std::string* reason = testing::FindHeader(r, "rs-dlq-reason");
    ASSERT_NE(reason, nullptr);
    EXPECT_FALSE(reason->empty());
    ASSERT_NE(testing::FindHeader(r, "rs-dlq-source-offset"), nullptr);
    EXPECT_EQ(*testing::FindHeader(r, "rs-dlq-source-topic"), topics_.commands);
  }
  EXPECT_EQ(dead[0].key == "lower-case" ? dead[0].value : dead[1].value,
            bad_ref.SerializeAsString());

  auto events = testing::ReadTopic(*bus_, topics_.events);
  ASSERT_EQ(events.size(), 2u);  // CommandRejected for c-zero, Incremented for c-ok
  common::v1::Event rejected;
  ASSERT_TRUE(rejected.ParseFromString(events[0].value));
  EXPECT_EQ(rejected.envelope().event_type(), "rentstream.common.v1.CommandRejected");
  common::v1::CommandRejected payload;
  ASSERT_TRUE(payload.ParseFromString(rejected.payload()));
  EXPECT_EQ(payload.rejection().field(), "amount");
  EXPECT_EQ(payload.command_type(), "rentstream.sample.v1.Increment");
}

TEST_P(ProcessorTest, RestartCatchesUpAndRebuildEqualsTheLiveProjection) {
  StartProcessor(dir_.Sub("live"));
  for (int i = 0; i < 60; ++i) {
    Send(IncrementCommand("HA-" + std::to_string(i % 7), "c" + std::to_string(i), 1 + i % 4));
  }
  WaitForInputs(60);
  StopProcessor();

  // A new instance with an empty store folds the topic before taking inputs.
  StartProcessor(dir_.Sub("fresh"));
  Send(IncrementCommand("HA-0", "c-after", 1));
  WaitForInputs(1);
  StopProcessor();

  auto fresh = StreamStore::Open(dir_.Sub("fresh"));
  ASSERT_TRUE(fresh.ok());
  auto rebuilt = StreamStore::Open(dir_.Sub("rebuilt"));
  ASSERT_TRUE(rebuilt.ok());
  auto folded = ProcessorHost::Rebuild(*bus_, **rebuilt, *logic_, service_);
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(*folded, 61u);
  EXPECT_EQ(*(*rebuilt)->StreamsDigest(), *(*fresh)->StreamsDigest());
  EXPECT_EQ(*(*rebuilt)->StreamCount(), 7u);
  // The digests cover the streams' history too: HA-0 had an increment in every 7th command.
  runtime::SideRecords side;
  auto stored =
      (*rebuilt)->LoadStream(eventlog::PartitionForKey("HA-0", kPartitions), "HA-0", &side);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(side.history.size(), 10u);  // c0, c7, ..., c56 and c-after
  // ... and its keyed records: one business day's total, added to by every increment.
  ASSERT_EQ(side.keyed.size(), 1u);
  sample::v1::DayTotal day;
  ASSERT_TRUE(day.ParseFromString(side.keyed.begin()->second));
  EXPECT_EQ(side.keyed.begin()->first, "day/2026-11-25");
  int64_t total = 0;
  for (const std::string& record : side.history) {
    sample::v1::Incremented incremented;
    ASSERT_TRUE(incremented.ParseFromString(record));
    total += incremented.amount();
  }
  EXPECT_EQ(day.total(), total);
}

// The sample's increments set the review day (a week after their business date); this logic
// says they cannot move it, to see the host keep to what a logic says.
class IncrementsKeepTheReviewDayLogic : public sample::CounterLogic {
 public:
  bool MovesReviewDay(std::string_view event_type) const override {
    return event_type != sample::v1::Incremented::descriptor()->full_name();
  }
};

TEST_P(ProcessorTest, TheReviewDayIsAskedAgainOnlyAfterEventsThatCanMoveIt) {
  const auto review_day = [&](const std::string& dir, const std::string& tenancy) -> int64_t {
    auto store = StreamStore::Open(dir);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return -1;
    auto record = (*store)->LoadStream(eventlog::PartitionForKey(tenancy, kPartitions), tenancy);
    EXPECT_TRUE(record.ok() && record->has_value()) << tenancy;
    return record.ok() && record->has_value() ? (*record)->next_review_day() : -1;
  };
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 5));
  WaitForInputs(1);
  StopProcessor();
  EXPECT_GT(review_day(dir_.Sub("state"), "HA-1"), 0) << "the sample's logic: an increment sets it";

  // Another projection, with the logic that says increments cannot move it: HA-1's event folded
  // from the topic (the catch-up) and HA-2's decided here leave both with the day they had: none.
  IncrementsKeepTheReviewDayLogic keeping;
  logic_ = &keeping;
  StartProcessor(dir_.Sub("state-keeping"));
  Send(IncrementCommand("HA-2", "c2", 5));
  WaitForInputs(1);
  StopProcessor();
  EXPECT_EQ(review_day(dir_.Sub("state-keeping"), "HA-1"), 0) << "folded from the topic";
  EXPECT_EQ(review_day(dir_.Sub("state-keeping"), "HA-2"), 0) << "decided";
}

TEST_P(ProcessorTest, BusinessDayTicksReviewOnlyTheStreamsDueAndOnlyOnce) {
  StartProcessor(dir_.Sub("state"));
  // Business date of IncrementCommand: 2026-11-25 (London); the counter's review is 7 days on.
  Send(IncrementCommand("HA-1", "c1", 1));
  Send(IncrementCommand("HA-2", "c2", 2));
  Send(IncrementCommand("HA-1", "c3", 3));
  WaitForInputs(3);
  auto tick = [&](int y, int m, int d) {
    ASSERT_TRUE(OpenBusinessDay(*bus_, service_, *core::Date::FromYmd(y, m, d)).ok());
  };
  auto reviews = [&] {
    std::map<std::string, int64_t> out;
    for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.events)) {
      common::v1::Event ev;
      EXPECT_TRUE(ev.ParseFromString(r.value));
      if (ev.envelope().event_type() != "rentstream.sample.v1.Reviewed") continue;
      sample::v1::Reviewed reviewed;
      EXPECT_TRUE(reviewed.ParseFromString(ev.payload()));
      EXPECT_EQ(ev.envelope().causation_id(),
                TickCommandId(service_,
                              *core::Date::FromYmd(reviewed.date().year(), reviewed.date().month(),
                                                   reviewed.date().day())));
      EXPECT_EQ(ev.envelope().actor().role(), common::v1::ACTOR_ROLE_SCHEDULER);
      out[r.key] = reviewed.total();
    }
    return out;
  };
  tick(2026, 12, 1);  // a day early: nothing due
  WaitForInputs(3 + kPartitions);
  EXPECT_TRUE(reviews().empty());
  tick(2026, 12, 2);  // due: one review per counter
  tick(2026, 12, 2);  // the same day again: handled once
  tick(2026, 12, 3);  // reviewed already: nothing more
  WaitForInputs(3 + 4 * kPartitions);
  const std::map<std::string, int64_t> expected = {{"HA-1", 4}, {"HA-2", 2}};
  EXPECT_EQ(reviews(), expected);
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.events).size(), 5u);
  EXPECT_FALSE(OpenBusinessDay(*bus_, service_, *core::Date::FromYmd(2035, 1, 1)).ok())
      << "a day outside the bank-holiday calendar must be refused";
}

TEST_P(ProcessorTest, ALargeTickIsPagedAcrossTransactionsAndReviewsEachStreamOnce) {
  StartProcessor(dir_.Sub("state"), /*tick_page_streams=*/2);
  for (int i = 0; i < 11; ++i) {
    Send(IncrementCommand("HA-" + std::to_string(100 + i), "c" + std::to_string(i), 1));
  }
  WaitForInputs(11);
  ASSERT_TRUE(OpenBusinessDay(*bus_, service_, *core::Date::FromYmd(2026, 12, 2)).ok());
  ASSERT_TRUE(testing::WaitFor([&] { return ReviewedPerStream().size() == 11; }))
      << ReviewedPerStream().size() << " of 11 reviewed";
  for (const auto& [tenancy, n] : ReviewedPerStream()) EXPECT_EQ(n, 1) << tenancy;
  // The continuations went through the command topic, on the partitions that had due streams.
  int continuations = 0;
  for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.commands)) {
    if (testing::FindHeader(r, "rs-tick-after-tenancy") != nullptr) ++continuations;
  }
  EXPECT_GE(continuations, 11 / 2 - kPartitions);
}

// A tick whose page would append more than the transaction's output budget stops at the
// budget and continues in the next transaction: every stream reviewed once, none skipped.
TEST_P(ProcessorTest, ATickStopsAtTheOutputBudgetAndContinues) {
  StartProcessor(dir_.Sub("state"), /*tick_page_streams=*/1000, /*max_transaction_outputs=*/3);
  for (int i = 0; i < 20; ++i) {
    Send(IncrementCommand("HA-" + std::to_string(200 + i), "c" + std::to_string(i), 1));
  }
  WaitForInputs(20);
  const double before = metrics_->transactions_committed.value();
  ASSERT_TRUE(OpenBusinessDay(*bus_, service_, *core::Date::FromYmd(2026, 12, 2)).ok());
  ASSERT_TRUE(testing::WaitFor([&] { return ReviewedPerStream().size() == 20; }))
      << ReviewedPerStream().size() << " of 20 reviewed";
  for (const auto& [tenancy, n] : ReviewedPerStream()) EXPECT_EQ(n, 1) << tenancy;
  // 20 reviews at about 3 records per transaction: many transactions, not one per partition.
  EXPECT_GE(metrics_->transactions_committed.value() - before, 20.0 / 4);
}

// Streams changed in the tick's own transaction are reviewed first; when they alone reach the
// output budget the tick continues from the start of the review index after the commit.
TEST_P(ProcessorTest, ATickInTheSameTransactionAsItsStreamsChangesStopsAtTheBudget) {
  // 20 streams on one partition, so its tick record follows all 20 commands.
  int sent = 0;
  for (int i = 300; sent < 20; ++i) {
    const std::string t = "HA-" + std::to_string(i);
    if (eventlog::PartitionForKey(t, kPartitions) != 0) continue;
    Send(IncrementCommand(t, "c" + std::to_string(sent++), 1));
  }
  ASSERT_TRUE(OpenBusinessDay(*bus_, service_, *core::Date::FromYmd(2026, 12, 2)).ok());
  // 20 commands append 40 records; the budget lets the tick in and stops it a few streams on.
  StartProcessor(dir_.Sub("state"), /*tick_page_streams=*/1000, /*max_transaction_outputs=*/44);
  ASSERT_TRUE(testing::WaitFor([&] { return ReviewedPerStream().size() == 20; }))
      << ReviewedPerStream().size() << " of 20 reviewed";
  for (const auto& [tenancy, n] : ReviewedPerStream()) EXPECT_EQ(n, 1) << tenancy;
  if (GetParam() == BusKind::kLocal) {  // one poll holds every record: the path is certain
    bool from_index_start = false;
    for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.commands)) {
      const std::string* day = testing::FindHeader(r, "rs-tick-after-day");
      if (day != nullptr && *day == "0") from_index_start = true;
    }
    EXPECT_TRUE(from_index_start) << "the tick continued from the start of the index";
  }
}

// Tenancies on the same partition as `first` (and one that is not), for command batches.
std::vector<std::string> SamePartition(const std::string& first, int n, std::string* other) {
  const int32_t p = eventlog::PartitionForKey(first, ProcessorTest::kPartitions);
  std::vector<std::string> out = {first};
  for (int i = 100; static_cast<int>(out.size()) < n || other->empty(); ++i) {
    const std::string t = "HA-" + std::to_string(i);
    if (eventlog::PartitionForKey(t, ProcessorTest::kPartitions) == p) {
      if (static_cast<int>(out.size()) < n) out.push_back(t);
    } else if (other->empty()) {
      *other = t;
    }
  }
  return out;
}

common::v1::CommandOutcome LastOutcome(eventlog::EventBus& bus, const std::string& topic) {
  auto outcomes = testing::ReadTopic(bus, topic);
  common::v1::CommandOutcome out;
  if (!outcomes.empty()) out.ParseFromString(outcomes.back().value);
  return out;
}

TEST_P(ProcessorTest, ACommandBatchDecidesEachCommandAsIfAloneAndAnswersOnce) {
  StartProcessor(dir_.Sub("state"));
  std::string other;
  const std::vector<std::string> t = SamePartition("HA-1", 3, &other);
  Send(IncrementCommand(t[1], "single-1", 4));  // decided before, alone
  WaitForInputs(1);

  common::v1::Command bad_id = IncrementCommand(t[0], "bad id!", 1);
  const common::v1::Command batch = CommandBatchOf(
      "batch-1", {IncrementCommand(t[0], "item-0", 2), IncrementCommand(t[1], "item-1", 3),
                  IncrementCommand(other, "item-2", 1), bad_id, IncrementCommand(t[2], "item-4", 0),
                  IncrementCommand(t[1], "single-1", 9), IncrementCommand(t[0], "item-6", 5),
                  IncrementCommand(t[0], "batch-1", 1)});
  Send(batch);
  WaitForInputs(2);

  // One outcome record for the batch, an item per command in order.
  const auto outcomes = testing::ReadTopic(*bus_, topics_.outcomes);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(*testing::FindHeader(outcomes[1], "rs-command-id"), "batch-1");
  common::v1::CommandOutcome answer;
  ASSERT_TRUE(answer.ParseFromString(outcomes[1].value));
  ASSERT_EQ(answer.batch().items_size(), 8);
  const auto& items = answer.batch().items();
  EXPECT_EQ(items[0].accepted().event_ids_size(), 1);
  EXPECT_EQ(items[1].accepted().sequence(), 2u) << "after single-1 on the same stream";
  EXPECT_EQ(items[2].rejected().field(), "commands[2].envelope.tenancy_ref");
  EXPECT_EQ(items[3].rejected().field(), "commands[3].envelope.command_id");
  EXPECT_EQ(items[4].rejected().field(), "amount");  // recorded like any refusal
  EXPECT_EQ(items[5].accepted().sequence(), 1u) << "a repeated id: the first outcome";
  EXPECT_EQ(items[6].accepted().sequence(), 2u);
  EXPECT_EQ(items[7].rejected().field(), "commands[7].envelope.command_id");

  // Events: each accepted command's, with the batch's actor, correlated by the batch id.
  std::map<std::string, std::vector<core::ChainedEvent>> streams;
  std::map<std::string, std::string> command_of_event;
  for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.events)) {
    common::v1::Event ev;
    ASSERT_TRUE(ev.ParseFromString(r.value));
    streams[r.key].push_back({ToFields(ev.envelope()), ev.payload()});
    command_of_event[ev.envelope().event_id()] = ev.envelope().command_id();
    if (ev.envelope().command_id() == "single-1") continue;
    EXPECT_EQ(ev.envelope().actor().id(), "import-1");
    EXPECT_EQ(ev.envelope().correlation_id(), "batch-1");
    EXPECT_EQ(ev.envelope().causation_id(), ev.envelope().command_id());
  }
  EXPECT_EQ(command_of_event.size(), 5u);  // single-1, item-0, item-1, item-4 (refused), item-6
  EXPECT_EQ(command_of_event[items[0].accepted().event_ids(0)], "item-0");
  EXPECT_EQ(command_of_event[items[5].accepted().event_ids(0)], "single-1");
  for (const auto& [tenancy, chain] : streams) {
    EXPECT_TRUE(core::VerifyChain(chain).ok) << tenancy;
  }

  // The batch again: the same answer, nothing new. An item's id alone: its own outcome.
  Send(batch);
  Send(IncrementCommand(t[0], "item-6", 5));
  WaitForInputs(4);
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.events).size(), 5u);
  auto again = testing::ReadTopic(*bus_, topics_.outcomes);
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again[2].value, outcomes[1].value);
  common::v1::CommandOutcome alone;
  ASSERT_TRUE(alone.ParseFromString(again[3].value));
  ASSERT_EQ(alone.accepted().events_size(), 1);
  EXPECT_EQ(alone.accepted().events(0).envelope().event_id(), items[6].accepted().event_ids(0));

  // With the projection rebuilt from the topic, the batch still gets the same item answers.
  StopProcessor();
  StartProcessor(dir_.Sub("state-rebuilt"));
  Send(batch);
  WaitForInputs(1);
  EXPECT_EQ(testing::ReadTopic(*bus_, topics_.events).size(), 5u);
  const common::v1::CommandOutcome rebuilt = LastOutcome(*bus_, topics_.outcomes);
  ASSERT_EQ(rebuilt.batch().items_size(), 8);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(rebuilt.batch().items(i).SerializeAsString(), items[i].SerializeAsString()) << i;
  }
}

// Written without the write-ahead log, the projection is flushed to tables at the loop's
// interval (here: at its next turn), not only when a memtable fills — a quiet service's last
// writes would otherwise stay in memory, for a crash to take, for days.
TEST_P(ProcessorTest, TheProjectionIsFlushedAtTheLoopsInterval) {
  flush_interval_ = std::chrono::milliseconds(0);
  StartProcessor(dir_.Sub("state"));
  Send(IncrementCommand("HA-1", "c1", 1));
  WaitForInputs(1);
  EXPECT_TRUE(testing::WaitFor([&] {
    auto unflushed = store_->UnflushedEntries();
    return unflushed.ok() && *unflushed == 0;
  })) << "the store still holds its writes only in memory";
}

TEST_P(ProcessorTest, ABatchOfMoreThanAThousandCommandsIsRefusedWhole) {
  StartProcessor(dir_.Sub("state"));
  std::vector<common::v1::Command> items;
  for (int i = 0; i < 1001; ++i)
    items.push_back(IncrementCommand("HA-1", "i" + std::to_string(i), 1));
  Send(CommandBatchOf("too-big", items));
  Send(IncrementCommand("HA-1", "after", 1));
  WaitForInputs(2);
  auto outcomes = testing::ReadTopic(*bus_, topics_.outcomes);
  ASSERT_EQ(outcomes.size(), 2u);
  common::v1::CommandOutcome refused;
  ASSERT_TRUE(refused.ParseFromString(outcomes[0].value));
  EXPECT_EQ(refused.rejected().field(), "commands");
  EXPECT_NE(refused.rejected().reason().find("1001"), std::string::npos);
  // Recorded as a refusal on the key's stream; nothing of the batch was decided.
  auto events = testing::ReadTopic(*bus_, topics_.events);
  ASSERT_EQ(events.size(), 2u);
  common::v1::Event first;
  ASSERT_TRUE(first.ParseFromString(events[0].value));
  EXPECT_EQ(first.envelope().event_type(), "rentstream.common.v1.CommandRejected");
}

// Batches in a backlog are split into transactions by the commands they carry (their header),
// and every command is still decided exactly once.
TEST_P(ProcessorTest, ABacklogOfBatchesIsDecidedInBoundedTransactions) {
  std::vector<std::string> batch_values;
  int expected = 0;
  for (int b = 0; b < 12; ++b) {
    std::vector<common::v1::Command> items;
    for (int i = 0; i < 700; ++i) {
      items.push_back(
          IncrementCommand("HA-7", "b" + std::to_string(b) + "-" + std::to_string(i), 1));
    }
    expected += 700;
    eventlog::OutgoingRecord r;
    r.topic = topics_.commands;
    r.key = "HA-7";
    r.value = CommandBatchOf("batch-" + std::to_string(b), items).SerializeAsString();
    r.headers = {{kBatchCommandsHeader, "700"}};
    ASSERT_TRUE(appender_->Append({r}).ok());
  }
  StartProcessor(dir_.Sub("state"));  // after the backlog: one poll sees all twelve
  WaitForInputs(12);
  auto outcomes = testing::ReadTopic(*bus_, topics_.outcomes);
  ASSERT_EQ(outcomes.size(), 12u);
  auto events = testing::ReadTopic(*bus_, topics_.events);
  ASSERT_EQ(static_cast<int>(events.size()), expected);
  common::v1::Event last;
  ASSERT_TRUE(last.ParseFromString(events.back().value));
  EXPECT_EQ(last.envelope().sequence(), static_cast<uint64_t>(expected));
  // 8,400 commands at most 4,000 per transaction: three transactions or more, never one.
  EXPECT_GE(metrics_->transactions_committed.value(), 3);
}

INSTANTIATE_TEST_SUITE_P(Buses, ProcessorTest, ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
