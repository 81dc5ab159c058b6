// One conformance suite for both EventBus implementations (architecture §7): KafkaBus against a
// real Apache Kafka broker, LocalBus on a real RocksDB directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "libs/eventlog/bus_errors.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/testing/kafka_environment.h"

namespace rentstream::eventlog {
namespace {

using testing::KafkaEnvironment;
using namespace std::chrono_literals;

enum class BusKind { kKafka, kLocal };

std::string KindName(const ::testing::TestParamInfo<BusKind>& info) {
  return info.param == BusKind::kKafka ? "Kafka" : "Local";
}

class BusConformanceTest : public ::testing::TestWithParam<BusKind> {
 protected:
  void SetUp() override {
    if (GetParam() == BusKind::kKafka) {
      KafkaBusOptions options;
      options.bootstrap = KafkaEnvironment::broker().bootstrap();
      options.session_timeout = 6s;
      Tune(options);
      auto bus = KafkaBus::Connect(options);
      ASSERT_TRUE(bus.ok()) << bus.status();
      bus_ = std::move(*bus);
    } else {
      std::string tmpl = (std::filesystem::temp_directory_path() / "rs-localbus-XXXXXX").string();
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
      auto bus = LocalBus::Open(dir_);
      ASSERT_TRUE(bus.ok()) << bus.status();
      bus_ = std::move(*bus);
    }
  }
  void TearDown() override {
    bus_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Topic(const std::string& stem, int partitions) {
    const std::string name = KafkaEnvironment::UniqueTopic(stem);
    TopicSpec spec;
    spec.name = name;
    spec.partitions = partitions;
    EXPECT_TRUE(bus_->DeclareTopics({spec}).ok());
    return name;
  }

  std::vector<Record> ReadAll(const std::string& topic, int partitions) {
    std::vector<ReadFrom> from;
    for (int p = 0; p < partitions; ++p) from.push_back({{topic, p}, 0});
    auto reader = bus_->OpenReader(from);
    EXPECT_TRUE(reader.ok()) << reader.status();
    std::vector<Record> all;
    for (;;) {
      auto batch = (*reader)->Next(500);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || batch->empty()) break;
      all.insert(all.end(), batch->begin(), batch->end());
    }
    return all;
  }

  static OutgoingRecord Out(const std::string& topic, const std::string& key,
                            const std::string& value) {
    OutgoingRecord r;
    r.topic = topic;
    r.key = key;
    r.value = value;
    r.headers = {{"rs-test", value}};
    return r;
  }

  virtual void Tune(KafkaBusOptions& /*options*/) {}

  std::unique_ptr<EventBus> bus_;
  std::string dir_;
};

// Records each member's current assignment as the listener reports it (thread-safe).
class AssignmentLog : public RebalanceListener {
 public:
  void OnAssigned(const std::vector<TopicPartition>& parts) override {
    std::lock_guard lock(mu_);
    current_.insert(parts.begin(), parts.end());
    cv_.notify_all();
  }
  void OnRevoked(const std::vector<TopicPartition>& parts) override {
    std::lock_guard lock(mu_);
    for (const auto& p : parts) current_.erase(p);
    ++revocations_;
    cv_.notify_all();
  }
  std::set<TopicPartition> current() {
    std::lock_guard lock(mu_);
    return current_;
  }
  int revocations() {
    std::lock_guard lock(mu_);
    return revocations_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<TopicPartition> current_;
  int revocations_ = 0;
};

// Polls a member on its own thread until stopped (group protocols need members to keep polling).
class PollingMember {
 public:
  PollingMember(EventBus& bus, MemberConfig config) {
    config.listener = &log_;
    auto m = bus.JoinGroup(config);
    EXPECT_TRUE(m.ok()) << m.status();
    member_ = std::move(*m);
    thread_ = std::thread([this] {
      while (!stop_) {
        auto records = member_->Poll(100, 50ms);
        if (records.ok()) polled_ += records->size();
      }
      member_->Close();
    });
  }
  ~PollingMember() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  AssignmentLog& log() { return log_; }

