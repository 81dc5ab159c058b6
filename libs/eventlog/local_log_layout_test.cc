// LocalBus's layout on disk (local_log_codec.h): a column family per topic partition, and the
// move of a layout-1 log into it — kept records, offsets and positions, a move cut short or
// killed, and what is refused.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/eventlog/local_bus.h"
#include "libs/eventlog/local_bus_test_support.h"
#include "libs/eventlog/local_log_codec.h"
#include "libs/testing/child_process.h"

namespace rentstream::eventlog::local_bus_test {

int RunOpenChild(const std::string& dir) {
  auto bus = LocalBus::Open(dir);
  if (!bus.ok()) {
    std::fprintf(stderr, "open: %s\n", bus.status().ToString().c_str());
    return 2;
  }
  std::printf("opened\n");
  return 0;
}

namespace {

TEST(LocalLogCodecTest, NamesAPartitionsColumnFamilyAndReadsLayout1Keys) {
  const TopicPartition tp{"rentstream.ledger.events.v1", 11};
  EXPECT_EQ(local_log::PartitionFamily(tp), "r/rentstream.ledger.events.v1/11");
  TopicPartition back;
  for (const char* name : {"t", "rentstream.ledger.events.v1.dlq", "A_b-9"})
    EXPECT_TRUE(local_log::IsValidTopicName(name)) << name;
  for (const char* name : {"", ".", "..", "a/b", "a b", "a:b", "caf\xc3\xa9"})
    EXPECT_FALSE(local_log::IsValidTopicName(name)) << name;
  EXPECT_FALSE(local_log::IsValidTopicName(std::string(250, 'a')));
  int64_t offset = 0;
  ASSERT_TRUE(local_log::DecodeLayout1RecordKey(local_log::Layout1RecordKey(tp, 77), back, offset));
  EXPECT_EQ(back, tp);
  EXPECT_EQ(offset, 77);
  const std::string key = local_log::Layout1RecordKey(tp, 77);
  for (size_t cut = 0; cut < key.size(); ++cut) {
    EXPECT_FALSE(local_log::DecodeLayout1RecordKey(key.substr(0, cut), back, offset)) << cut;
  }
}

// ---- The layout on disk: a column family per partition, and the move from layout 1.

std::set<std::string> FamiliesIn(const std::string& dir) {
  std::vector<std::string> names;
  const rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return {names.begin(), names.end()};
}

// Opens the log's database directly, all its families, for a test to write or inspect.
class RawLog {
 public:
  explicit RawLog(const std::string& dir, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
    if (std::filesystem::exists(dir + "/CURRENT")) {
      names.clear();
      EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
    for (size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
    for (const std::string& n : extra) {
      rocksdb::ColumnFamilyHandle* h = nullptr;
      EXPECT_TRUE(db_->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), n, &h).ok());
      handles_.push_back(h);
      by_name_[n] = h;
    }
  }
  ~RawLog() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }
  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) { return by_name_.at(name); }
  void Put(const std::string& key, const std::string& value, const std::string& family = "") {
    const rocksdb::Status s =
        family.empty() ? db_->Put(rocksdb::WriteOptions(), key, value)
                       : db_->Put(rocksdb::WriteOptions(), by_name_.at(family), key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Keys of the default family that start with `prefix`.
  int CountKeys(const std::string& prefix) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    int n = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
    return n;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

OutgoingRecord WithHeader(OutgoingRecord r, const std::string& header) {
  r.headers = {{"rs-event-type", header}};
  return r;
}

// Writes a layout-1 log as Rentstream before 2026-12-06 did: topics "in" (2 partitions, 5 and 3
// records) and "out" (1 partition, 4 records), and one committed group position.
void WriteLayout1Log(RawLog& raw, const std::string& family_with_a_partial_move = "") {
  raw.Put(local_log::TopicKey("in"), local_log::EncodeTopic(Spec("in", 2)));
  raw.Put(local_log::TopicKey("out"), local_log::EncodeTopic(Spec("out", 1)));
  const std::vector<std::pair<TopicPartition, int>> counts = {
      {{"in", 0}, 5}, {{"in", 1}, 3}, {{"out", 0}, 4}};
  for (const auto& [tp, n] : counts) {
    for (int i = 0; i < n; ++i) {
      const std::string value = local_log::EncodeRecord(
          WithHeader(
              Out(tp.topic, absl::StrCat("T", i), absl::StrCat(tp.topic, tp.partition, ":", i)),
              "PaymentReceived"),
          1764000000000 + i);
      raw.Put(local_log::Layout1RecordKey(tp, i), value);
      // A move cut short: some records already copied to their new family.
      if (!family_with_a_partial_move.empty() && tp.topic == "in" && tp.partition == 0 && i < 2)
        raw.Put(local_log::OffsetKey(i), value, family_with_a_partial_move);
    }
  }
  raw.Put(local_log::GroupKey("g", {"in", 0}), local_log::EncodeOffset(4));
}

void ExpectTheLayout1LogsContent(EventBus& bus) {
  auto in = ReadAll(bus, "in", 2);
  ASSERT_EQ(in.size(), 8u);
  for (const Record& r : in) {
    const int64_t i = r.offset;
    EXPECT_EQ(r.value, absl::StrCat("in", r.partition, ":", i));
    EXPECT_EQ(r.key, absl::StrCat("T", i));
    EXPECT_EQ(r.timestamp_ms, 1764000000000 + i);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].second, "PaymentReceived");
  }
  EXPECT_EQ(ReadAll(bus, "out", 1).size(), 4u);
  EXPECT_EQ(*bus.EndOffset({"in", 0}), 5);
  EXPECT_EQ(*bus.EndOffset({"in", 1}), 3);
  EXPECT_EQ(*bus.EndOffset({"out", 0}), 4);
}

TEST(LocalBusLayoutTest, EachPartitionWithRecordsHasAColumnFamilyOfItsOwn) {
  TempDir dir;
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE(bus.ok()) << bus.status();
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 3), Spec("empty", 2)}).ok());
    OutgoingRecord to0 = Out("t", "a", "zero"), to2 = Out("t", "b", "two");
    to0.partition = 0;
    to2.partition = 2;
    ASSERT_TRUE((*(*bus)->NewAppender("a"))->Append({to0, to2, to2}).ok());
    auto member = (*bus)->JoinGroup({"g", {"t"}, "g-0", nullptr});
    ASSERT_TRUE(member.ok());
    ASSERT_TRUE((*member)->BeginTransaction().ok());
    ASSERT_TRUE((*member)->Append(to0).ok());
    ASSERT_TRUE((*member)->CommitTransaction({}).ok());
  }
  EXPECT_EQ(FamiliesIn(dir.path()), (std::set<std::string>{"default", "r/t/0", "r/t/2"}));
  RawLog raw(dir.path());
  std::string layout;
  ASSERT_TRUE(raw.db().Get(rocksdb::ReadOptions(), "v", &layout).ok());
  EXPECT_EQ(layout, "2");
  EXPECT_EQ(raw.CountKeys("r"), 0) << "records in the default family";
  std::unique_ptr<rocksdb::Iterator> it(
      raw.db().NewIterator(rocksdb::ReadOptions(), raw.family("r/t/0")));
  std::vector<int64_t> offsets;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    offsets.push_back(local_log::OffsetOfKey(it->key()));
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 1}));
}

