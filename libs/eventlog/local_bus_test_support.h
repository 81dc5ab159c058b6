#pragma once
// What LocalBus's tests share (local_bus_test.cc, local_log_layout_test.cc: one program).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "libs/eventlog/local_bus.h"

namespace rentstream::eventlog::local_bus_test {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rs-localbus-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline OutgoingRecord Out(const std::string& topic, const std::string& key,
                          const std::string& value) {
  OutgoingRecord r;
  r.topic = topic;
  r.key = key;
  r.value = value;
  return r;
}

inline TopicSpec Spec(const std::string& name, int partitions) {
  TopicSpec s;
  s.name = name;
  s.partitions = partitions;
  return s;
}

inline std::vector<Record> ReadAll(EventBus& bus, const std::string& topic, int partitions) {
  std::vector<ReadFrom> from;
  for (int p = 0; p < partitions; ++p) from.push_back({{topic, p}, 0});
  auto reader = bus.OpenReader(from);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::vector<Record> all;
  for (;;) {
    auto batch = (*reader)->Next(1000);
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || batch->empty()) break;
    all.insert(all.end(), batch->begin(), batch->end());
  }
  return all;
}

inline std::vector<Record> PollN(GroupMember& member, size_t n) {
  std::vector<Record> out;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto batch = member.Poll(n - out.size(), 100ms);
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) break;
    out.insert(out.end(), batch->begin(), batch->end());
  }
  return out;
}

inline std::string SelfExe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// The child of LocalBusCrashTest.KillNineDuringTheMoveToLayout2…: opens the log in `dir` (moving
// a layout-1 log's records) and exits (local_log_layout_test.cc).
int RunOpenChild(const std::string& dir);

}  // namespace rentstream::eventlog::local_bus_test
