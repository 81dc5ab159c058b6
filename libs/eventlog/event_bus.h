#pragma once
// The event bus: the one interface every Rentstream service uses to read and write its topics,
// with two implementations — KafkaBus (production, librdkafka) and LocalBus (embedded, RocksDB) —
// held to the same semantics by one conformance suite (architecture §7).
//
// Semantics both implementations guarantee:
// - Records with the same key go to the same partition (murmur2, Java-compatible) and are read
//   in append order.
// - A transaction commits its appended records AND the consumed input positions atomically;
//   an aborted transaction leaves no visible record and does not move the positions.
// - Readers and group members see committed records only (read_committed).
// - Group members get partition i of EVERY subscribed topic together (range assignment), so all
//   inputs about one tenancy reach the same member (co-partitioning).
// - Offsets increase per partition but need not be contiguous (Kafka puts transaction markers
//   between records). Consumers must not assume offset + 1 is the next record.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/eventlog/kafka_admin.h"

namespace rentstream::eventlog {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

// A committed record as read from the bus.
struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  Headers headers;
  int64_t timestamp_ms = 0;
};

// A record to append. Without `partition` the key decides it (PartitionForKey).
struct OutgoingRecord {
  std::string topic;
  std::string key;
  std::string value;
  Headers headers;
  std::optional<int32_t> partition;
};

// A consumed position to commit with a transaction: the offset of the NEXT record to read
// (last processed offset + 1), as Kafka defines committed offsets.
struct ConsumedPosition {
  TopicPartition tp;
  int64_t next_offset = 0;
};

// Start positions for a replay reader.
struct ReadFrom {
  TopicPartition tp;
  int64_t offset = 0;
};

// Called from inside GroupMember::Poll when the group's assignment changes. OnRevoked comes
// first, for the partitions this member loses; their uncommitted work must be discarded.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

// Error classes every bus reports with (see bus_errors.h for the predicates):
// - ABORTED: the current transaction cannot commit; Abort() and retry the batch.
// - FAILED_PRECONDITION with the "fenced" payload: another instance with the same transactional
//   id (or a newer group generation) took over; close this member and rejoin from scratch.
// - UNAVAILABLE: retriable errors persisted past the bus's bounded retries.
// - INVALID_ARGUMENT / NOT_FOUND: caller errors (unknown topic, bad partition).

// A consumer-group member with its own transactional producer: the unit of exactly-once
// consume → decide → produce processing. Not thread-safe; one thread drives it.
class GroupMember {
 public:
  virtual ~GroupMember() = default;

  // Up to `max_records` committed records from assigned partitions, waiting up to `timeout` for
  // the first; empty on timeout. Rebalance callbacks run inside this call.
  virtual absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                                   std::chrono::milliseconds timeout) = 0;
  virtual std::vector<TopicPartition> Assignment() const = 0;

  // The group's committed position for a partition (next offset to read); nullopt if none.
  virtual absl::StatusOr<std::optional<int64_t>> CommittedPosition(const TopicPartition& tp) = 0;

  virtual absl::Status BeginTransaction() = 0;
  // Adds a record to the open transaction. A bus may hold it until the commit (both do): an
  // error about the record itself (an undeclared topic, a record too large) may then come from
  // CommitTransaction instead, and is handled alike — abort.
  virtual absl::Status Append(OutgoingRecord record) = 0;
  // Atomically makes the appended records visible and moves the group's positions.
  virtual absl::Status CommitTransaction(const std::vector<ConsumedPosition>& consumed) = 0;
  // Discards the appended records and rewinds consumption of the assigned partitions to the
  // group's committed positions, so the batch is read again.
  virtual absl::Status AbortTransaction() = 0;

  // For each partition the last committed transaction appended to: the offset just past its
  // last record there. A processor stores this as "own events applied up to" (architecture §3).
  virtual std::map<TopicPartition, int64_t> LastCommitAppendEnds() const { return {}; }

  // Inside a rebalance callback: true when the group has already moved past the assignment being
  // handed over (LocalBus assigns a new generation at once when a member joins or leaves, so a
  // listener still taking the old one may wait for a partition another member now holds). The
  // next Poll revokes the old assignment and hands over the new one. Kafka's eager protocol
  // waits for every member to rejoin first, so KafkaBus never reports this.
  virtual bool AssignmentSuperseded() const { return false; }

  // Leaves the group (an open transaction is aborted).
  virtual void Close() = 0;
};

