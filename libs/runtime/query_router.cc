#include "libs/runtime/query_router.h"

#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace rentstream::runtime {

QueryRouter::QueryRouter(eventlog::EventBus& bus, std::string service, std::string own_instance,
                         std::string address_template, std::string topic)
    : bus_(bus),
      service_(std::move(service)),
      own_instance_(std::move(own_instance)),
      address_template_(std::move(address_template)),
      topic_(std::move(topic)) {}

std::optional<std::string> QueryRouter::InstanceOfClient(std::string_view service,
                                                         std::string_view client_id) {
  const std::string prefix =
      absl::StrCat("rentstream.", absl::string_view(service.data(), service.size()), ".");
  if (client_id.size() <= prefix.size() || client_id.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  std::string_view instance = client_id.substr(prefix.size());
  // A process's later loops join as <instance>-p<k> (ServiceHost): the same replica.
  if (const size_t dash = instance.rfind("-p");
      dash != std::string_view::npos && dash > 0 && dash + 2 < instance.size()) {
    bool digits = true;
    for (char c : instance.substr(dash + 2)) {
      digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (digits) instance = instance.substr(0, dash);
  }
  // It goes into an address the caller's credentials are sent to: one DNS label's characters
  // only, no dot (a member named otherwise is not asked), so it cannot name another domain.
  for (char c : instance) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') {
      return std::nullopt;
    }
  }
  return std::string(instance);
}

absl::Status QueryRouter::Refresh() {
  // One description at a time, made without holding mu_: lookups that need none, and channels,
  // do not wait for the coordinator's answer.
  std::lock_guard describing(describe_mu_);
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (ever_described_ && now - described_ < kMinRefreshInterval) return absl::OkStatus();
    described_ = now;
    ever_described_ = true;
  }
  auto members = bus_.DescribeGroup(absl::StrCat("rentstream.", service_));
  if (!members.ok()) return members.status();
  std::map<int32_t, std::string> owners;
  for (const eventlog::GroupMemberAssignment& m : *members) {
    auto instance = InstanceOfClient(service_, m.client_id);
    if (!instance.has_value()) continue;
    for (const auto& [topic, partition] : m.partitions) {
      if (topic == topic_) owners[partition] = *instance;
    }
  }
  std::lock_guard lock(mu_);
  owners_ = std::move(owners);
  return absl::OkStatus();
}

absl::StatusOr<std::string> QueryRouter::OwnerAddress(int32_t partition) {
  // Described again when old, or when the partition has no other owner in what is known: a
  // caller asks because this instance does not serve it, so "none" or "this instance" may be
  // out of date (a rebalance since).
  bool stale = false;
  {
    std::lock_guard lock(mu_);
    auto known = owners_.find(partition);
    stale = !ever_described_ || std::chrono::steady_clock::now() - described_ >= kRefreshInterval ||
            known == owners_.end() || known->second == own_instance_;
  }
  if (stale) {
    if (absl::Status st = Refresh(); !st.ok()) return st;
  }
  std::lock_guard lock(mu_);
  auto it = owners_.find(partition);
  if (it == owners_.end()) {
    return absl::NotFoundError(absl::StrCat("no replica owns partition ", partition, " now"));
  }
  if (it->second == own_instance_) {
    return absl::NotFoundError(
        absl::StrCat("partition ", partition, " is this instance's, not served yet"));
  }
  return absl::StrReplaceAll(address_template_, {{"{instance}", it->second}});
}

absl::StatusOr<std::vector<std::string>> QueryRouter::OtherReplicas() {
  if (absl::Status st = Refresh(); !st.ok()) return st;
  std::lock_guard lock(mu_);
  std::set<std::string> instances;
  for (const auto& [partition, instance] : owners_) {
    if (instance != own_instance_) instances.insert(instance);
  }
  std::vector<std::string> out;
  for (const std::string& instance : instances) {
    out.push_back(absl::StrReplaceAll(address_template_, {{"{instance}", instance}}));
  }
  return out;
}

std::shared_ptr<grpc::Channel> QueryRouter::ChannelTo(const std::string& address) {
  std::lock_guard lock(mu_);
  std::shared_ptr<grpc::Channel>& channel = channels_[address];
  if (!channel) {
    // A replica restarted comes back within seconds, often at another IP behind the same name:
    // reconnect and resolve again soon (gRPC's defaults wait up to 2 minutes and 30 s).
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 1000);
    // The replicas' servers listen without TLS (ServiceHost), inside the cluster.
    channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  return channel;
}

}  // namespace rentstream::runtime
