#pragma once
// Hosts one service in a process: the event bus, the state store, the processor loop, the
// command gateway, a gRPC server (with grpc.health.v1 and reflection) and Prometheus /metrics.
//
// Health: NOT_SERVING until the processor has caught up with its partitions, SERVING after,
// NOT_SERVING again while draining. SIGTERM/SIGINT drain: health goes NOT_SERVING, in-flight RPCs
// finish (bounded), the processor commits the batch in flight and leaves its group, exit 0.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eventlog/event_bus.h"
#include "libs/runtime/command_gateway.h"
#include "libs/runtime/host_config.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/partition_locks.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/processor_metrics.h"
#include "libs/runtime/projection_watermark.h"
#include "libs/runtime/query_router.h"
#include "libs/runtime/served_partitions.h"
#include "libs/runtime/stream_store.h"

namespace httplib {
class Server;
}

namespace rentstream::runtime {

class ServiceHost {
 public:
  // Blocks SIGTERM and SIGINT in this thread (and so in every thread started after it), opens
  // the bus and the store, and declares the service's topics.
  // `shared_bus` (optional): run on a bus the caller owns instead of opening one — how several
  // services share one embedded LocalBus in one process. It must outlive the host.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Create(
      const std::string& service, HostConfig config, StreamLogic& logic,
      std::vector<std::string> inputs = {}, eventlog::EventBus* shared_bus = nullptr);
  ~ServiceHost();

  eventlog::EventBus& bus() { return *bus_; }
  StreamStore& store() { return *store_; }
  // A tenancy's stream from this instance's projection, for query handlers: INVALID_ARGUMENT
  // naming `tenancy_ref` when it is not a reference, nullopt when the stream has no events here.
  // With `side`: also its history records (oldest first) and keyed records
  // (StreamLogic::EvolveStream) — all, or those `wanted` names — consistent with the record.
  // UNAVAILABLE naming `tenancy_ref` when its partition is not one this instance serves now
  // (ServedPartitions: owned by one of its loops and caught up) — another replica's, or one
  // still being caught up — rather than an answer from a projection that may not have it.
  absl::StatusOr<std::optional<v1::StreamRecord>> LoadStream(const std::string& tenancy_ref,
                                                             SideRecords* side = nullptr,
                                                             const SideWanted& wanted = {});
  // A stream's keyed records under `keys` that exist, from this instance's projection, with the
  // same checks as LoadStream (INVALID_ARGUMENT or UNAVAILABLE naming `tenancy_ref`).
  absl::Status LoadKeyed(const std::string& tenancy_ref, const std::vector<std::string>& keys,
                         KeyedRecords& found);
  // For a query that scans every stream of the projection (`what` names it): UNAVAILABLE unless
  // this instance serves every partition now.
  absl::Status CheckServesAllPartitions(const std::string& what) const {
    return served_partitions_->CheckServesAll(what);
  }
  // A query's scan of every stream (StreamStore::ForEachStream, ForEachStreamWithSide), after
  // CheckServesAllPartitions(what): the projection holds every stream only then. With `only`, a
  // scan of those partitions' streams, each of which this instance must serve now (UNAVAILABLE
  // naming `what` otherwise): its part of a scan spread over the replicas (runtime::PlanScan).
  absl::Status ForEachStream(const std::string& what,
                             const std::function<bool(const v1::StreamRecord&)>& visit,
                             const std::vector<int32_t>* only = nullptr);
  absl::Status ForEachStreamWithSide(
      const std::string& what,
      const std::function<bool(const v1::StreamRecord&, const StreamStore::SideLoader&)>& visit,
      const std::vector<int32_t>* only = nullptr);
  // The partitions this instance serves now.
  std::vector<int32_t> PartitionsServed() const { return served_partitions_->Served(); }
  CommandGateway& gateway() { return *gateway_; }
  // Who serves the partitions this instance does not (HostConfig::peer_address); null when no
  // peer address is configured.
  QueryRouter* query_router() { return query_router_.get(); }
  // How far this instance's projection reflects each partition's outcome records.
  ProjectionWatermark& projection_watermark() { return *projection_watermark_; }
  // Whether this instance serves the tenancy's partition now (false for a malformed reference).
  bool ServesTenancy(const std::string& tenancy_ref) const {
    return ServedPartitionOf(tenancy_ref).ok();
  }
  int32_t partitions() const { return config_.partitions; }
  const Authenticator& authenticator() const { return *authenticator_; }
  MetricsRegistry& metrics() { return metrics_; }
  const HostConfig& config() const { return config_; }

  // Starts everything, then blocks until SIGTERM/SIGINT or RequestStop(), and drains. Returns
  // a processing loop's fatal error (a broken hash chain in the service's own events), if any.
  // `ready` (optional) runs once the servers listen, with the bound ports, before the processor
  // starts (health is NOT_SERVING while it runs).
  absl::Status Serve(const std::vector<grpc::Service*>& services,
                     const std::function<void(int grpc_port, int metrics_port)>& ready = {});
  void RequestStop();

  // Applies a service's health name ("rentstream.sample.v1.CounterService").
  void set_health_name(std::string name) { health_name_ = std::move(name); }

 private:
  ServiceHost(std::string service, HostConfig config, StreamLogic& logic);
  void SetHealth(bool serving);
  // A tenancy's partition, if this instance serves it now: INVALID_ARGUMENT when `tenancy_ref`
  // is not a reference, UNAVAILABLE naming it when the partition is not served.
  absl::StatusOr<int32_t> ServedPartitionOf(const std::string& tenancy_ref) const;
  absl::Status CheckServes(const std::string& what, const std::vector<int32_t>* only) const;

  std::string service_;
  HostConfig config_;
  StreamLogic& logic_;
  std::vector<std::string> inputs_;
  std::string health_name_;
  MetricsRegistry metrics_;
  std::vector<std::unique_ptr<ProcessorMetrics>> processor_metrics_;
  std::unique_ptr<eventlog::EventBus> owned_bus_;
  eventlog::EventBus* bus_ = nullptr;
  std::unique_ptr<StreamStore> store_;
  // Declared before the gateway, which holds answers against them, and the loops, which mark
  // them, until they are destroyed.
  std::unique_ptr<ServedPartitions> served_partitions_;
  std::unique_ptr<ProjectionWatermark> projection_watermark_;
  std::unique_ptr<CommandGateway> gateway_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<QueryRouter> query_router_;
  // Declared before the loops, which use it until they are destroyed.
  std::unique_ptr<PartitionLocks> partition_locks_;  // with more than one loop
  std::vector<std::unique_ptr<ProcessorHost>> processors_;
  std::mutex processor_error_mu_;
  absl::Status processor_error_;  // the first loop's fatal error: Serve returns it
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stop_processor_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace rentstream::runtime
