// LocalBus specifics beyond the shared conformance suite: durability across reopen and kill -9,
// atomicity of a transaction's records with its consumed positions, fencing, and bad input. (Its
// layout on disk and the move from layout 1: local_log_layout_test.cc, in the same program.)
#include "libs/eventlog/local_bus.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/bus_errors.h"
#include "libs/eventlog/local_bus_test_support.h"
#include "libs/eventlog/local_log_codec.h"
#include "libs/testing/child_process.h"

namespace rentstream::eventlog {
namespace {

using namespace std::chrono_literals;
using namespace local_bus_test;

constexpr int kOutputsPerTransaction = 10;

TEST(LocalLogCodecTest, RoundTripsRecordsTopicsAndPositions) {
  OutgoingRecord r = Out("t", std::string("k\0y", 3), std::string(1000, '\xff'));
  r.headers = {{"a", ""}, {"", "b"}, {"rs-reason", std::string("x\0y", 3)}};
  Record back;
  ASSERT_TRUE(local_log::DecodeRecord(local_log::EncodeRecord(r, 1764000000000), back));
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.value, r.value);
  EXPECT_EQ(back.headers, r.headers);
  EXPECT_EQ(back.timestamp_ms, 1764000000000);
  const std::string bytes = local_log::EncodeRecord(r, 1);
  for (size_t cut = 0; cut < bytes.size(); cut += 97) {
    Record partial;
    EXPECT_FALSE(local_log::DecodeRecord(bytes.substr(0, cut), partial)) << cut;
  }
  TopicSpec spec = Spec("rentstream.ledger.events.v1", 12);
  spec.configs["retention.ms"] = "-1";
  TopicSpec spec_back;
  ASSERT_TRUE(local_log::DecodeTopic(local_log::EncodeTopic(spec), spec_back));
  EXPECT_EQ(spec_back.name, spec.name);
  EXPECT_EQ(spec_back.partitions, 12);
  EXPECT_EQ(spec_back.configs, spec.configs);
  std::string group;
  TopicPartition tp;
  int64_t offset = 0;
  const TopicPartition want{"a.b", 256};
  ASSERT_TRUE(local_log::DecodeGroupEntry(local_log::GroupKey("g-1", want),
                                          local_log::EncodeOffset(1234567), group, tp, offset));
  EXPECT_EQ(group, "g-1");
  EXPECT_EQ(tp, want);
  EXPECT_EQ(offset, 1234567);
  // Record keys sort in offset order.
  EXPECT_LT(local_log::OffsetKey(255), local_log::OffsetKey(256));
  EXPECT_LT(local_log::OffsetKey(65535), local_log::OffsetKey(65536));
  EXPECT_EQ(local_log::OffsetOfKey(local_log::OffsetKey(1234567890123)), 1234567890123);
}

TEST(LocalBusTest, ReopenRecoversTopicsRecordsAndPositions) {
  TempDir dir;
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE(bus.ok()) << bus.status();
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("in", 2), Spec("out", 2)}).ok());
    auto appender = (*bus)->NewAppender("test");
    std::vector<OutgoingRecord> inputs;
    for (int i = 0; i < 10; ++i) inputs.push_back(Out("in", "T" + std::to_string(i), "v"));
    ASSERT_TRUE((*appender)->Append(inputs).ok());
    auto member = (*bus)->JoinGroup({"g", {"in"}, "g-0", nullptr});
    ASSERT_TRUE(member.ok());
    auto got = PollN(**member, 10);
    ASSERT_EQ(got.size(), 10u);
    ASSERT_TRUE((*member)->BeginTransaction().ok());
    std::map<TopicPartition, int64_t> next;
    for (const Record& r : got) {
      next[{r.topic, r.partition}] = r.offset + 1;
      ASSERT_TRUE((*member)->Append(Out("out", r.key, "done")).ok());
    }
    std::vector<ConsumedPosition> consumed;
    for (const auto& [tp, off] : next) consumed.push_back({tp, off});
    ASSERT_TRUE((*member)->CommitTransaction(consumed).ok());
    auto ends = (*member)->LastCommitAppendEnds();
    int64_t total = 0;
    for (const auto& [tp, end] : ends) {
      EXPECT_EQ(tp.topic, "out");
      total += end;
    }
    EXPECT_EQ(total, 10);
  }
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE(bus.ok()) << bus.status();
  EXPECT_EQ(*(*bus)->PartitionCount("in"), 2);
  EXPECT_EQ(ReadAll(**bus, "out", 2).size(), 10u);
  int64_t end_total = 0;
  for (int p = 0; p < 2; ++p) end_total += *(*bus)->EndOffset({"out", p});
  EXPECT_EQ(end_total, 10);
  auto member = (*bus)->JoinGroup({"g", {"in"}, "g-0", nullptr});
  ASSERT_TRUE(member.ok());
  auto nothing = (*member)->Poll(10, 50ms);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty()) << "committed inputs were delivered again after reopen";
  // Appending after reopen continues the offsets.
  auto appender = (*bus)->NewAppender("test");
  ASSERT_TRUE((*appender)->Append({Out("out", "T1", "late")}).ok());
  auto all = ReadAll(**bus, "out", 2);
  ASSERT_EQ(all.size(), 11u);
  std::set<std::pair<int32_t, int64_t>> offsets;
  for (const Record& r : all) offsets.insert({r.partition, r.offset});
  EXPECT_EQ(offsets.size(), 11u) << "an offset was handed out twice";
}

