#include "libs/runtime/stream_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <map>

namespace rentstream::runtime {
namespace {

class StreamStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rs-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = StreamStore::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  static v1::StreamRecord Record(const std::string& tenancy, uint64_t seq, int64_t review) {
    v1::StreamRecord r;
    r.set_tenancy_ref(tenancy);
    r.set_sequence(seq);
    r.set_last_hash(std::string(32, static_cast<char>(seq)));
    r.set_state("state-" + std::to_string(seq));
    r.set_next_review_day(review);
    return r;
  }
  std::string dir_;
  std::unique_ptr<StreamStore> store_;
};

// Without the write-ahead log (the processors' default) a batch lasts once RocksDB flushes its
// memtable: a clean close flushes, so a store closed and opened again has every batch.
TEST_F(StreamStoreTest, BatchesWrittenWithoutTheLogAreKeptByACleanClose) {
  for (int64_t i = 1; i <= 3; ++i) {
    StreamStore::Batch batch;
    batch.PutStream(1, Record("T" + std::to_string(i), static_cast<uint64_t>(i), 0), 0);
    batch.SetApplied(1, 100 * i);
    ASSERT_TRUE(store_->Write(batch, StreamStore::Durability::kFromBus).ok());
  }
  Reopen();
  for (int64_t i = 1; i <= 3; ++i) {
    auto stream = store_->LoadStream(1, "T" + std::to_string(i));
    ASSERT_TRUE(stream.ok() && stream->has_value()) << i;
    EXPECT_EQ((*stream)->sequence(), static_cast<uint64_t>(i));
  }
  auto applied = store_->AppliedOffset(1);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 300);
}

