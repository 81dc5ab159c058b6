#include "tests/kafka/kafka_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace rentstream::testing {

namespace {
std::unique_ptr<RdKafka::Conf> MakeConf(const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [k, v] : props) {
    EXPECT_EQ(conf->set(k, v, err), RdKafka::Conf::CONF_OK) << k << ": " << err;
  }
  return conf;
}
}  // namespace

std::unique_ptr<RdKafka::Producer> MakeProducer(const std::string& bootstrap,
                                                const std::map<std::string, std::string>& props) {
  auto all = props;
  all["bootstrap.servers"] = bootstrap;
  all.emplace("partitioner", "murmur2_random");
  auto conf = MakeConf(all);
  std::string err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  EXPECT_NE(p, nullptr) << err;
  return p;
}

std::vector<ConsumedRecord> ReadToEnd(const std::string& bootstrap, const std::string& topic,
                                      int partitions, const std::string& isolation_level) {
  auto conf = MakeConf({{"bootstrap.servers", bootstrap},
                        {"group.id", "rentstream-test-reader"},
                        {"enable.auto.commit", "false"},
                        {"enable.partition.eof", "true"},
                        {"isolation.level", isolation_level}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_NE(consumer, nullptr) << err;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int p = 0; p < partitions; ++p) {
    assignment.push_back(
        RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  EXPECT_EQ(consumer->assign(assignment), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(assignment);

  std::vector<ConsumedRecord> out;
  std::set<int32_t> at_end;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (static_cast<int>(at_end.size()) < partitions &&
         std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      at_end.insert(m->partition());
    } else if (m->err() == RdKafka::ERR_NO_ERROR) {
      at_end.erase(m->partition());
      out.push_back({m->partition(), m->offset(), m->key() ? *m->key() : "",
                     std::string(static_cast<const char*>(m->payload()), m->len())});
    } else if (m->err() != RdKafka::ERR__TIMED_OUT) {
      ADD_FAILURE() << "consume: " << m->errstr();
    }
  }
  EXPECT_EQ(static_cast<int>(at_end.size()), partitions) << "did not reach the end of " << topic;
  consumer->close();
  return out;
}

}  // namespace rentstream::testing
