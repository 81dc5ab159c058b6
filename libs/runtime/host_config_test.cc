#include "libs/runtime/host_config.h"

#include <gtest/gtest.h>

#include "libs/runtime/processor_host.h"
#include "libs/runtime/stream_store.h"

namespace rentstream::runtime {
namespace {

TEST(HostConfigTest, DefaultsAreValid) { EXPECT_TRUE(HostConfig().Validate().ok()); }

TEST(HostConfigTest, TheMemtableDefaultIsTheStoresOwn) {
  EXPECT_EQ(static_cast<size_t>(HostConfig().state_memtable_mb) << 20,
            StreamStore::kDefaultMemtableBytes);
}

TEST(HostConfigTest, TheCachedStreamsDefaultIsTheProcessorsOwn) {
  EXPECT_EQ(static_cast<size_t>(HostConfig().state_cached_streams),
            ProcessorOptions().max_cached_streams);
}

TEST(HostConfigTest, ErrorsNameTheFlag) {
  struct Case {
    void (*mutate)(HostConfig&);
    const char* flag;
  };
  const Case cases[] = {
      {[](HostConfig& c) { c.bus = "zookeeper"; }, "--bus"},
      {[](HostConfig& c) { c.bus = "kafka"; }, "--bootstrap"},
      {[](HostConfig& c) { c.grpc_listen = "nohost"; }, "--grpc-listen"},
      {[](HostConfig& c) { c.metrics_listen = "h:70000"; }, "--metrics-listen"},
      {[](HostConfig& c) { c.partitions = 0; }, "--partitions"},
      {[](HostConfig& c) { c.max_batch = 0; }, "--max-batch"},
      {[](HostConfig& c) { c.state_cache_mb = 0; }, "--state-cache-mb"},
      {[](HostConfig& c) { c.state_memtable_mb = 0; }, "--state-memtable-mb"},
      {[](HostConfig& c) { c.state_memtable_mb = 4097; }, "--state-memtable-mb"},
      {[](HostConfig& c) { c.state_cached_streams = -1; }, "--state-cached-streams"},
      {[](HostConfig& c) { c.instance_id = ""; }, "--instance-id"},
  };
  for (const Case& c : cases) {
    HostConfig config;
    c.mutate(config);
    absl::Status st = config.Validate();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_NE(std::string(st.message()).find(c.flag), std::string::npos) << st;
  }
}

TEST(HostConfigTest, SplitsHostAndPort) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:0", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(SplitHostPort("[::1]:50051", &host, &port).ok());
  EXPECT_EQ(host, "[::1]");
  EXPECT_EQ(port, 50051);
  EXPECT_FALSE(SplitHostPort(":80", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("h:x", &host, &port).ok());
}

}  // namespace
}  // namespace rentstream::runtime