TEST_F(StreamStoreTest, WritesStreamsOutcomesAndAppliedOffsetsAtomicallyAndDurably) {
  StreamStore::Batch batch;
  batch.PutStream(3, Record("T1", 4, 0), 0);
  common::v1::CommandOutcome outcome;
  outcome.set_command_id("c-1");
  outcome.set_tenancy_ref("T1");
  outcome.mutable_accepted();
  batch.PutOutcome(3, "T1", outcome);
  batch.SetApplied(3, 1234);
  ASSERT_TRUE(store_->Write(batch).ok());
  Reopen();
  auto stream = store_->LoadStream(3, "T1");
  ASSERT_TRUE(stream.ok() && stream->has_value());
  EXPECT_EQ((*stream)->sequence(), 4u);
  EXPECT_FALSE(store_->LoadStream(2, "T1")->has_value()) << "partitions are separate";
  auto found = store_->LoadOutcome(3, "T1", "c-1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->has_accepted());
  EXPECT_FALSE(store_->LoadOutcome(3, "T1", "c-2")->has_value());
  EXPECT_EQ(*store_->AppliedOffset(3), 1234);
  EXPECT_EQ(*store_->AppliedOffset(4), 0);
}

TEST_F(StreamStoreTest, ReviewIndexFollowsTheNextReviewDay) {
  StreamStore::Batch first;
  first.PutStream(0, Record("A", 1, 100), 0);
  first.PutStream(0, Record("B", 1, 105), 0);
  first.PutStream(1, Record("C", 1, 90), 0);
  ASSERT_TRUE(store_->Write(first).ok());
  EXPECT_EQ(*store_->DueStreams(0, 99, 10), std::vector<std::string>{});
  EXPECT_EQ(*store_->DueStreams(0, 100, 10), std::vector<std::string>{"A"});
  EXPECT_EQ(*store_->DueStreams(0, 200, 10), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(*store_->DueStreams(0, 200, 1), std::vector<std::string>{"A"});
  EXPECT_EQ(*store_->DueStreams(1, 200, 10), std::vector<std::string>{"C"});
  // Paging: after (100, "A") comes (105, "B"); after the last, nothing.
  auto page = store_->DueStreamsAfter(0, 200, 10, StreamStore::DueCursor{100, "A"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].tenancy, "B");
  EXPECT_EQ((*page)[0].day, 105);
  EXPECT_TRUE(store_->DueStreamsAfter(0, 200, 10, StreamStore::DueCursor{105, "B"})->empty());

  StreamStore::Batch moved;
  moved.PutStream(0, Record("A", 2, 110), 100);  // A reviewed: next review later
  moved.PutStream(0, Record("B", 2, 0), 105);    // B needs no more reviews
  ASSERT_TRUE(store_->Write(moved).ok());
  EXPECT_EQ(*store_->DueStreams(0, 109, 10), std::vector<std::string>{});
  EXPECT_EQ(*store_->DueStreams(0, 110, 10), std::vector<std::string>{"A"});
}

TEST_F(StreamStoreTest, DigestDependsOnEveryStreamAndNothingElse) {
  StreamStore::Batch a;
  a.PutStream(0, Record("A", 1, 0), 0);
  a.PutStream(1, Record("B", 2, 0), 0);
  ASSERT_TRUE(store_->Write(a).ok());
  const std::string before = *store_->StreamsDigest();
  StreamStore::Batch applied;
  applied.SetApplied(0, 99);
  ASSERT_TRUE(store_->Write(applied).ok());
  EXPECT_EQ(*store_->StreamsDigest(), before);
  StreamStore::Batch changed;
  changed.PutStream(1, Record("B", 3, 0), 0);
  ASSERT_TRUE(store_->Write(changed).ok());
  EXPECT_NE(*store_->StreamsDigest(), before);
  EXPECT_EQ(*store_->StreamCount(), 2u);
}

TEST_F(StreamStoreTest, HistoryIsKeptPerStreamInFoldingOrderAndReadWithItsRecord) {
  StreamStore::Batch first;
  first.PutStream(0, Record("HA-1", 2, 0), 0);
  first.PutHistory(0, "HA-1", 2, {"m2a", "m2b"});
  first.PutHistory(0, "HA-1", 1, {"m1"});
  // Neighbours whose keys share a prefix with HA-1's: another tenancy, another partition.
  first.PutStream(0, Record("HA-10", 1, 0), 0);
  first.PutHistory(0, "HA-10", 1, {"other"});
  first.PutStream(1, Record("HA-1", 1, 0), 0);
  first.PutHistory(1, "HA-1", 1, {"elsewhere"});
  ASSERT_TRUE(store_->Write(first).ok());
  StreamStore::Batch later;
  later.PutStream(0, Record("HA-1", 300, 0), 0);
  later.PutHistory(0, "HA-1", 300, {"m300"});  // numeric, not text, order: 300 after 2
  ASSERT_TRUE(store_->Write(later).ok());
  Reopen();

  SideRecords side;
  auto stream = store_->LoadStream(0, "HA-1", &side);
  ASSERT_TRUE(stream.ok() && stream->has_value()) << stream.status();
  EXPECT_EQ((*stream)->sequence(), 300u);
  EXPECT_EQ(side.history, (std::vector<std::string>{"m1", "m2a", "m2b", "m300"}));
  ASSERT_TRUE(store_->LoadStream(0, "HA-10", &side).ok());
  EXPECT_EQ(side.history, std::vector<std::string>{"other"});
  ASSERT_TRUE(store_->LoadStream(1, "HA-1", &side).ok());
  EXPECT_EQ(side.history, std::vector<std::string>{"elsewhere"}) << "partitions are separate";
  ASSERT_TRUE(store_->LoadStream(0, "HA-2", &side).ok());
  EXPECT_TRUE(side.history.empty()) << "no stream, no history";

  std::map<std::string, std::vector<std::string>> seen;
  ASSERT_TRUE(store_
                  ->ForEachStreamWithSide(
                      [&](const v1::StreamRecord& record, const StreamStore::SideLoader& load) {
                        SideRecords s;
                        EXPECT_TRUE(load(s).ok());
                        seen[record.tenancy_ref() + "@" + std::to_string(record.sequence())] =
                            s.history;
                        return true;
                      })
                  .ok());
  EXPECT_EQ(seen["HA-1@300"], (std::vector<std::string>{"m1", "m2a", "m2b", "m300"}));
  EXPECT_EQ(seen["HA-10@1"], std::vector<std::string>{"other"});
  EXPECT_EQ(seen["HA-1@1"], std::vector<std::string>{"elsewhere"});

  // Folding the same event again (a rebuild, a retried batch) writes the same keys.
  const std::string digest = *store_->StreamsDigest();
  StreamStore::Batch again;
  again.PutHistory(0, "HA-1", 2, {"m2a", "m2b"});
  ASSERT_TRUE(store_->Write(again).ok());
  EXPECT_EQ(*store_->StreamsDigest(), digest);
  StreamStore::Batch changed;
  changed.PutHistory(0, "HA-1", 2, {"m2a", "m2B"});
  ASSERT_TRUE(store_->Write(changed).ok());
  EXPECT_NE(*store_->StreamsDigest(), digest) << "the digest covers history";
}

TEST_F(StreamStoreTest, KeyedRecordsArePerStreamByKeyAndCountInTheDigest) {
  StreamStore::Batch first;
  first.PutStream(0, Record("HA-1", 1, 0), 0);
  first.PutKeyed(0, "HA-1", "payment/p1", "one");
  first.PutKeyed(0, "HA-1", "payment/p2", "two");
  // Neighbours whose keys share a prefix with HA-1's: another tenancy, another partition.
  first.PutStream(0, Record("HA-10", 1, 0), 0);
  first.PutKeyed(0, "HA-10", "payment/p1", "other");
  first.PutStream(1, Record("HA-1", 2, 0), 0);
  first.PutKeyed(1, "HA-1", "payment/p1", "elsewhere");
  ASSERT_TRUE(store_->Write(first).ok());
  StreamStore::Batch later;
  later.PutKeyed(0, "HA-1", "payment/p1", "one, reversed");  // a new version replaces the old
  ASSERT_TRUE(store_->Write(later).ok());
  Reopen();

  // A decision's lookup: only the keys asked for, those that exist.
  KeyedRecords found;
  ASSERT_TRUE(store_->LoadKeyed(0, "HA-1", {"payment/p1", "payment/p9"}, found).ok());
  EXPECT_EQ(found, (KeyedRecords{{"payment/p1", "one, reversed"}}));
  found.clear();
  ASSERT_TRUE(store_->LoadKeyed(0, "HA-2", {"payment/p1"}, found).ok());
  EXPECT_TRUE(found.empty()) << "no stream, no records";

  // A query's: all of them, with the record.
  SideRecords side;
  ASSERT_TRUE(store_->LoadStream(0, "HA-1", &side).ok());
  EXPECT_EQ(side.keyed, (KeyedRecords{{"payment/p1", "one, reversed"}, {"payment/p2", "two"}}));
  ASSERT_TRUE(store_->LoadStream(0, "HA-10", &side).ok());
  EXPECT_EQ(side.keyed, (KeyedRecords{{"payment/p1", "other"}}));
  ASSERT_TRUE(store_->LoadStream(1, "HA-1", &side).ok());
  EXPECT_EQ(side.keyed, (KeyedRecords{{"payment/p1", "elsewhere"}})) << "partitions are separate";
  std::map<std::string, KeyedRecords> seen;
  ASSERT_TRUE(store_
                  ->ForEachStreamWithSide(
                      [&](const v1::StreamRecord& record, const StreamStore::SideLoader& load) {
                        SideRecords s;
                        EXPECT_TRUE(load(s).ok());
                        seen[std::to_string(record.sequence()) + record.tenancy_ref()] = s.keyed;
                        return true;
                      })
                  .ok());
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen["1HA-1"], (KeyedRecords{{"payment/p1", "one, reversed"}, {"payment/p2", "two"}}));
  EXPECT_EQ(seen["1HA-10"], (KeyedRecords{{"payment/p1", "other"}}));
  EXPECT_EQ(seen["2HA-1"], (KeyedRecords{{"payment/p1", "elsewhere"}}));

  // The digest covers them: the same write again changes nothing, another value does.
  const std::string digest = *store_->StreamsDigest();
  StreamStore::Batch again;
  again.PutKeyed(0, "HA-1", "payment/p2", "two");
  ASSERT_TRUE(store_->Write(again).ok());
  EXPECT_EQ(*store_->StreamsDigest(), digest);
  StreamStore::Batch changed;
  changed.PutKeyed(0, "HA-1", "payment/p2", "TWO");
  ASSERT_TRUE(store_->Write(changed).ok());
  EXPECT_NE(*store_->StreamsDigest(), digest);
}

// Many keys at once (an import's lines checked against the suspense stream): one seek under
// their common prefix answers "none" for all of them; when something is there, each is looked up.
TEST_F(StreamStoreTest, ManyKeysAreAnsweredAlikeWhetherTheSeekFindsNothingOrSomething) {
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("held/bank/SO-" + std::to_string(1000 + i));
  ASSERT_GE(keys.size(), StreamStore::kKeysCheckedBySeek);
  StreamStore::Batch neighbours;
  // Records just outside the stream's range of those keys: other keys of the stream, the same
  // keys of a stream whose name extends it, of another partition.
  neighbours.PutKeyed(0, "SUSP", "held/bank/SN-1", "before");
  neighbours.PutKeyed(0, "SUSP", "held/bank/SP-1", "after");
  neighbours.PutKeyed(0, "SUSP", "payment/x", "other kind");
  neighbours.PutKeyed(0, "SUSP0", keys[3], "another stream");
  neighbours.PutKeyed(1, "SUSP", keys[3], "another partition");
  ASSERT_TRUE(store_->Write(neighbours).ok());
  KeyedRecords found;
  ASSERT_TRUE(store_->LoadKeyed(0, "SUSP", keys, found).ok());
  EXPECT_TRUE(found.empty());

  StreamStore::Batch held;
  held.PutKeyed(0, "SUSP", keys[7], "held seven");
  held.PutKeyed(0, "SUSP", keys[39], "held thirty-nine");
  ASSERT_TRUE(store_->Write(held).ok());
  ASSERT_TRUE(store_->LoadKeyed(0, "SUSP", keys, found).ok());
  EXPECT_EQ(found, (KeyedRecords{{keys[7], "held seven"}, {keys[39], "held thirty-nine"}}));

  // Keys with no common prefix, and a common prefix ending in bytes 0xff (the bound is then the
  // stream's key range's end).
  std::vector<std::string> mixed = keys;
  mixed.push_back("payment/x");
  found.clear();
  ASSERT_TRUE(store_->LoadKeyed(0, "SUSP", mixed, found).ok());
  EXPECT_EQ(found.size(), 3u);
  EXPECT_EQ(found["payment/x"], "other kind");
  std::vector<std::string> high;
  for (int i = 0; i < 20; ++i) high.push_back("\xff\xff" + std::to_string(i));
  found.clear();
  ASSERT_TRUE(store_->LoadKeyed(0, "SUSP", high, found).ok());
  EXPECT_TRUE(found.empty());
  StreamStore::Batch high_held;
  high_held.PutKeyed(0, "SUSP", high[12], "high");
  ASSERT_TRUE(store_->Write(high_held).ok());
  ASSERT_TRUE(store_->LoadKeyed(0, "SUSP", high, found).ok());
  EXPECT_EQ(found, (KeyedRecords{{high[12], "high"}}));
}

TEST_F(StreamStoreTest, AQueryReadsOnlyTheSideRecordsItWants) {
  StreamStore::Batch batch;
  batch.PutStream(0, Record("HA-1", 3, 0), 0);
  batch.PutHistory(0, "HA-1", 1, {"m1", "m2"});
  batch.PutKeyed(0, "HA-1", "payment/p1", "paid");
  batch.PutKeyed(0, "HA-1", "suspended/s1", "held one");
  batch.PutKeyed(0, "HA-1", "suspended/s2", "held two");
  batch.PutKeyed(0, "HA-1", "suspended", "a key that is the prefix without its separator");
  // A neighbour whose keys share the prefix: another tenancy.
  batch.PutStream(0, Record("HA-10", 1, 0), 0);
  batch.PutKeyed(0, "HA-10", "suspended/s1", "not HA-1's");
  ASSERT_TRUE(store_->Write(batch).ok());

  SideRecords side;
  auto stream = store_->LoadStream(0, "HA-1", &side, SideWanted{false, "suspended/"});
  ASSERT_TRUE(stream.ok() && stream->has_value());
  EXPECT_EQ((*stream)->sequence(), 3u);
  EXPECT_TRUE(side.history.empty()) << "history not read";
  EXPECT_EQ(side.keyed, (KeyedRecords{{"suspended/s1", "held one"}, {"suspended/s2", "held two"}}));
  // History without keyed records of a prefix none has; and the default: everything.
  ASSERT_TRUE(store_->LoadStream(0, "HA-1", &side, SideWanted{true, "transfer/"}).ok());
  EXPECT_EQ(side.history, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_TRUE(side.keyed.empty());
  ASSERT_TRUE(store_->LoadStream(0, "HA-1", &side).ok());
  EXPECT_EQ(side.history.size(), 2u);
  EXPECT_EQ(side.keyed.size(), 4u);
}

TEST(StreamStoreLayoutTest, AStoreWrittenByANewerLayoutIsRefusedNotMisread) {
  std::string dir = (std::filesystem::temp_directory_path() / "rs-layout-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  ASSERT_TRUE(StreamStore::Open(dir).ok()) << "a new store takes this layout";
  ASSERT_TRUE(StreamStore::Open(dir).ok()) << "and opens again";
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const std::string future("\0\0\0\0\0\0\0\x63", 8);  // layout 99
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "mlayout", future).ok());
  }
  auto refused = StreamStore::Open(dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("layout 99"), std::string::npos) << refused.status();
  std::filesystem::remove_all(dir);
}