 private:
  AssignmentLog log_;
  std::unique_ptr<GroupMember> member_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> polled_{0};
  std::thread thread_;
};

template <typename Pred>
bool Eventually(Pred pred, std::chrono::seconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);  // poll interval while other threads make progress
  }
  return true;
}

std::set<int32_t> PartitionsOf(const std::set<TopicPartition>& tps, const std::string& topic) {
  std::set<int32_t> out;
  for (const auto& tp : tps) {
    if (tp.topic == topic) out.insert(tp.partition);
  }
  return out;
}

// Polls until `n` records arrived (or the deadline passed).
std::vector<Record> PollN(GroupMember& member, size_t n) {
  std::vector<Record> out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto batch = member.Poll(n - out.size(), 200ms);
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    out.insert(out.end(), batch->begin(), batch->end());
  }
  return out;
}

TEST_P(BusConformanceTest, KeepsPerKeyOrderOnTheKeysPartition) {
  const std::string topic = Topic("order", 4);
  auto appender = bus_->NewAppender("conformance-order");
  ASSERT_TRUE(appender.ok()) << appender.status();
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<OutgoingRecord> records;
    for (int i = 0; i < 100; ++i) {
      const int n = batch * 100 + i;
      records.push_back(Out(topic, "T" + std::to_string(n % 17), std::to_string(n)));
    }
    ASSERT_TRUE((*appender)->Append(records).ok());
  }
  auto all = ReadAll(topic, 4);
  ASSERT_EQ(all.size(), 1000u);
  std::map<std::string, int> last;
  for (const Record& r : all) {
    EXPECT_EQ(r.partition, PartitionForKey(r.key, 4)) << r.key;
    const int n = std::stoi(r.value);
    auto [it, first] = last.emplace(r.key, n);
    if (!first) {
      EXPECT_LT(it->second, n) << "order broken for " << r.key;
      it->second = n;
    }
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], std::make_pair(std::string("rs-test"), r.value));
  }
}

// A gateway learns its command topic's leaders before its first command (Appender::PrepareTopics):
// the appends after it go where they belong, and a name that is no topic changes nothing.
TEST_P(BusConformanceTest, AppendsAfterPreparingTopicsAndIgnoresUnknownNames) {
  const std::string topic = Topic("prepared", 3);
  auto appender = bus_->NewAppender("conformance-prepared");
  ASSERT_TRUE(appender.ok()) << appender.status();
  (*appender)->PrepareTopics({topic, "rentstream.conformance.no-such-topic"});
  (*appender)->PrepareTopics({topic});  // again: harmless
  std::vector<OutgoingRecord> records;
  for (int i = 0; i < 30; ++i) records.push_back(Out(topic, "T" + std::to_string(i), "v"));
  ASSERT_TRUE((*appender)->Append(records).ok());
  auto all = ReadAll(topic, 3);
  ASSERT_EQ(all.size(), 30u);
  for (const Record& r : all) EXPECT_EQ(r.partition, PartitionForKey(r.key, 3)) << r.key;
  auto unknown = bus_->PartitionCount("rentstream.conformance.no-such-topic");
  EXPECT_FALSE(unknown.ok());
}

TEST_P(BusConformanceTest, AbortedTransactionsAreInvisible) {
  const std::string in = Topic("abort-in", 2);
  const std::string out = Topic("abort-out", 2);
  MemberConfig config{"abort-group-" + in, {in}, "abort-txn-" + in, nullptr};
  auto member = bus_->JoinGroup(config);
  ASSERT_TRUE(member.ok()) << member.status();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE((*member)->BeginTransaction().ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*member)->Append(Out(out, "k" + std::to_string(i), "aborted")).ok());
    }
    ASSERT_TRUE((*member)->AbortTransaction().ok());
  }
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE((*member)->Append(Out(out, "k" + std::to_string(i), "committed")).ok());
  }
  ASSERT_TRUE((*member)->CommitTransaction({}).ok());
  auto all = ReadAll(out, 2);
  ASSERT_EQ(all.size(), 4u);
  for (const Record& r : all) EXPECT_EQ(r.value, "committed");
}

