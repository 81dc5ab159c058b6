#include "libs/runtime/stream_cache.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace rentstream::runtime {
namespace {

// A logic whose state is a counter (Int64Value): enough for the cache.
class CounterState : public StreamLogic {
 public:
  std::unique_ptr<google::protobuf::Message> NewState() const override {
    return std::make_unique<google::protobuf::Int64Value>();
  }
  std::optional<common::v1::Rejection> Validate(const common::v1::CommandEnvelope&,
                                                std::string_view) const override {
    return std::nullopt;
  }
  Decision DecideCommand(const StreamView&, const common::v1::CommandEnvelope&,
                         std::string_view) override {
    return {};
  }
  absl::Status Evolve(google::protobuf::Message&, const common::v1::Event&) override {
    return absl::OkStatus();
  }
};

// A logic whose state has a map (Struct): its bytes are written in the deterministic order.
class MapState : public CounterState {
 public:
  std::unique_ptr<google::protobuf::Message> NewState() const override {
    return std::make_unique<google::protobuf::Struct>();
  }
};

// Each test's store, in a directory of its own.
class StreamCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / "rs-cache-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    auto store = StreamStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<StreamStore> store_;
};

TEST_F(StreamCacheTest, OverItsLimitItForgetsTheLeastRecentlyUsedAndReloadsThemFromTheStore) {
  CounterState logic;
  StreamCache cache(*store_, logic, /*max_clean_entries=*/8);
  auto write = [&](int i, int64_t value) {
    auto e = cache.Touch(0, "T-" + std::to_string(i));
    ASSERT_TRUE(e.ok());
    static_cast<google::protobuf::Int64Value&>(*(*e)->state).set_value(value);
    StreamStore::Batch batch;
    cache.Flush(batch);
    ASSERT_TRUE(store_->Write(batch).ok());
  };
  for (int i = 0; i < 20; ++i) write(i, 100 + i);
  // Everything is still there, from the cache or reloaded from the store.
  for (int i = 0; i < 20; ++i) {
    auto e = cache.Peek(0, "T-" + std::to_string(i));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(static_cast<const google::protobuf::Int64Value&>(*(*e)->state).value(), 100 + i);
  }
  // Which entries an eviction keeps: change every stream in the store behind the cache's back;
  // a stream still cached shows its old value, an evicted one is reloaded with the new.
  auto overwrite_store = [&](int i) {
    v1::StreamRecord r;
    r.set_tenancy_ref("T-" + std::to_string(i));
    google::protobuf::Int64Value changed;
    changed.set_value(-1);
    r.set_state(changed.SerializeAsString());
    StreamStore::Batch batch;
    batch.PutStream(0, r, 0);
    ASSERT_TRUE(store_->Write(batch).ok());
  };
  for (int i = 0; i < 20; ++i) overwrite_store(i);
  StreamStore::Batch nothing;
  cache.Flush(nothing);  // evictions happen after a flush: 20 loaded, the limit is 8
  auto value = [&](int i) {
    auto e = cache.Peek(0, "T-" + std::to_string(i));
    EXPECT_TRUE(e.ok());
    return static_cast<const google::protobuf::Int64Value&>(*(*e)->state).value();
  };
  // The last read (T-19) was used most recently: still cached. T-0 was used long ago.
  EXPECT_EQ(value(19), 119);
  EXPECT_EQ(value(0), -1);
}

TEST_F(StreamCacheTest,
       KeyedRecordsWrittenInTheTransactionAreReadBeforeTheStoresAndDroppedOnAbort) {
  CounterState logic;
  StreamCache cache(*store_, logic, /*max_clean_entries=*/8);
  auto entry = cache.Touch(0, "T-1");
  ASSERT_TRUE(entry.ok());
  (*entry)->pending_keyed["a"] = "a1";
  (*entry)->pending_keyed["b"] = "b1";
  StreamStore::Batch first;
  cache.Flush(first);
  ASSERT_TRUE(store_->Write(first).ok());
  EXPECT_TRUE((*entry)->pending_keyed.empty()) << "written: the store has them now";

  // A later transaction changes "a": its own reads see the change, the store's are older.
  entry = cache.Touch(0, "T-1");
  ASSERT_TRUE(entry.ok());
  (*entry)->pending_keyed["a"] = "a2";
  KeyedRecords seen;
  ASSERT_TRUE(cache.LoadKeyed(0, **entry, {"a", "b", "missing"}, seen).ok());
  EXPECT_EQ(seen, (KeyedRecords{{"a", "a2"}, {"b", "b1"}}));
  KeyedRecords stored;
  ASSERT_TRUE(store_->LoadKeyed(0, "T-1", {"a", "b"}, stored).ok());
  EXPECT_EQ(stored, (KeyedRecords{{"a", "a1"}, {"b", "b1"}}));

  // Aborted: the change is gone with the entry; the stream reloads what the store has.
  cache.DropDirty();
  entry = cache.Touch(0, "T-1");
  ASSERT_TRUE(entry.ok());
  seen.clear();
  ASSERT_TRUE(cache.LoadKeyed(0, **entry, {"a"}, seen).ok());
  EXPECT_EQ(seen, (KeyedRecords{{"a", "a1"}}));
}

