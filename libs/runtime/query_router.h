#pragma once
// Which replica of a service serves a partition now, and a channel to it: for a query that
// reaches an instance which does not serve the tenancy's partition (docs/operations.md,
// "Queries and replicas"). The owners come from the service's consumer group as its coordinator
// describes it (each loop joins with the client id rentstream.<service>.<instance>[-p<k>]);
// a replica's address is the configured template with its instance id in place of
// "{instance}" — in Kubernetes, a StatefulSet pod's name behind a headless Service.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"

namespace rentstream::runtime {

class QueryRouter {
 public:
  // `address_template` holds "{instance}" (HostConfig::peer_address checks it); `topic` is the
  // service's commands topic, whose partitions the group's members own.
  QueryRouter(eventlog::EventBus& bus, std::string service, std::string own_instance,
              std::string address_template, std::string topic);

  // The address of the other replica that owns `partition` now. NOT_FOUND when none does (the
  // group is rebalancing, or this instance owns it and is still catching up); UNAVAILABLE when
  // the group cannot be described. The owners are described again at most every
  // kRefreshInterval, and at once (at most every kMinRefreshInterval) when a partition has none.
  absl::StatusOr<std::string> OwnerAddress(int32_t partition);

  // The addresses of the other replicas whose loops own partitions now (described afresh, at
  // most every kMinRefreshInterval).
  absl::StatusOr<std::vector<std::string>> OtherReplicas();

  // A channel to `address`, kept for the router's life (one per replica).
  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address);

  // The instance id a group member's client id names ("rentstream.<service>.<id>", with "-p<k>"
  // for a process's second and later loops); nullopt for any other client, and for an id with
  // characters other than letters, digits, '-', '.' and '_' (it becomes part of an address).
  static std::optional<std::string> InstanceOfClient(std::string_view service,
                                                     std::string_view client_id);

  static constexpr std::chrono::milliseconds kRefreshInterval{2000};
  static constexpr std::chrono::milliseconds kMinRefreshInterval{200};

 private:
  // Describes the group again (at most every kMinRefreshInterval).
  absl::Status Refresh();

  eventlog::EventBus& bus_;
  const std::string service_;
  const std::string own_instance_;
  const std::string address_template_;
  const std::string topic_;
  std::mutex describe_mu_;  // held while describing; before mu_, never inside it
  std::mutex mu_;
  std::map<int32_t, std::string> owners_;  // partition → instance id
  std::chrono::steady_clock::time_point described_{};
  bool ever_described_ = false;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace rentstream::runtime