TEST_P(BusConformanceTest, ConsumedPositionsMoveOnlyWithCommittedOutputs) {
  const std::string in = Topic("pos-in", 2);
  const std::string out = Topic("pos-out", 2);
  auto appender = bus_->NewAppender("conformance-pos");
  ASSERT_TRUE(appender.ok());
  std::vector<OutgoingRecord> inputs;
  for (int i = 0; i < 20; ++i) inputs.push_back(Out(in, "T" + std::to_string(i), "in"));
  ASSERT_TRUE((*appender)->Append(inputs).ok());

  const MemberConfig config{"pos-group-" + in, {in}, "pos-txn-" + in, nullptr};
  auto member = bus_->JoinGroup(config);
  ASSERT_TRUE(member.ok()) << member.status();
  auto batch = PollN(**member, 20);
  ASSERT_EQ(batch.size(), 20u);
  std::map<TopicPartition, int64_t> next;
  for (const Record& r : batch) next[{r.topic, r.partition}] = r.offset + 1;
  std::vector<ConsumedPosition> consumed;
  for (const auto& [tp, off] : next) consumed.push_back({tp, off});

  // Aborted: no output, positions unchanged, and the same inputs are delivered again.
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  ASSERT_TRUE((*member)->Append(Out(out, "T0", "aborted")).ok());
  ASSERT_TRUE((*member)->AbortTransaction().ok());
  for (const auto& [tp, off] : next) {
    auto pos = (*member)->CommittedPosition(tp);
    ASSERT_TRUE(pos.ok()) << pos.status();
    EXPECT_FALSE(pos->has_value()) << "position moved without a commit";
  }
  auto again = PollN(**member, 20);
  ASSERT_EQ(again.size(), 20u) << "aborted batch was not re-delivered";

  // Committed: outputs visible and positions moved, atomically.
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  for (const Record& r : again) ASSERT_TRUE((*member)->Append(Out(out, r.key, "done")).ok());
  ASSERT_TRUE((*member)->CommitTransaction(consumed).ok());
  for (const auto& [tp, off] : next) {
    auto pos = (*member)->CommittedPosition(tp);
    ASSERT_TRUE(pos.ok() && pos->has_value());
    EXPECT_EQ(**pos, off);
  }
  EXPECT_EQ(ReadAll(out, 2).size(), 20u);
  (*member)->Close();

  // A new member of the group resumes after the committed inputs: nothing is processed twice.
  const MemberConfig next_config{config.group_id, {in}, config.transactional_id, nullptr};
  auto successor = bus_->JoinGroup(next_config);
  ASSERT_TRUE(successor.ok()) << successor.status();
  ASSERT_TRUE((*appender)->Append({Out(in, "T99", "late")}).ok());
  auto rest = PollN(**successor, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].value, "late");
}

TEST_P(BusConformanceTest, RebalanceKeepsCoPartitioning) {
  const std::string a = Topic("copart-a", 4);
  const std::string b = Topic("copart-b", 4);
  const std::string group = "copart-group-" + a;
  auto first = std::make_unique<PollingMember>(*bus_, MemberConfig{group, {a, b}, group + "-1"});
  ASSERT_TRUE(Eventually([&] { return first->log().current().size() == 8; }));

  auto second = std::make_unique<PollingMember>(*bus_, MemberConfig{group, {a, b}, group + "-2"});
  ASSERT_TRUE(Eventually([&] {
    return first->log().current().size() == 4 && second->log().current().size() == 4;
  })) << "two members did not split 8 partitions 4/4";
  EXPECT_GE(first->log().revocations(), 1);
  for (PollingMember* m : {first.get(), second.get()}) {
    const auto tps = m->log().current();
    EXPECT_EQ(PartitionsOf(tps, a), PartitionsOf(tps, b)) << "partition i of both topics together";
  }
  auto p1 = PartitionsOf(first->log().current(), a);
  auto p2 = PartitionsOf(second->log().current(), a);
  std::set<int32_t> all(p1.begin(), p1.end());
  all.insert(p2.begin(), p2.end());
  EXPECT_EQ(all, (std::set<int32_t>{0, 1, 2, 3}));

  second->Stop();
  ASSERT_TRUE(Eventually([&] { return first->log().current().size() == 8; }))
      << "the remaining member did not take all partitions back";
}

