#pragma once
// One real Kafka broker shared by every test of a binary: started before the first test, killed
// after the last. Link `rs_testing_kafka_main` to get a main() that registers it.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "libs/testing/kafka_broker.h"

namespace rentstream::testing {

class KafkaEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  // The shared broker; valid between SetUp and TearDown.
  static KafkaBroker& broker();

  // A topic name unique within this process, so tests sharing a broker never collide.
  static std::string UniqueTopic(const std::string& stem);

 private:
  static std::unique_ptr<KafkaBroker> broker_;
};

}  // namespace rentstream::testing