TEST(LocalBusTest, OnlyOneProcessMayOpenTheLog) {
  TempDir dir;
  auto first = LocalBus::Open(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = LocalBus::Open(dir.path());
  EXPECT_FALSE(second.ok());
}

TEST(LocalBusTest, ANewerMemberWithTheSameTransactionalIdFencesTheOlder) {
  TempDir dir;
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE((*bus)->DeclareTopics({Spec("in", 1), Spec("out", 1)}).ok());
  auto zombie = (*bus)->JoinGroup({"g", {"in"}, "slot-0", nullptr});
  ASSERT_TRUE(zombie.ok());
  ASSERT_TRUE((*zombie)->BeginTransaction().ok());
  ASSERT_TRUE((*zombie)->Append(Out("out", "k", "zombie")).ok());
  auto successor = (*bus)->JoinGroup({"g", {"in"}, "slot-0", nullptr});
  ASSERT_TRUE(successor.ok());
  absl::Status st = (*zombie)->CommitTransaction({});
  EXPECT_TRUE(IsFenced(st)) << st;
  EXPECT_TRUE(IsFenced((*zombie)->BeginTransaction()));
  EXPECT_TRUE(IsFenced((*zombie)->Poll(1, 0ms).status()));
  ASSERT_TRUE((*successor)->BeginTransaction().ok());
  ASSERT_TRUE((*successor)->Append(Out("out", "k", "successor")).ok());
  ASSERT_TRUE((*successor)->CommitTransaction({}).ok());
  auto all = ReadAll(**bus, "out", 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].value, "successor");
}

TEST(LocalBusTest, AStaleMemberCannotCommitPositionsAfterARebalance) {
  TempDir dir;
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE((*bus)->DeclareTopics({Spec("in", 2), Spec("out", 2)}).ok());
  auto appender = (*bus)->NewAppender("test");
  ASSERT_TRUE((*appender)->Append({Out("in", "a", "1"), Out("in", "b", "2")}).ok());
  auto first = (*bus)->JoinGroup({"g", {"in"}, "slot-0", nullptr});
  auto got = PollN(**first, 2);
  ASSERT_EQ(got.size(), 2u);
  auto second = (*bus)->JoinGroup({"g", {"in"}, "slot-1", nullptr});  // rebalance
  ASSERT_TRUE((*first)->BeginTransaction().ok());
  ASSERT_TRUE((*first)->Append(Out("out", "a", "x")).ok());
  absl::Status st = (*first)->CommitTransaction({{{"in", 0}, got[0].offset + 1}});
  EXPECT_TRUE(IsAbortable(st)) << st;
  ASSERT_TRUE((*first)->AbortTransaction().ok());
  EXPECT_TRUE(ReadAll(**bus, "out", 2).empty());
  // After polling (taking the new generation) the member holds one partition and can commit it.
  ASSERT_TRUE((*first)->Poll(10, 0ms).ok());
  EXPECT_EQ((*first)->Assignment().size(), 1u);
}

// A member still taking an assignment in its callback learns when the group has moved past it
// (another member joined meanwhile), so it need not wait for a partition that member now holds.
TEST(LocalBusTest, AnAssignmentIsSupersededWhenTheGroupMovesOnDuringItsCallback) {
  TempDir dir;
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE((*bus)->DeclareTopics({Spec("in", 2)}).ok());
  struct Listener : RebalanceListener {
    std::function<void()> on_assigned;
    void OnAssigned(const std::vector<TopicPartition>&) override {
      if (on_assigned) on_assigned();
    }
    void OnRevoked(const std::vector<TopicPartition>&) override {}
  } listener;
  auto first = (*bus)->JoinGroup({"g", {"in"}, "slot-0", &listener});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<GroupMember>> second;
  std::vector<bool> superseded;
  listener.on_assigned = [&] {
    superseded.push_back((*first)->AssignmentSuperseded());
    if (superseded.size() == 1) {
      second = (*bus)->JoinGroup({"g", {"in"}, "slot-1", nullptr});  // joins mid-callback
      superseded.push_back((*first)->AssignmentSuperseded());
    }
  };
  ASSERT_TRUE((*first)->Poll(10, 0ms).ok());
  ASSERT_TRUE(second.ok()) << second.status();
  // The same poll went on to take the new generation (one partition each), current again.
  ASSERT_EQ(superseded.size(), 3u);
  EXPECT_FALSE(superseded[0]) << "the assignment being handed over is current";
  EXPECT_TRUE(superseded[1]) << "the group moved on while the callback ran";
  EXPECT_FALSE(superseded[2]) << "the newer assignment, taken in the same poll";
  EXPECT_EQ((*first)->Assignment().size(), 1u);
  EXPECT_FALSE((*first)->AssignmentSuperseded());
}

