#include "libs/runtime/query_router.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "libs/runtime/host_config.h"

namespace rentstream::runtime {
namespace {

// A bus whose only answer is its consumer group's description (the router asks nothing else).
class DescribedBus : public eventlog::EventBus {
 public:
  std::vector<eventlog::GroupMemberAssignment> members;
  int describes = 0;

  absl::StatusOr<std::vector<eventlog::GroupMemberAssignment>> DescribeGroup(
      const std::string& group_id) override {
    ++describes;
    if (group_id != "rentstream.ledger") return absl::UnavailableError("coordinator unknown");
    return members;
  }
  absl::Status DeclareTopics(const std::vector<eventlog::TopicSpec>&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<int32_t> PartitionCount(const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<int64_t> EndOffset(const eventlog::TopicPartition&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::unique_ptr<eventlog::LogReader>> OpenReader(
      const std::vector<eventlog::ReadFrom>&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::unique_ptr<eventlog::Appender>> NewAppender(const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::unique_ptr<eventlog::GroupMember>> JoinGroup(
      const eventlog::MemberConfig&) override {
    return absl::UnimplementedError("");
  }
};

constexpr char kCommands[] = "rentstream.ledger.commands.v1";

TEST(QueryRouterTest, AMembersClientIdNamesItsInstance) {
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.0"), "0");
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.1-p3"), "1");  // 4th loop
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.ledger-2"), "ledger-2");
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.evil.example"),
            std::nullopt);  // no dot: never another domain
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.a-p"), "a-p");
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.escalation.0"), std::nullopt);
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger."), std::nullopt);
  // Never an address of the member's choosing: the caller's credentials go there.
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.evil.example:443/#"),
            std::nullopt);
  EXPECT_EQ(QueryRouter::InstanceOfClient("ledger", "rentstream.ledger.a b"), std::nullopt);
}

TEST(QueryRouterTest, APartitionsOwnerIsTheReplicaWhoseLoopIsAssignedIt) {
  DescribedBus bus;
  bus.members = {
      {"rentstream.ledger.0", {{kCommands, 0}, {"rentstream.other.events.v1", 1}}},
      {"rentstream.ledger.1", {{kCommands, 1}}},
      {"rentstream.ledger.1-p1", {{kCommands, 2}}},
      {"someone-else", {{kCommands, 3}}},
  };
  QueryRouter router(bus, "ledger", "0", "ledger-{instance}.ledger-peers:50051", kCommands);
  EXPECT_EQ(router.OwnerAddress(1).value(), "ledger-1.ledger-peers:50051");
  EXPECT_EQ(router.OwnerAddress(2).value(), "ledger-1.ledger-peers:50051");  // its second loop
  // Its own partition (not served yet, or the caller would not ask) and one nobody of the
  // service owns: no one to ask.
  EXPECT_EQ(router.OwnerAddress(0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(router.OwnerAddress(3).status().code(), absl::StatusCode::kNotFound);
  // Described once for all of these: the answers are kept for a while (kRefreshInterval), and a
  // partition without an owner is asked again only after kMinRefreshInterval.
  EXPECT_EQ(bus.describes, 1);
  // The other replicas, each once (its second loop is the same replica).
  EXPECT_EQ(router.OtherReplicas().value(),
            std::vector<std::string>{"ledger-1.ledger-peers:50051"});
}

TEST(QueryRouterTest, NoOwnerIsKnownWhereTheGroupCannotBeDescribed) {
  DescribedBus bus;
  QueryRouter router(bus, "escalation", "0", "x-{instance}:1", kCommands);
  EXPECT_EQ(router.OwnerAddress(0).status().code(), absl::StatusCode::kUnavailable);
}

TEST(QueryRouterTest, ThePeerAddressNamesWhereTheInstanceGoes) {
  HostConfig config;
  config.peer_address = "ledger-{instance}.ledger-peers:50051";
  EXPECT_TRUE(config.Validate().ok());
  config.peer_address = "ledger-0.ledger-peers:50051";
  EXPECT_EQ(config.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.Validate().message().find("--peer-address"), std::string::npos);
}

}  // namespace
}  // namespace rentstream::runtime