// Follows partitions from given offsets indefinitely, committed records only (the gRPC edge
// watching for command outcomes).
class Tail {
 public:
  virtual ~Tail() = default;
  // Up to `max_records`, waiting up to `timeout` for the first; empty on timeout.
  virtual absl::StatusOr<std::vector<Record>> Poll(size_t max_records,
                                                   std::chrono::milliseconds timeout) = 0;
};

// Reads committed records of some partitions from given offsets up to the end offsets taken
// when the reader was opened (replay and catch-up).
class LogReader {
 public:
  virtual ~LogReader() = default;
  // Up to `max_records`; an empty result means every partition reached its end.
  virtual absl::StatusOr<std::vector<Record>> Next(size_t max_records) = 0;
};

// Appends records outside any consume loop (a gRPC edge putting commands on a command topic,
// the scheduler's clock ticks). Idempotent: a retried append is not duplicated by the bus.
class Appender {
 public:
  virtual ~Appender() = default;
  // Returns once every record is durably appended (acks=all / synced), in order per partition.
  virtual absl::Status Append(const std::vector<OutgoingRecord>& records) = 0;
  // Learns now where records of `topics` go, so that the first Append does not wait for it
  // (Kafka: the partitions' leaders, which librdkafka may otherwise learn only at its
  // once-a-second scan of new topics — a gateway's first command after a start waited 0.2-0.7 s).
  // Only a head start: a lookup that fails is made again at the first Append.
  virtual void PrepareTopics(const std::vector<std::string>& /*topics*/) {}
};

struct MemberConfig {
  std::string group_id;
  // Co-partitioned input topics; all must have the same partition count.
  std::vector<std::string> topics;
  // Stable per instance slot (e.g. "ledger-0"): a restarted instance fences its predecessor.
  std::string transactional_id;
  RebalanceListener* listener = nullptr;
  // Kafka static membership (group.instance.id = transactional_id): a restarted instance gets
  // its partitions back without a rebalance; a stopped one keeps them until the session expires.
  bool static_membership = false;
  // Topics this member's transactions append to. Kafka: their partitions' leaders are looked up
  // when it joins, so that its first transaction does not wait for librdkafka's scan of topics
  // it has not produced to yet (once a second: a first command after a start waited ~1 s).
  std::vector<std::string> output_topics = {};
};

class EventBus {
 public:
  virtual ~EventBus() = default;

  // Creates missing topics; existing ones must match the declared partition count.
  virtual absl::Status DeclareTopics(const std::vector<TopicSpec>& topics) = 0;
  virtual absl::StatusOr<int32_t> PartitionCount(const std::string& topic) = 0;
  // The end of a partition's log: every record appended before the call (committed or in a
  // transaction not yet decided) lies below it. Kafka: the high watermark. A LogReader opened
  // up to it returns every committed record below it, waiting for undecided transactions.
  virtual absl::StatusOr<int64_t> EndOffset(const TopicPartition& tp) = 0;

  virtual absl::StatusOr<std::unique_ptr<LogReader>> OpenReader(
      const std::vector<ReadFrom>& from) = 0;
  virtual absl::StatusOr<std::unique_ptr<Appender>> NewAppender(const std::string& client_id) = 0;
  virtual absl::StatusOr<std::unique_ptr<Tail>> Follow(const std::vector<ReadFrom>& /*from*/) {
    return absl::UnimplementedError("Follow");
  }
  virtual absl::StatusOr<std::unique_ptr<GroupMember>> JoinGroup(const MemberConfig& config) = 0;
  // The members of a consumer group and their assignments, as its coordinator knows them now
  // (empty while the group is rebalancing or has no members). UNIMPLEMENTED on a bus whose
  // groups live in one process.
  virtual absl::StatusOr<std::vector<GroupMemberAssignment>> DescribeGroup(
      const std::string& /*group_id*/) {
    return absl::UnimplementedError("DescribeGroup");
  }
};

// Checks a member configuration: ids present, topics present and co-partitioned (equal partition
// counts, looked up with `partitions`). Returns the common partition count; INVALID_ARGUMENT
// naming the field otherwise (NOT_FOUND for a missing topic).
absl::StatusOr<int32_t> CheckMemberConfig(
    const MemberConfig& config,
    const std::function<absl::StatusOr<int32_t>(const std::string&)>& partitions);

// Java-compatible default partitioner: murmur2(key) & 0x7fffffff, modulo the partition count —
// what librdkafka's `murmur2_random` does for non-empty keys.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

}  // namespace rentstream::eventlog
