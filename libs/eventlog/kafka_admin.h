#pragma once
// Topic declaration through librdkafka's Admin API. Topics are declared, never auto-created
// (architecture §1); declaring an existing topic with the same partition count is a no-op.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct rd_kafka_s;

namespace rentstream::eventlog {

// A member of a consumer group as the group's coordinator describes it: the client id it joined
// with (a processor's transactional id) and the (topic, partition)s assigned to it.
struct GroupMemberAssignment {
  std::string client_id;
  std::vector<std::pair<std::string, int32_t>> partitions;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> configs;
};

class KafkaAdmin {
 public:
  // `properties` are extra librdkafka client properties (security settings and the like).
  static absl::StatusOr<KafkaAdmin> Connect(
      const std::string& bootstrap, const std::map<std::string, std::string>& properties = {});

  // Creates the topics that do not exist and waits until every partition has a leader.
  // FAILED_PRECONDITION if a topic exists with a different partition count (co-partitioning).
  absl::Status DeclareTopics(const std::vector<TopicSpec>& topics,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // OK once the cluster answers a metadata request (it is up and has a broker registered).
  absl::Status Ping(std::chrono::milliseconds timeout);

  // Partition count of a topic; NOT_FOUND if it does not exist.
  absl::StatusOr<int> PartitionCount(const std::string& topic,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // A consumer group's members and their assignments (DescribeConsumerGroups); none while the
  // group rebalances or is empty.
  absl::StatusOr<std::vector<GroupMemberAssignment>> DescribeGroup(
      const std::string& group_id, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct Destroy {
    void operator()(rd_kafka_s* rk) const;
  };
  explicit KafkaAdmin(rd_kafka_s* rk) : rk_(rk) {}
  std::unique_ptr<rd_kafka_s, Destroy> rk_;
};

}  // namespace rentstream::eventlog