TEST(LocalBusTest, BadInputGetsAClearErrorAndWritesNothing) {
  TempDir dir;
  LocalBusOptions options;
  options.max_record_bytes = 100;
  options.max_transaction_records = 3;
  auto bus = LocalBus::Open(dir.path(), options);
  ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 2)}).ok());
  auto appender = (*bus)->NewAppender("test");
  EXPECT_EQ((*appender)->Append({Out("nope", "k", "v")}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*appender)->Append({Out("t", "k", std::string(101, 'x'))}).code(),
            absl::StatusCode::kInvalidArgument);
  OutgoingRecord bad_partition = Out("t", "k", "v");
  bad_partition.partition = 2;
  EXPECT_EQ((*appender)->Append({Out("t", "k", "ok"), bad_partition}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*appender)->Append(std::vector<OutgoingRecord>(4, Out("t", "k", "v"))).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadAll(**bus, "t", 2).empty()) << "a refused append wrote something";
  EXPECT_EQ((*bus)->DeclareTopics({Spec("", 1)}).code(), absl::StatusCode::kInvalidArgument);
  const absl::Status slash = (*bus)->DeclareTopics({Spec("a/b", 1)});
  EXPECT_EQ(slash.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(slash.message().find("\"a/b\": invalid name"), std::string::npos) << slash;
  EXPECT_EQ((*bus)->DeclareTopics({Spec("z", 0)}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*bus)->EndOffset({"t", 5}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*bus)->OpenReader({{{"nope", 0}, 0}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*bus)->JoinGroup({"", {"t"}, "x", nullptr}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto member = (*bus)->JoinGroup({"g", {"t"}, "g-0", nullptr});
  ASSERT_TRUE(member.ok());
  EXPECT_EQ((*member)->Append(Out("t", "k", "v")).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  EXPECT_EQ((*member)->Append(Out("nope", "k", "v")).code(), absl::StatusCode::kNotFound);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*member)->Append(Out("t", "k", "v")).ok());
  EXPECT_EQ((*member)->Append(Out("t", "k", "v")).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE((*member)->AbortTransaction().ok());
}

TEST(LocalBusTest, FollowSeesRecordsAppendedLater) {
  TempDir dir;
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 1)}).ok());
  auto tail = (*bus)->Follow({{{"t", 0}, 0}});
  ASSERT_TRUE(tail.ok());
  auto empty = (*tail)->Poll(10, 10ms);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  std::thread writer([&] {
    auto appender = (*bus)->NewAppender("w");
    ASSERT_TRUE((*appender)->Append({Out("t", "k", "hello")}).ok());
  });
  auto got = (*tail)->Poll(10, 30s);
  writer.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value, "hello");
}

// ---- kill -9: the child commits transactions (consume one input, append ten outputs) and
// prints each committed count; the parent kills it at random moments and checks the log.

int RunCrashChild(const std::string& dir) {
  auto bus = LocalBus::Open(dir);
  if (!bus.ok()) {
    std::fprintf(stderr, "open: %s\n", bus.status().ToString().c_str());
    return 2;
  }
  auto member = (*bus)->JoinGroup({"crash", {"in"}, "crash-0", nullptr});
  if (!member.ok()) return 3;
  for (;;) {
    auto records = (*member)->Poll(1, 1s);
    if (!records.ok()) return 4;
    if (records->empty()) return 0;  // every input consumed
    const Record& in = (*records)[0];
    if (!(*member)->BeginTransaction().ok()) return 5;
    for (int i = 0; i < kOutputsPerTransaction; ++i) {
      const std::string v = absl::StrCat(in.value, ":", i);
      if (!(*member)->Append(Out("out", in.key, v)).ok()) return 6;
    }
    if (!(*member)->CommitTransaction({{{in.topic, in.partition}, in.offset + 1}}).ok()) return 7;
    std::printf("committed %s\n", in.value.c_str());
    std::fflush(stdout);
  }
}