TEST(LocalBusLayoutTest, ALayout1LogIsMovedOnceKeepingEveryRecordOffsetAndPosition) {
  TempDir dir;
  {
    RawLog raw(dir.path());
    WriteLayout1Log(raw);
  }
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE(bus.ok()) << bus.status();
    ExpectTheLayout1LogsContent(**bus);
    auto member = (*bus)->JoinGroup({"g", {"in"}, "g-0", nullptr});
    ASSERT_TRUE(member.ok());
    EXPECT_EQ(*(*member)->CommittedPosition({"in", 0}), std::optional<int64_t>(4));
    // The group resumes where it was: one record left on in/0, three on in/1.
    EXPECT_EQ(PollN(**member, 4).size(), 4u);
    OutgoingRecord late = Out("in", "T9", "late");
    late.partition = 0;
    ASSERT_TRUE((*(*bus)->NewAppender("a"))->Append({late}).ok());
    auto all = ReadAll(**bus, "in", 1);
    ASSERT_EQ(all.size(), 6u);
    EXPECT_EQ(all.back().offset, 5);
    EXPECT_EQ(all.back().value, "late");
  }
  {
    RawLog raw(dir.path());
    EXPECT_EQ(raw.CountKeys("r"), 0) << "layout-1 records left behind";
    std::string layout;
    ASSERT_TRUE(raw.db().Get(rocksdb::ReadOptions(), "v", &layout).ok());
    EXPECT_EQ(layout, "2");
  }
  EXPECT_EQ(FamiliesIn(dir.path()),
            (std::set<std::string>{"default", "r/in/0", "r/in/1", "r/out/0"}));
  auto again = LocalBus::Open(dir.path());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ReadAll(**again, "in", 2).size(), 9u);
}

TEST(LocalBusLayoutTest, AMoveCutShortIsDoneAgainWithoutDoublingARecord) {
  TempDir dir;
  {
    RawLog raw(dir.path(), {"r/in/0"});
    WriteLayout1Log(raw, "r/in/0");
  }
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE(bus.ok()) << bus.status();
  ExpectTheLayout1LogsContent(**bus);
}

