#pragma once
// A fresh EventBus per test — KafkaBus on the shared real broker, or LocalBus in a temp dir —
// plus helpers the runtime tests share.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/testing/kafka_environment.h"

namespace rentstream::testing {

enum class BusKind { kKafka, kLocal };

inline std::string BusName(const ::testing::TestParamInfo<BusKind>& info) {
  return info.param == BusKind::kKafka ? "Kafka" : "Local";
}

// A temp directory removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rs-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<eventlog::EventBus> OpenBus(BusKind kind, const TempDir& dir) {
  if (kind == BusKind::kKafka) {
    eventlog::KafkaBusOptions options;
    options.bootstrap = KafkaEnvironment::broker().bootstrap();
    options.session_timeout = std::chrono::seconds(6);
    auto bus = eventlog::KafkaBus::Connect(options);
    EXPECT_TRUE(bus.ok()) << bus.status();
    return bus.ok() ? std::move(*bus) : nullptr;
  }
  auto bus = eventlog::LocalBus::Open(dir.Sub("log"));
  EXPECT_TRUE(bus.ok()) << bus.status();
  return bus.ok() ? std::move(*bus) : nullptr;
}

// Every committed record of a topic, all partitions.
inline std::vector<eventlog::Record> ReadTopic(eventlog::EventBus& bus, const std::string& topic) {
  auto partitions = bus.PartitionCount(topic);
  EXPECT_TRUE(partitions.ok()) << partitions.status();
  std::vector<eventlog::ReadFrom> from;
  for (int p = 0; p < *partitions; ++p) from.push_back({{topic, p}, 0});
  auto reader = bus.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::vector<eventlog::Record> all;
  for (;;) {
    auto batch = (*reader)->Next(1000);
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || batch->empty()) break;
    all.insert(all.end(), batch->begin(), batch->end());
  }
  return all;
}

// Waits for a condition other threads bring about, with a deadline (a poll, not a sleep-sync).
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline const std::string* FindHeader(const eventlog::Record& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace rentstream::testing
