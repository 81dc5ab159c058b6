// main() for test binaries that need the real Kafka broker.
#include <gtest/gtest.h>

#include "libs/testing/kafka_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new rentstream::testing::KafkaEnvironment());
  return RUN_ALL_TESTS();
}
