// Proves the real-broker fixture: plain produce/consume, and transactional visibility under
// read_committed (aborted data invisible, open data invisible until committed).
#include <gtest/gtest.h>

#include <map>

#include "libs/testing/kafka_environment.h"
#include "tests/kafka/kafka_client.h"

namespace rentstream::testing {
namespace {

KafkaBroker& Broker() { return KafkaEnvironment::broker(); }

void Produce(RdKafka::Producer& p, const std::string& topic, const std::string& key,
             const std::string& value) {
  RdKafka::ErrorCode err =
      p.produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, nullptr);
  ASSERT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
}

std::vector<std::string> Values(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> v;
  for (const auto& r : records) v.push_back(r.value);
  return v;
}

TEST(BrokerSmokeTest, ProducedRecordsAreConsumedInPerKeyOrder) {
  const std::string topic = KafkaEnvironment::UniqueTopic("smoke");
  ASSERT_TRUE(Broker().CreateTopic(topic, 3).ok());
  auto producer = MakeProducer(Broker().bootstrap(), {{"enable.idempotence", "true"}});
  for (int i = 0; i < 300; ++i) {
    Produce(*producer, topic, "tenancy-" + std::to_string(i % 10), std::to_string(i));
  }
  ASSERT_EQ(producer->flush(30000), RdKafka::ERR_NO_ERROR);

  auto records = ReadToEnd(Broker().bootstrap(), topic, 3, "read_committed");
  ASSERT_EQ(records.size(), 300u);
  std::map<std::string, int> last_value;
  std::map<std::string, int32_t> partition_of;
  for (const auto& r : records) {
    const int v = std::stoi(r.value);
    EXPECT_EQ("tenancy-" + std::to_string(v % 10), r.key);
    if (last_value.count(r.key)) {
      EXPECT_LT(last_value[r.key], v) << "order broken for " << r.key;
    }
    last_value[r.key] = v;
    // One key, one partition.
    EXPECT_EQ(partition_of.emplace(r.key, r.partition).first->second, r.partition);
  }
  EXPECT_EQ(last_value.size(), 10u);
}

TEST(BrokerSmokeTest, AbortedTransactionIsInvisibleToReadCommitted) {
  const std::string topic = KafkaEnvironment::UniqueTopic("txn-abort");
  ASSERT_TRUE(Broker().CreateTopic(topic, 1).ok());
  auto producer = MakeProducer(Broker().bootstrap(), {{"transactional.id", topic + ".txn"}});
  std::unique_ptr<RdKafka::Error> error(producer->init_transactions(30000));
  ASSERT_EQ(error, nullptr) << error->str();

  error.reset(producer->begin_transaction());
  ASSERT_EQ(error, nullptr) << error->str();
  for (int i = 0; i < 10; ++i) Produce(*producer, topic, "k", "aborted-" + std::to_string(i));
  // Flush first: abort_transaction purges records still queued locally, and this test needs
  // them on the broker's log so that only the abort marker hides them.
  ASSERT_EQ(producer->flush(30000), RdKafka::ERR_NO_ERROR);
  error.reset(producer->abort_transaction(30000));
  ASSERT_EQ(error, nullptr) << error->str();

  error.reset(producer->begin_transaction());
  ASSERT_EQ(error, nullptr) << error->str();
  for (int i = 0; i < 10; ++i) Produce(*producer, topic, "k", "committed-" + std::to_string(i));
  error.reset(producer->commit_transaction(30000));
  ASSERT_EQ(error, nullptr) << error->str();

  std::vector<std::string> expected;
  for (int i = 0; i < 10; ++i) expected.push_back("committed-" + std::to_string(i));
  EXPECT_EQ(Values(ReadToEnd(Broker().bootstrap(), topic, 1, "read_committed")), expected);

  // The aborted records did reach the log: only the isolation level hides them.
  auto uncommitted = Values(ReadToEnd(Broker().bootstrap(), topic, 1, "read_uncommitted"));
  ASSERT_EQ(uncommitted.size(), 20u);
  EXPECT_EQ(uncommitted.front(), "aborted-0");
}

TEST(BrokerSmokeTest, OpenTransactionBecomesVisibleOnlyWhenCommitted) {
  const std::string topic = KafkaEnvironment::UniqueTopic("txn-commit");
  ASSERT_TRUE(Broker().CreateTopic(topic, 2).ok());
  auto producer = MakeProducer(Broker().bootstrap(), {{"transactional.id", topic + ".txn"}});
  std::unique_ptr<RdKafka::Error> error(producer->init_transactions(30000));
  ASSERT_EQ(error, nullptr) << error->str();
  error.reset(producer->begin_transaction());
  ASSERT_EQ(error, nullptr) << error->str();
  for (int i = 0; i < 6; ++i) Produce(*producer, topic, "key-" + std::to_string(i), "open");
  ASSERT_EQ(producer->flush(30000), RdKafka::ERR_NO_ERROR);

  // Written to the log but not committed: read_committed stops at the last stable offset.
  EXPECT_EQ(ReadToEnd(Broker().bootstrap(), topic, 2, "read_uncommitted").size(), 6u);
  EXPECT_TRUE(ReadToEnd(Broker().bootstrap(), topic, 2, "read_committed").empty());

  error.reset(producer->commit_transaction(30000));
  ASSERT_EQ(error, nullptr) << error->str();
  EXPECT_EQ(ReadToEnd(Broker().bootstrap(), topic, 2, "read_committed").size(), 6u);
}

}  // namespace
}  // namespace rentstream::testing