TEST_P(BusConformanceTest, ReplayFromZeroReturnsEveryCommittedRecordOnce) {
  const std::string in = Topic("replay-in", 3);
  const std::string topic = Topic("replay", 3);
  const MemberConfig config{"replay-group-" + topic, {in}, "replay-txn-" + topic, nullptr};
  auto member = bus_->JoinGroup(config);
  ASSERT_TRUE(member.ok()) << member.status();
  std::multiset<std::string> expected;
  for (int t = 0; t < 20; ++t) {
    ASSERT_TRUE((*member)->BeginTransaction().ok());
    for (int i = 0; i < 7; ++i) {
      const std::string v = std::to_string(t) + ":" + std::to_string(i);
      ASSERT_TRUE((*member)->Append(Out(topic, "T" + std::to_string(i), v)).ok());
      if (t % 4 != 3) expected.insert(v);
    }
    if (t % 4 == 3) {
      ASSERT_TRUE((*member)->AbortTransaction().ok());
    } else {
      ASSERT_TRUE((*member)->CommitTransaction({}).ok());
    }
  }
  auto appender = bus_->NewAppender("conformance-replay");
  ASSERT_TRUE((*appender)->Append({Out(topic, "T1", "plain")}).ok());
  expected.insert("plain");

  std::multiset<std::string> seen;
  for (const Record& r : ReadAll(topic, 3)) seen.insert(r.value);
  EXPECT_EQ(seen, expected);

  // From the end offsets, nothing more.
  std::vector<ReadFrom> from_end;
  for (int p = 0; p < 3; ++p) {
    auto end = bus_->EndOffset({topic, p});
    ASSERT_TRUE(end.ok());
    from_end.push_back({{topic, p}, *end});
  }
  auto reader = bus_->OpenReader(from_end);
  ASSERT_TRUE(reader.ok());
  auto nothing = (*reader)->Next(10);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST_P(BusConformanceTest, DeclaringTopicsIsIdempotentAndPartitionCountsAreFixed) {
  const std::string topic = Topic("declare", 3);
  TopicSpec same;
  same.name = topic;
  same.partitions = 3;
  EXPECT_TRUE(bus_->DeclareTopics({same}).ok());
  auto n = bus_->PartitionCount(topic);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3);
  TopicSpec other = same;
  other.partitions = 5;
  EXPECT_EQ(bus_->DeclareTopics({other}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(bus_->PartitionCount("rentstream.no-such-topic").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(BusConformanceTest, JoiningTopicsWithDifferentPartitionCountsIsRefused) {
  const std::string a = Topic("mismatch-a", 2);
  const std::string b = Topic("mismatch-b", 3);
  auto member = bus_->JoinGroup(MemberConfig{"mismatch-" + a, {a, b}, "mismatch-txn-" + a});
  EXPECT_EQ(member.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Buses, BusConformanceTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal), KindName);

// Zombie fencing is Kafka's transactional-id protocol: a restarted instance with the same id
// fences its predecessor, whose commit then fails and whose records stay invisible.
class KafkaFencingTest : public BusConformanceTest {
 protected:
  void ZombieWithTheSameTransactionalIdIsFenced();
};

// The member produces a record as it is appended (held up to 0 bytes): the zombie's record has
// reached the broker before it is fenced. With the default bound it is still held then.
class KafkaFencingProducedAtOnceTest : public KafkaFencingTest {
 protected:
  void Tune(KafkaBusOptions& options) override { options.max_held_transaction_bytes = 0; }
};

TEST_P(KafkaFencingTest, ZombieWithTheSameTransactionalIdIsFenced) {
  ZombieWithTheSameTransactionalIdIsFenced();
}
TEST_P(KafkaFencingProducedAtOnceTest, ZombieWithTheSameTransactionalIdIsFenced) {
  ZombieWithTheSameTransactionalIdIsFenced();
}

void KafkaFencingTest::ZombieWithTheSameTransactionalIdIsFenced() {
  const std::string in = Topic("zombie-in", 1);
  const std::string out = Topic("zombie-out", 1);
  const MemberConfig config{"zombie-group-" + in, {in}, "zombie-txn-" + in, nullptr};
  auto zombie = bus_->JoinGroup(config);
  ASSERT_TRUE(zombie.ok()) << zombie.status();
  ASSERT_TRUE((*zombie)->BeginTransaction().ok());
  ASSERT_TRUE((*zombie)->Append(Out(out, "T1", "from-zombie")).ok());

  auto successor = bus_->JoinGroup(config);  // same transactional id: fences the zombie
  ASSERT_TRUE(successor.ok()) << successor.status();
  absl::Status st = (*zombie)->CommitTransaction({});
  EXPECT_TRUE(IsFenced(st)) << st;

  ASSERT_TRUE((*successor)->BeginTransaction().ok());
  ASSERT_TRUE((*successor)->Append(Out(out, "T1", "from-successor")).ok());
  ASSERT_TRUE((*successor)->CommitTransaction({}).ok());
  auto all = ReadAll(out, 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].value, "from-successor");
}

INSTANTIATE_TEST_SUITE_P(Kafka, KafkaFencingTest, ::testing::Values(BusKind::kKafka), KindName);
INSTANTIATE_TEST_SUITE_P(Kafka, KafkaFencingProducedAtOnceTest, ::testing::Values(BusKind::kKafka),
                         KindName);

// A Kafka member holds a transaction's records until the commit, or produces them once they pass
// a bound: here a few records' worth, so that most transactions are produced in parts.
class KafkaHeldRecordsTest : public BusConformanceTest {
 protected:
  void Tune(KafkaBusOptions& options) override { options.max_held_transaction_bytes = 1000; }
};

TEST_P(KafkaHeldRecordsTest, ATransactionProducedInPartsCommitsWholeAndInOrderAndAbortsWhole) {
  const std::string in = Topic("held-in", 1);
  const std::string out = Topic("held-out", 2);
  const std::string other = Topic("held-other", 1);
  const MemberConfig config{"held-group-" + in, {in}, "held-txn-" + in, nullptr};
  auto member = bus_->JoinGroup(config);
  ASSERT_TRUE(member.ok()) << member.status();
  const std::string pad(200, 'x');  // ~5 records pass the bound

  // Aborted after parts of it were produced (and with some still held): none of it is seen.
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  for (int i = 0; i < 23; ++i) {
    ASSERT_TRUE((*member)->Append(Out(out, "k" + std::to_string(i % 4), "aborted" + pad)).ok());
  }
  ASSERT_TRUE((*member)->AbortTransaction().ok());

  // A record with neither key nor partition is refused at once, not at the commit.
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  OutgoingRecord unkeyed = Out(out, "", "no key");
  EXPECT_EQ((*member)->Append(unkeyed).code(), absl::StatusCode::kInvalidArgument);
  for (int i = 0; i < 37; ++i) {
    ASSERT_TRUE(
        (*member)->Append(Out(out, "k" + std::to_string(i % 4), std::to_string(i) + pad)).ok());
    if (i % 9 == 0) {
      ASSERT_TRUE((*member)->Append(Out(other, "o", std::to_string(i))).ok());
    }
  }
  ASSERT_TRUE((*member)->CommitTransaction({}).ok());
  // Every committed record, once, each key's in the order appended; their offsets reported.
  auto all = ReadAll(out, 2);
  ASSERT_EQ(all.size(), 37u);
  std::map<std::string, std::vector<int>> by_key;
  for (const Record& r : all) by_key[r.key].push_back(std::stoi(r.value));
  for (const auto& [key, order] : by_key) {
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << key;
  }
  EXPECT_EQ(ReadAll(other, 1).size(), 5u);
  // Where the last commit's records ended, those produced at the commit included: just before
  // each partition's commit marker.
  const auto ends = (*member)->LastCommitAppendEnds();
  std::set<TopicPartition> written = {{other, 0}};
  for (const Record& r : all) written.insert({r.topic, r.partition});
  EXPECT_EQ(ends.size(), written.size());
  for (const TopicPartition& tp : written) {
    auto end = bus_->EndOffset(tp);
    ASSERT_TRUE(end.ok()) << end.status();
    ASSERT_TRUE(ends.count(tp)) << tp.topic << "/" << tp.partition;
    EXPECT_EQ(ends.at(tp), *end - 1) << tp.topic << "/" << tp.partition;
  }

  // A record the producer refuses (larger than the broker takes) fails the transaction for
  // good: its commit is refused too, and once aborted nothing of it is seen.
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  ASSERT_TRUE((*member)->Append(Out(out, "k0", "before the refused one")).ok());
  EXPECT_FALSE((*member)->Append(Out(out, "k1", std::string(2 << 20, 'x'))).ok());
  EXPECT_FALSE((*member)->Append(Out(out, "k2", "after it")).ok());
  EXPECT_FALSE((*member)->CommitTransaction({}).ok());
  ASSERT_TRUE((*member)->AbortTransaction().ok());
  ASSERT_TRUE((*member)->BeginTransaction().ok());
  ASSERT_TRUE((*member)->Append(Out(out, "k3", "37")).ok());
  ASSERT_TRUE((*member)->CommitTransaction({}).ok());
  EXPECT_EQ(ReadAll(out, 2).size(), 38u);
}

INSTANTIATE_TEST_SUITE_P(Kafka, KafkaHeldRecordsTest, ::testing::Values(BusKind::kKafka), KindName);

}  // namespace
}  // namespace rentstream::eventlog
