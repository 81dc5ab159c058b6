#pragma once
// KafkaBus: the production EventBus on Apache Kafka through librdkafka — idempotent
// transactional producers, read_committed consumers, offsets sent with the transaction
// (KIP-447), range assignment for co-partitioning, murmur2_random partitioning.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog {

struct KafkaBusOptions {
  std::string bootstrap;
  // Extra librdkafka properties for every client (security.protocol, sasl.*, ssl.*, ...).
  std::map<std::string, std::string> properties;
  std::chrono::milliseconds transaction_timeout{60000};
  std::chrono::milliseconds session_timeout{10000};
  // Bound on every blocking broker call (commit, abort, init, flush).
  std::chrono::milliseconds operation_timeout{30000};
  // Retries of retriable errors before giving up with UNAVAILABLE.
  int max_retries = 5;
  // A group member holds a transaction's records and produces them together once they pass
  // this many bytes, and at the commit (KafkaGroupMember::held_): a command batch's outcome is
  // then mostly produced with events, its partition registered with theirs, while a large
  // transaction (a charge tick's ~9 MB) still goes out as it is decided.
  size_t max_held_transaction_bytes = 1 << 20;
};

class KafkaBus : public EventBus {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaBus>> Connect(KafkaBusOptions options);
  ~KafkaBus() override;

  absl::Status DeclareTopics(const std::vector<TopicSpec>& topics) override;
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic) override;
  absl::StatusOr<int64_t> EndOffset(const TopicPartition& tp) override;
  absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(const std::vector<ReadFrom>& from) override;
  absl::StatusOr<std::unique_ptr<Appender>> NewAppender(const std::string& client_id) override;
  absl::StatusOr<std::unique_ptr<GroupMember>> JoinGroup(const MemberConfig& config) override;
  absl::StatusOr<std::unique_ptr<Tail>> Follow(const std::vector<ReadFrom>& from) override;
  absl::StatusOr<std::vector<GroupMemberAssignment>> DescribeGroup(
      const std::string& group_id) override;

  const KafkaBusOptions& options() const { return options_; }

 private:
  KafkaBus(KafkaBusOptions options, KafkaAdmin admin);
  KafkaBusOptions options_;
  KafkaAdmin admin_;
  struct EndOffsetQuery;
  std::unique_ptr<EndOffsetQuery> end_offsets_;
};

}  // namespace rentstream::eventlog