int CountCommittedLines(const std::string& log) {
  std::ifstream f(log);
  std::string line;
  int n = 0;
  while (std::getline(f, line)) n += line.rfind("committed ", 0) == 0;
  return n;
}

TEST(LocalBusCrashTest, KillNineLosesNothingCommittedAndLeavesNoHalfTransaction) {
  TempDir dir;
  const std::string log_dir = dir.path() + "/log";
  const int kInputs = 3000;
  {
    auto bus = LocalBus::Open(log_dir);
    ASSERT_TRUE(bus.ok());
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("in", 3), Spec("out", 3)}).ok());
    std::vector<OutgoingRecord> inputs;
    for (int i = 0; i < kInputs; ++i)
      inputs.push_back(Out("in", "T" + std::to_string(i % 50), std::to_string(i)));
    ASSERT_TRUE((*(*bus)->NewAppender("seed"))->Append(inputs).ok());
  }
  std::mt19937 rng(20261125);
  int kills = 0;
  int acknowledged = 0;
  for (int round = 0; round < 20; ++round) {
    const std::string out_log = absl::StrCat(dir.path(), "/child-", round, ".log");
    auto pid = testing::SpawnChild({SelfExe(), "--crash-child=" + log_dir}, out_log);
    ASSERT_TRUE(pid.ok()) << pid.status();
    const int target = std::uniform_int_distribution<int>(20, 200)(rng);
    int exit_code = 0;
    bool running = true;
    while ((running = testing::ChildRunning(*pid, &exit_code)) &&
           CountCommittedLines(out_log) < target) {
      std::this_thread::yield();
    }
    if (running) {
      // A random moment inside the following transactions (randomness, not synchronisation).
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(rng)));
      testing::KillChild(*pid, SIGKILL);
      ++kills;
    } else {
      ASSERT_EQ(exit_code, 0) << "crash child failed; see " << out_log;
    }
    acknowledged += CountCommittedLines(out_log);
    if (!running) break;
  }
  EXPECT_GE(kills, 10);

  // Run to completion, then check.
  const std::string last_log = dir.path() + "/child-final.log";
  auto pid = testing::SpawnChild({SelfExe(), "--crash-child=" + log_dir}, last_log);
  ASSERT_TRUE(pid.ok());
  ASSERT_EQ(testing::WaitChild(*pid), 0) << "see " << last_log;
  acknowledged += CountCommittedLines(last_log);

  auto bus = LocalBus::Open(log_dir);
  ASSERT_TRUE(bus.ok()) << bus.status();
  auto outputs = ReadAll(**bus, "out", 3);
  // Exactly ten outputs per input: nothing lost (acknowledged ≤ inputs, all present), nothing
  // doubled (a transaction whose commit was lost to the kill was redone, not duplicated).
  std::map<std::string, int> per_input;
  for (const Record& r : outputs) ++per_input[r.value.substr(0, r.value.find(':'))];
  EXPECT_EQ(per_input.size(), static_cast<size_t>(kInputs));
  for (const auto& [input, n] : per_input) {
    ASSERT_EQ(n, kOutputsPerTransaction) << "input " << input;
  }
  EXPECT_EQ(outputs.size(), static_cast<size_t>(kInputs * kOutputsPerTransaction));
  EXPECT_LE(acknowledged, kInputs);
  EXPECT_GE(acknowledged, kInputs - kills);  // at most one unacknowledged commit per kill
  // Per key, outputs follow input order.
  std::map<std::string, int> last;
  for (const Record& r : outputs) {
    const int n = std::stoi(r.value.substr(0, r.value.find(':')));
    auto [it, fresh] = last.emplace(r.key, n);
    if (!fresh) {
      EXPECT_LE(it->second, n) << r.key;
      it->second = n;
    }
  }
  auto member = (*bus)->JoinGroup({"crash", {"in"}, "crash-0", nullptr});
  int64_t committed = 0;
  for (int p = 0; p < 3; ++p) {
    auto pos = (*member)->CommittedPosition({"in", p});
    ASSERT_TRUE(pos.ok() && pos->has_value());
    committed += **pos;
  }
  EXPECT_EQ(committed, kInputs);
}

}  // namespace
}  // namespace rentstream::eventlog

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char kOpen[] = "--open-child=";
    if (std::strncmp(argv[i], kOpen, sizeof kOpen - 1) == 0) {
      return rentstream::eventlog::local_bus_test::RunOpenChild(argv[i] + sizeof kOpen - 1);
    }
    const char kFlag[] = "--crash-child=";
    if (std::strncmp(argv[i], kFlag, sizeof kFlag - 1) == 0) {
      return rentstream::eventlog::RunCrashChild(argv[i] + sizeof kFlag - 1);
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