// A layout-1 topic "big" of `n` records spread over `partitions`: record i is the
// (i / partitions)th of partition i % partitions, keyed "T<i>", valued "<i>:" and `pad` bytes.
void WriteBigLayout1Topic(RawLog& raw, int n, int partitions, size_t pad) {
  raw.Put(local_log::TopicKey("big"), local_log::EncodeTopic(Spec("big", partitions)));
  rocksdb::WriteBatch batch;
  for (int i = 0; i < n; ++i) {
    batch.Put(local_log::Layout1RecordKey({"big", i % partitions}, i / partitions),
              local_log::EncodeRecord(
                  Out("big", absl::StrCat("T", i), absl::StrCat(i, ":", std::string(pad, 'v'))),
                  1764000000000 + i));
    if (batch.Count() == 10000) {
      ASSERT_TRUE(raw.db().Write(rocksdb::WriteOptions(), &batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE(raw.db().Write(rocksdb::WriteOptions(), &batch).ok());
}

void ExpectTheBigTopic(EventBus& bus, int n, int partitions) {
  auto all = ReadAll(bus, "big", partitions);
  ASSERT_EQ(all.size(), static_cast<size_t>(n));
  for (const Record& r : all) {
    const int64_t i = r.offset * partitions + r.partition;
    ASSERT_EQ(r.key, absl::StrCat("T", i));
    ASSERT_EQ(r.timestamp_ms, 1764000000000 + i);
    ASSERT_EQ(r.value.substr(0, r.value.find(':')), std::to_string(i));
  }
  for (int p = 0; p < partitions; ++p) EXPECT_EQ(*bus.EndOffset({"big", p}), n / partitions);
}

TEST(LocalBusLayoutTest, AMoveOfManyRecordsInSeveralBatchesKeepsThemAll) {
  TempDir dir;
  const int kRecords = 30000;  // ~13 MB of values: more than one 8 MB batch of the move
  {
    RawLog raw(dir.path());
    WriteBigLayout1Topic(raw, kRecords, 3, 400);
  }
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE(bus.ok()) << bus.status();
  ExpectTheBigTopic(**bus, kRecords, 3);
}

TEST(LocalBusLayoutTest, ATopicNameTheLayoutCannotHoldStopsTheMoveBeforeItChangesAnything) {
  TempDir dir;
  {
    RawLog raw(dir.path());
    WriteLayout1Log(raw);
    raw.Put(local_log::TopicKey("a b"), local_log::EncodeTopic(Spec("a b", 1)));
    raw.Put(local_log::Layout1RecordKey({"a b", 0}, 0),
            local_log::EncodeRecord(Out("a b", "k", "v"), 1));
  }
  auto bus = LocalBus::Open(dir.path());
  EXPECT_EQ(bus.status().code(), absl::StatusCode::kFailedPrecondition) << bus.status();
  EXPECT_NE(bus.status().message().find("\"a b\""), std::string::npos) << bus.status();
  EXPECT_EQ(FamiliesIn(dir.path()), (std::set<std::string>{"default"}));
  RawLog raw(dir.path());
  EXPECT_EQ(raw.CountKeys("r"), 13) << "the refused move changed the log";
  std::string layout;
  EXPECT_TRUE(raw.db().Get(rocksdb::ReadOptions(), "v", &layout).IsNotFound());
}

TEST(LocalBusLayoutTest, AFamilyMadeButNeverWrittenIsAnEmptyPartitionAndAStrangerIsRefused) {
  TempDir dir;
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 2)}).ok());
  }
  {
    // What a crash between creating a partition's family and its first write leaves.
    RawLog raw(dir.path(), {"r/t/1"});
  }
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE(bus.ok()) << bus.status();
    EXPECT_EQ(*(*bus)->EndOffset({"t", 1}), 0);
    OutgoingRecord r = Out("t", "k", "first");
    r.partition = 1;
    ASSERT_TRUE((*(*bus)->NewAppender("a"))->Append({r}).ok());
    auto all = ReadAll(**bus, "t", 2);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].offset, 0);
  }
  { RawLog raw(dir.path(), {"r/t/+1"}); }
  auto bus = LocalBus::Open(dir.path());
  EXPECT_EQ(bus.status().code(), absl::StatusCode::kFailedPrecondition) << bus.status();
  EXPECT_NE(bus.status().message().find("r/t/+1"), std::string::npos) << bus.status();
}

