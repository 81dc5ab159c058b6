#pragma once
// Small librdkafka helpers for tests that talk to the broker directly (baselines, smoke tests).

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rentstream::testing {

struct ConsumedRecord {
  int32_t partition;
  int64_t offset;
  std::string key;
  std::string value;
};

std::unique_ptr<RdKafka::Producer> MakeProducer(const std::string& bootstrap,
                                                const std::map<std::string, std::string>& props);

// Reads every record of `topic` from the beginning to the current end of each partition
// (the last stable offset for read_committed), with a bounded overall wait.
std::vector<ConsumedRecord> ReadToEnd(const std::string& bootstrap, const std::string& topic,
                                      int partitions, const std::string& isolation_level);

}  // namespace rentstream::testing