TEST_F(StreamCacheTest, PrefetchLoadsABatchsStreamsOutcomesAndRecordsForOneTransaction) {
  StreamStore::Batch stored;
  v1::StreamRecord record;
  record.set_tenancy_ref("T-1");
  record.set_sequence(3);
  google::protobuf::Int64Value five;
  five.set_value(5);
  record.set_state(five.SerializeAsString());
  stored.PutStream(0, record, 0);
  stored.PutKeyed(0, "T-1", "a", "a1");
  common::v1::CommandOutcome seen;
  seen.set_command_id("c1");
  seen.mutable_accepted();
  stored.PutOutcome(0, "T-1", seen);
  ASSERT_TRUE(store_->Write(stored).ok());

  CounterState logic;
  StreamCache cache(*store_, logic, /*max_clean_entries=*/8);
  // Duplicates (a stream twice, a key twice, an id twice) are asked once.
  ASSERT_TRUE(cache
                  .Prefetch(0, {{"T-1", "c1", {"a"}},
                                {"T-1", "c2", {"a", "b"}},
                                {"T-2", "c3", {}},
                                {"T-1", "c2", {"b"}}})
                  .ok());
  auto c1 = cache.FindOutcome(0, "T-1", "c1");
  ASSERT_TRUE(c1.ok() && c1->has_value()) << "remembered";
  auto c2 = cache.FindOutcome(0, "T-1", "c2");
  ASSERT_TRUE(c2.ok());
  EXPECT_FALSE(c2->has_value());
  auto t1 = cache.Peek(0, "T-1");
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ((*t1)->record.sequence(), 3u);
  EXPECT_EQ(static_cast<const google::protobuf::Int64Value&>(*(*t1)->state).value(), 5);
  auto t2 = cache.Peek(0, "T-2");
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ((*t2)->record.sequence(), 0u) << "no stream yet";
  auto entry = cache.Touch(0, "T-1");
  ASSERT_TRUE(entry.ok());
  KeyedRecords records;
  ASSERT_TRUE(cache.LoadKeyed(0, **entry, {"a", "b"}, records).ok());
  EXPECT_EQ(records, (KeyedRecords{{"a", "a1"}}));

  // The transaction ends: what was prefetched is forgotten, touched or not.
  StreamStore::Batch batch;
  cache.Flush(batch);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_TRUE((*entry)->keyed_read.empty());
  EXPECT_TRUE((*t2)->keyed_read.empty());
  StreamStore::Batch later;
  later.PutKeyed(0, "T-1", "b", "b1");  // written by a later transaction
  ASSERT_TRUE(store_->Write(later).ok());
  records.clear();
  entry = cache.Touch(0, "T-1");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(cache.LoadKeyed(0, **entry, {"b"}, records).ok());
  EXPECT_EQ(records, (KeyedRecords{{"b", "b1"}})) << "not a remembered absence";
}

// A clean entry holds its state as the bytes the flush wrote (not a parsed message), parsed again
// when next used; a stored state that does not parse is DATA_LOSS, and nothing of it is kept.
TEST_F(StreamCacheTest, ACleanEntryKeepsTheBytesWrittenAndParsesThemWhenNextUsed) {
  MapState logic;
  StreamCache cache(*store_, logic, /*max_clean_entries=*/100);
  auto change = [&](const std::string& field, double value) -> const StreamEntry* {
    auto e = cache.Touch(0, "T-1");
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return nullptr;
    auto& state = static_cast<google::protobuf::Struct&>(*(*e)->state);
    (*state.mutable_fields())[field].set_number_value(value);
    StreamStore::Batch batch;
    cache.Flush(batch);
    EXPECT_TRUE(store_->Write(batch).ok());
    return *e;
  };
  const StreamEntry* entry = change("a", 1);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->state, nullptr) << "clean: bytes only";
  for (int i = 0; i < 8; ++i) change("k" + std::to_string(i), i);  // a map of several keys
  entry = change("a", 2);
  ASSERT_NE(entry, nullptr);
  auto stored = store_->LoadStream(0, "T-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  google::protobuf::Struct expected;
  ASSERT_TRUE(expected.ParseFromString((*stored)->state()));
  EXPECT_EQ(expected.fields().size(), 9u);
  EXPECT_EQ(expected.fields().at("a").number_value(), 2);
  EXPECT_EQ((*stored)->state(), DeterministicBytes(expected)) << "maps in a fixed order";
  EXPECT_EQ(entry->record.state(), (*stored)->state()) << "the cache holds what was written";
  auto peeked = cache.Peek(0, "T-1");
  ASSERT_TRUE(peeked.ok());
  ASSERT_NE((*peeked)->state, nullptr);
  EXPECT_EQ(DeterministicBytes(*(*peeked)->state), (*stored)->state());
  EXPECT_TRUE((*peeked)->record.state().empty()) << "parsed: the bytes are not kept twice";

  // A stored state that does not parse: DATA_LOSS at its use, then read again from the store.
  v1::StreamRecord broken;
  broken.set_tenancy_ref("T-2");
  broken.set_state("\xff\xff\xff");
  StreamStore::Batch bad;
  bad.PutStream(0, broken, 0);
  ASSERT_TRUE(store_->Write(bad).ok());
  ASSERT_TRUE(cache.Prefetch(0, {{"T-2", "c1", {}}}).ok()) << "prefetched, not parsed yet";
  auto refused = cache.Touch(0, "T-2");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  google::protobuf::Struct mended;
  (*mended.mutable_fields())["m"].set_bool_value(true);
  broken.set_state(mended.SerializeAsString());
  StreamStore::Batch fixed;
  fixed.PutStream(0, broken, 0);
  ASSERT_TRUE(store_->Write(fixed).ok());
  auto read_again = cache.Touch(0, "T-2");
  ASSERT_TRUE(read_again.ok()) << read_again.status();
  EXPECT_TRUE(static_cast<const google::protobuf::Struct&>(*(*read_again)->state)
                  .fields()
                  .at("m")
                  .bool_value());
  EXPECT_EQ(cache.dirty_count(), 1u) << "the refused touch left nothing dirty";
}

}  // namespace
}  // namespace rentstream::runtime