TEST(LocalBusLayoutTest, AGroupPositionPastItsPartitionsEndIsDataLoss) {
  TempDir dir;
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 1)}).ok());
    ASSERT_TRUE((*(*bus)->NewAppender("a"))->Append({Out("t", "k", "0"), Out("t", "k", "1")}).ok());
    auto member = (*bus)->JoinGroup({"g", {"t"}, "g-0", nullptr});
    ASSERT_EQ(PollN(**member, 2).size(), 2u);
    ASSERT_TRUE((*member)->BeginTransaction().ok());
    ASSERT_TRUE((*member)->CommitTransaction({{{"t", 0}, 2}}).ok());
  }
  {
    RawLog raw(dir.path());
    ASSERT_TRUE(raw.db()
                    .Delete(rocksdb::WriteOptions(), raw.family("r/t/0"), local_log::OffsetKey(1))
                    .ok());
  }
  auto bus = LocalBus::Open(dir.path());
  EXPECT_EQ(bus.status().code(), absl::StatusCode::kDataLoss) << bus.status();
}

TEST(LocalBusLayoutTest, ALostRecordIsDataLossNotTheEndOfThePartition) {
  TempDir dir;
  {
    auto bus = LocalBus::Open(dir.path());
    ASSERT_TRUE((*bus)->DeclareTopics({Spec("t", 1)}).ok());
    ASSERT_TRUE((*(*bus)->NewAppender("a"))
                    ->Append({Out("t", "k", "0"), Out("t", "k", "1"), Out("t", "k", "2")})
                    .ok());
  }
  {
    RawLog raw(dir.path());
    ASSERT_TRUE(raw.db()
                    .Delete(rocksdb::WriteOptions(), raw.family("r/t/0"), local_log::OffsetKey(1))
                    .ok());
  }
  auto bus = LocalBus::Open(dir.path());
  ASSERT_TRUE(bus.ok()) << bus.status();
  auto reader = (*bus)->OpenReader({{{"t", 0}, 0}});
  ASSERT_TRUE(reader.ok());
  auto got = (*reader)->Next(10);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  auto tail = (*bus)->Follow({{{"t", 0}, 1}});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ((*tail)->Poll(10, 0ms).status().code(), absl::StatusCode::kDataLoss);
}

TEST(LocalBusLayoutTest, ALogOfALaterLayoutIsRefused) {
  TempDir dir;
  {
    RawLog raw(dir.path());
    raw.Put("v", "3");
  }
  auto bus = LocalBus::Open(dir.path());
  EXPECT_EQ(bus.status().code(), absl::StatusCode::kFailedPrecondition) << bus.status();
  EXPECT_NE(bus.status().message().find("layout 3"), std::string::npos) << bus.status();
}

TEST(LocalBusCrashTest, KillNineDuringTheMoveToLayout2LosesAndDoublesNothing) {
  TempDir dir;
  const std::string log_dir = dir.path() + "/log";
  const int kRecords = 150000;  // a move of ~0.5 s on the 2-core benchmark machine
  {
    RawLog raw(log_dir);
    WriteBigLayout1Topic(raw, kRecords, 4, 200);
    raw.Put(local_log::GroupKey("g", {"big", 2}), local_log::EncodeOffset(7));
  }
  // Kill the opening child after 10, 20, 40, … ms until one finishes the move: the move lasts
  // far longer than a doubling step, so some kills land inside it (checked below).
  int kills_mid_move = 0;
  for (int delay_ms = 10;; delay_ms *= 2) {
    ASSERT_LT(delay_ms, 60000) << "the move never finished";
    const std::string out_log = absl::StrCat(dir.path(), "/open-", delay_ms, ".log");
    auto pid = testing::SpawnChild({SelfExe(), "--open-child=" + log_dir}, out_log);
    ASSERT_TRUE(pid.ok()) << pid.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));  // when to kill, not a wait
    int exit_code = 0;
    if (!testing::ChildRunning(*pid, &exit_code)) {
      ASSERT_EQ(exit_code, 0) << "open child failed; see " << out_log;
      break;
    }
    testing::KillChild(*pid, SIGKILL);
    testing::WaitChild(*pid);
    RawLog raw(log_dir);
    std::string layout;
    if (FamiliesIn(log_dir).size() > 1 &&
        raw.db().Get(rocksdb::ReadOptions(), "v", &layout).IsNotFound()) {
      ++kills_mid_move;  // some records copied, the move not marked done
    }
  }
  EXPECT_GE(kills_mid_move, 1) << "no kill landed inside the move";
  std::printf("kills inside the move: %d\n", kills_mid_move);
  auto bus = LocalBus::Open(log_dir);
  ASSERT_TRUE(bus.ok()) << bus.status();
  ExpectTheBigTopic(**bus, kRecords, 4);
  auto member = (*bus)->JoinGroup({"g", {"big"}, "g-0", nullptr});
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(*(*member)->CommittedPosition({"big", 2}), std::optional<int64_t>(7));
}

}  // namespace
}  // namespace rentstream::eventlog::local_bus_test
