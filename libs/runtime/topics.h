#pragma once
// Topic names (architecture §1): one commands, one events topic per service, a dead-letter topic
// per input, and an outcomes topic the gRPC edge reads command answers from.

#include <string>
#include <vector>

#include "libs/eventlog/kafka_admin.h"

namespace rentstream::runtime {

struct ServiceTopics {
  std::string commands;
  std::string events;
  // Internal: answers to commands (first or repeated) for the gRPC edge; short retention.
  std::string outcomes;

  static ServiceTopics For(const std::string& service) {
    const std::string base = "rentstream." + service;
    return {base + ".commands.v1", base + ".events.v1", base + ".outcomes.v1"};
  }
};

inline std::string DeadLetterTopic(const std::string& topic) { return topic + ".dlq"; }

// Every topic a service needs, all with the same partition count (co-partitioning).
// Events topics keep history forever and are never compacted (architecture §1).
inline std::vector<eventlog::TopicSpec> TopicsToDeclare(const std::string& service,
                                                        const std::vector<std::string>& inputs,
                                                        int partitions, int replication) {
  const ServiceTopics t = ServiceTopics::For(service);
  const std::map<std::string, std::string> durable = {
      {"cleanup.policy", "delete"},
      {"retention.ms", "-1"},
      {"unclean.leader.election.enable", "false"},
      {"min.insync.replicas", replication >= 3 ? "2" : "1"}};
  std::map<std::string, std::string> outcomes = durable;
  outcomes["retention.ms"] = std::to_string(7LL * 24 * 3600 * 1000);
  std::vector<eventlog::TopicSpec> specs = {
      {t.commands, partitions, replication, durable},
      {t.events, partitions, replication, durable},
      {t.outcomes, partitions, replication, outcomes},
      {DeadLetterTopic(t.commands), partitions, replication, durable},
  };
  // Inputs too, with the owner's spec: whichever service starts first declares the topic, and a
  // different partition count is refused (co-partitioning, architecture §1).
  for (const std::string& in : inputs) {
    specs.push_back({in, partitions, replication, durable});
    specs.push_back({DeadLetterTopic(in), partitions, replication, durable});
  }
  return specs;
}

}  // namespace rentstream::runtime
