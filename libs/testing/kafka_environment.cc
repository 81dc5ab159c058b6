#include "libs/testing/kafka_environment.h"

#include <atomic>

#include "absl/strings/str_cat.h"

namespace rentstream::testing {

std::unique_ptr<KafkaBroker> KafkaEnvironment::broker_;

void KafkaEnvironment::SetUp() {
  auto broker = KafkaBroker::Start();
  // A missing broker is a failure, never a skip: these tests must run in CI.
  ASSERT_TRUE(broker.ok()) << "starting the Kafka broker: " << broker.status();
  broker_ = std::move(*broker);
  std::printf("kafka broker %s (pid %d, data %s)\n", broker_->bootstrap().c_str(), broker_->pid(),
              broker_->data_dir().c_str());
}

void KafkaEnvironment::TearDown() { broker_.reset(); }

KafkaBroker& KafkaEnvironment::broker() {
  if (!broker_) {
    std::fprintf(stderr, "KafkaEnvironment::broker() used without a running broker\n");
    std::abort();
  }
  return *broker_;
}

std::string KafkaEnvironment::UniqueTopic(const std::string& stem) {
  static std::atomic<int> counter{0};
  return absl::StrCat("test.", stem, ".", ++counter);
}

}  // namespace rentstream::testing
