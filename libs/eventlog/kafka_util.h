#pragma once
// Shared librdkafka plumbing for KafkaBus: configurations, error mapping, record conversion.

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::eventlog {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeKafkaConf(
    const std::map<std::string, std::string>& properties);

// Converts a librdkafka error object (may be null = success) to a status, taking ownership:
// fatal → fenced, txn_requires_abort → ABORTED, retriable → UNAVAILABLE, else INTERNAL.
absl::Status FromKafkaError(RdKafka::Error* error, const std::string& what);

Record ToRecord(RdKafka::Message& message);

// Queues one record on a producer, waiting (bounded) while the local queue is full. Records must
// carry a key or an explicit partition: keyless records would be spread at random.
absl::Status ProduceRecord(RdKafka::Producer& producer, const OutgoingRecord& record,
                           std::chrono::milliseconds timeout);

// Looks up the partitions' leaders of `topics` on `producer` now (each lookup bounded by
// `timeout`), so that the producer's first records to them do not wait for librdkafka's scan of
// topics it has not produced to yet. The handles returned keep the topics known: hold them as
// long as the producer. A lookup not answered is left to librdkafka (made again at the first
// produce); a topic the broker does not have is not kept.
std::vector<std::unique_ptr<RdKafka::Topic>> LookUpTopics(RdKafka::Producer& producer,
                                                          const std::vector<std::string>& topics,
                                                          std::chrono::milliseconds timeout);

}  // namespace rentstream::eventlog