// An outcome is stored without the command id and tenancy its key holds, and read back whole —
// accepted, rejected or a batch's answer, one at a time or several at once; an outcome stored
// whole by an earlier layout reads the same.
TEST_F(StreamStoreTest, OutcomesAreStoredWithoutWhatTheirKeyHoldsAndReadBackWhole) {
  std::vector<common::v1::CommandOutcome> outcomes(3);
  outcomes[0].set_command_id("cmd-accepted-0001");
  outcomes[0].set_tenancy_ref("TEN-ONE");
  common::v1::CommandResult& result = *outcomes[0].mutable_accepted()->mutable_result();
  result.set_sequence(300);  // a body over 127 bytes: a two-byte length
  for (int i = 0; i < 4; ++i) {
    result.add_event_ids("0190c0de-0000-7000-8000-00000000000" + std::to_string(i));
    result.add_event_types("rentstream.ledger.v1.PaymentReceived");
  }
  outcomes[1].set_command_id("cmd-rejected-0002");
  outcomes[1].set_tenancy_ref("TEN-ONE");
  outcomes[1].mutable_rejected()->set_field("amount");
  outcomes[1].mutable_rejected()->set_reason("must be positive");
  outcomes[2].set_command_id("cmd-batch-0003");
  outcomes[2].set_tenancy_ref("TEN-TWO");
  outcomes[2].mutable_batch()->add_items()->set_command_id("item-1");
  StreamStore::Batch batch;
  for (const auto& o : outcomes) batch.PutOutcome(2, o.tenancy_ref(), o);
  ASSERT_TRUE(store_->Write(batch).ok());
  store_.reset();
  // What is on disk: neither the command id nor the tenancy in the value.
  common::v1::CommandOutcome old_form;  // as layout 2 stored it: whole
  old_form.set_command_id("cmd-old-0004");
  old_form.set_tenancy_ref("TEN-TWO");
  old_form.mutable_accepted()->mutable_result()->set_sequence(7);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    int stored = 0;
    for (it->Seek("o"); it->Valid() && it->key().starts_with("o"); it->Next()) {
      ++stored;
      EXPECT_EQ(it->value().ToString().find("cmd-"), std::string::npos) << it->key().ToString();
      EXPECT_EQ(it->value().ToString().find("TEN-"), std::string::npos) << it->key().ToString();
    }
    EXPECT_EQ(stored, 3);
    const std::string key =
        std::string("o\0\0\0\x02", 5) + "TEN-TWO" + std::string(1, '\0') + old_form.command_id();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, old_form.SerializeAsString()).ok());
    const std::string layout_2("\0\0\0\0\0\0\0\x02", 8);  // as a layout-2 release left it
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "mlayout", layout_2).ok());
  }
  Reopen();
  outcomes.push_back(old_form);
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& o : outcomes) {
    keys.emplace_back(o.tenancy_ref(), o.command_id());
    auto one = store_->LoadOutcome(2, o.tenancy_ref(), o.command_id());
    ASSERT_TRUE(one.ok() && one->has_value()) << o.command_id();
    EXPECT_EQ((*one)->SerializeAsString(), o.SerializeAsString()) << o.command_id();
  }
  keys.emplace_back("TEN-TWO", "cmd-never-seen");
  auto many = store_->LoadOutcomes(2, keys);
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), outcomes.size() + 1);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    ASSERT_TRUE((*many)[i].has_value()) << i;
    EXPECT_EQ((*many)[i]->SerializeAsString(), outcomes[i].SerializeAsString()) << i;
  }
  EXPECT_FALSE(many->back().has_value());
  EXPECT_FALSE(store_->LoadOutcome(3, "TEN-TWO", "cmd-batch-0003")->has_value())
      << "another partition";
  // Opened by this release, the store is marked with its layout: an older one now refuses it.
  store_.reset();
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string layout;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "mlayout", &layout).ok());
  EXPECT_EQ(layout, std::string("\0\0\0\0\0\0\0\x04", 8));
}

}  // namespace
}  // namespace rentstream::runtime
