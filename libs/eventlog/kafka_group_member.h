#pragma once
// The KafkaBus GroupMember: a read_committed group consumer (range assignment) paired with a
// transactional producer whose transactions carry the consumed offsets (KIP-447).

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "libs/eventlog/kafka_bus.h"

namespace rentstream::eventlog {

class KafkaGroupMember : public GroupMember {
 public:
  static absl::StatusOr<std::unique_ptr<GroupMember>> Join(const KafkaBusOptions& options,
                                                           const MemberConfig& config,
                                                           KafkaAdmin& admin);
  ~KafkaGroupMember() override;

  absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                           std::chrono::milliseconds timeout) override;
  std::vector<TopicPartition> Assignment() const override;
  absl::StatusOr<std::optional<int64_t>> CommittedPosition(const TopicPartition& tp) override;
  absl::Status BeginTransaction() override;
  absl::Status Append(OutgoingRecord record) override;
  absl::Status CommitTransaction(const std::vector<ConsumedPosition>& consumed) override;
  absl::Status AbortTransaction() override;
  std::map<TopicPartition, int64_t> LastCommitAppendEnds() const override;
  void Close() override;

 private:
  class Rebalancer;
  class AppendTracker;
  KafkaGroupMember(const KafkaBusOptions& options, const MemberConfig& config);
  absl::Status Rewind();
  absl::Status ProduceHeld();
  int timeout_ms() const { return static_cast<int>(options_.operation_timeout.count()); }

  KafkaBusOptions options_;
  MemberConfig config_;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<AppendTracker> appends_;
  std::map<TopicPartition, int64_t> last_commit_ends_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Producer> producer_;
  // Handles of the output topics whose leaders were looked up at the join (held while the
  // producer lives).
  std::vector<std::unique_ptr<RdKafka::Topic>> output_topics_;
  // The open transaction's records not yet handed to the producer: produced together at the
  // commit, or once they pass KafkaBusOptions::max_held_transaction_bytes. librdkafka registers a
  // transaction's partitions with the coordinator (AddPartitionsToTxn) as it first sees records for
  // them; a command batch's events come long before its outcome, so produced as they were appended
  // the two were registered apart — each registration, in librdkafka 2.0.2, spinning the producer's
  // main thread on a 1-ms timer twice. Produced together, they are registered at once.
  std::vector<OutgoingRecord> held_;
  size_t held_bytes_ = 0;
  // Set when handing held records over failed: the transaction cannot commit (some of what was
  // appended never reached the producer) until it is aborted.
  absl::Status produce_failed_;
  bool in_transaction_ = false;
  bool closed_ = false;
};

}  // namespace rentstream::eventlog
