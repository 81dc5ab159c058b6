#include "libs/runtime/stream_cache.h"

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

TEST(StreamCacheTest, OverItsLimitItForgetsTheLeastRecentlyUsedAndReloadsThemFromTheStore) {
  std::string dir = (std::filesystem::temp_directory_path() / "rs-cache-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    auto store = StreamStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    CounterState logic;
    StreamCache cache(**store, logic, /*max_clean_entries=*/8);
    auto write = [&](int i, int64_t value) {
      auto e = cache.Touch(0, "T-" + std::to_string(i));
      ASSERT_TRUE(e.ok());
      static_cast<google::protobuf::Int64Value&>(*(*e)->state).set_value(value);
      StreamStore::Batch batch;
      cache.Flush(batch);
      ASSERT_TRUE((*store)->Write(batch).ok());
    };
    for (int i = 0; i < 20; ++i) write(i, 100 + i);
    // Everything is still there, from the cache or reloaded from the store.
    for (int i = 0; i < 20; ++i) {
      auto e = cache.Peek(0, "T-" + std::to_string(i));
      ASSERT_TRUE(e.ok());
      EXPECT_EQ(static_cast<const google::protobuf::Int64Value&>(*(*e)->state).value(), 100 + i);
    }
    // Recently used streams survive an eviction: T-19 was used last, then 20 more are written.
    auto hot = cache.Touch(0, "T-19");
    ASSERT_TRUE(hot.ok());
    StreamEntry* hot_entry = *hot;
    StreamStore::Batch batch;
    cache.Flush(batch);
    ASSERT_TRUE((*store)->Write(batch).ok());
    write(20, 120);  // one new stream over the limit: an eviction that keeps the 6 most recent
    auto again = cache.Peek(0, "T-19");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, hot_entry) << "the most recently used entry was evicted";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rentstream::runtime
