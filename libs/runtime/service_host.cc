#include "libs/runtime/service_host.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/core/ids.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/json_log.h"
#include "libs/runtime/thread_name.h"
#include "libs/runtime/topics.h"

namespace rentstream::runtime {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ServiceHost::ServiceHost(std::string service, HostConfig config, StreamLogic& logic)
    : service_(std::move(service)), config_(std::move(config)), logic_(logic) {}

ServiceHost::~ServiceHost() {
  if (http_) http_->stop();
}

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Create(const std::string& service,
                                                                 HostConfig config,
                                                                 StreamLogic& logic,
                                                                 std::vector<std::string> inputs,
                                                                 eventlog::EventBus* shared_bus) {
  if (auto st = config.Validate(); !st.ok()) return st;
  // Signals are taken by sigwait in Serve; block them before any library starts a thread.
  sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<ServiceHost> host(new ServiceHost(service, std::move(config), logic));
  host->inputs_ = std::move(inputs);
  const HostConfig& c = host->config_;
  auto authenticator = Authenticator::Create(c.auth);
  if (!authenticator.ok()) return authenticator.status();
  host->authenticator_ = std::move(*authenticator);
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("--data-dir ", c.data_dir, ": ", ec.message()));

  if (shared_bus != nullptr) {
    host->bus_ = shared_bus;
  } else if (c.bus == "kafka") {
    eventlog::KafkaBusOptions options;
    options.bootstrap = c.bootstrap;
    options.session_timeout = std::chrono::milliseconds(c.kafka_session_timeout_ms);
    auto bus = eventlog::KafkaBus::Connect(options);
    if (!bus.ok()) return bus.status();
    host->owned_bus_ = std::move(*bus);
  } else {
    auto bus = eventlog::LocalBus::Open(c.data_dir + "/log");
    if (!bus.ok()) return bus.status();
    host->owned_bus_ = std::move(*bus);
  }
  if (host->owned_bus_) host->bus_ = host->owned_bus_.get();
  auto topics = TopicsToDeclare(service, host->inputs_, c.partitions, c.replication);
  if (auto st = host->bus_->DeclareTopics(topics); !st.ok()) return st;
  auto store = StreamStore::Open(c.data_dir + "/state-" + c.instance_id,
                                 static_cast<size_t>(c.state_cache_mb) << 20,
                                 static_cast<size_t>(c.state_memtable_mb) << 20);
  if (!store.ok()) return store.status();
  host->store_ = std::move(*store);
  auto gateway = CommandGateway::Start(*host->bus_, service, logic);
  if (!gateway.ok()) return gateway.status();
  host->gateway_ = std::move(*gateway);

  ProcessorOptions options;
  options.service = service;
  options.instance_id = c.instance_id;
  options.subscriptions = host->inputs_;
  options.max_batch_records = static_cast<size_t>(c.max_batch);
  options.static_membership = c.static_membership;
  options.max_cached_streams = static_cast<size_t>(c.state_cached_streams);
  options.state_durability =
      c.state_wal ? StreamStore::Durability::kSynced : StreamStore::Durability::kFromBus;
  // Loop k > 0 is its own group member: its own transactional id (fencing its predecessor
  // after a restart) and stream cache; all share the store, whose keys carry the partition.
  if (c.processors > 1) {
    host->partition_locks_ = std::make_unique<PartitionLocks>();
    options.partition_locks = host->partition_locks_.get();
  }
  host->served_partitions_ = std::make_unique<ServedPartitions>(c.partitions);
  options.served_partitions = host->served_partitions_.get();
  // A command's answer waits until this instance's projection has it (read your own writes).
  host->projection_watermark_ = std::make_unique<ProjectionWatermark>(c.partitions);
  options.projection_watermark = host->projection_watermark_.get();
  host->gateway_->AnswerOnceReflected(host->served_partitions_.get(),
                                      host->projection_watermark_.get());
  if (!c.peer_address.empty()) {
    host->query_router_ = std::make_unique<QueryRouter>(
        *host->bus_, service, c.instance_id, c.peer_address, ServiceTopics::For(service).commands);
  }
  for (int k = 0; k < c.processors; ++k) {
    ProcessorOptions loop = options;
    if (k > 0) loop.instance_id = absl::StrCat(c.instance_id, "-p", k);
    host->processor_metrics_.push_back(std::make_unique<ProcessorMetrics>(
        host->metrics_, service, c.processors > 1 ? std::to_string(k) : ""));
    host->processors_.push_back(std::make_unique<ProcessorHost>(
        *host->bus_, *host->store_, logic, loop, host->processor_metrics_.back().get()));
  }
  return host;
}

void ServiceHost::SetHealth(bool serving) {
  if (!grpc_) return;
  grpc::HealthCheckServiceInterface* health = grpc_->GetHealthCheckService();
  health->SetServingStatus(serving);
  if (!health_name_.empty()) health->SetServingStatus(health_name_, serving);
}

void ServiceHost::RequestStop() {
  std::lock_guard lock(stop_mu_);
  stop_requested_ = true;
  stop_cv_.notify_all();
}

absl::Status ServiceHost::Serve(const std::vector<grpc::Service*>& services,
                                const std::function<void(int, int)>& ready) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(config_.grpc_listen, grpc::InsecureServerCredentials(), &grpc_port);
  for (grpc::Service* s : services) builder.RegisterService(s);
  grpc_ = builder.BuildAndStart();
  if (!grpc_ || grpc_port == 0) {
    return absl::UnavailableError(absl::StrCat("gRPC cannot listen on ", config_.grpc_listen));
  }
  SetHealth(false);

  std::string metrics_host;
  int metrics_port = 0;
  (void)SplitHostPort(config_.metrics_listen, &metrics_host, &metrics_port);
  http_ = std::make_unique<httplib::Server>();
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (metrics_port == 0) {
    metrics_port = http_->bind_to_any_port(metrics_host);
  } else if (!http_->bind_to_port(metrics_host, metrics_port)) {
    metrics_port = -1;
  }
  if (metrics_port < 0) {
    grpc_->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("metrics cannot listen on ", config_.metrics_listen));
  }
  std::thread http_thread([this] {
    NameThisThread(ThreadName(service_, "http"));
    http_->listen_after_bind();
  });

  LogInfo("listening", {{"service", service_},
                        {"grpc_port", std::to_string(grpc_port)},
                        {"metrics_port", std::to_string(metrics_port)},
                        // A bus handed in by the embedding program (one process, several
                        // services) is not the one the configuration names.
                        {"bus", owned_bus_ ? config_.bus : "shared"}});
  // Before the processor starts, so a caller sees health NOT_SERVING here, deterministically.
  if (ready) ready(grpc_port, metrics_port);

  std::vector<std::thread> processor_threads;
  for (size_t k = 0; k < processors_.size(); ++k) {
    processor_threads.emplace_back([this, k, p = processors_[k].get()] {
      NameThisThread(ThreadName(service_, absl::StrCat("loop-", k)));
      absl::Status st = p->Run(stop_processor_);
      if (!st.ok()) {
        LogError("processor stopped", {{"service", service_}, {"error", st.ToString()}});
        {
          std::lock_guard lock(processor_error_mu_);
          if (processor_error_.ok()) processor_error_ = st;
        }
        RequestStop();
      }
    });
  }
  // Health follows the processor's catch-up; checked by this thread until drain begins.
  std::atomic<bool> draining{false};
  std::thread health_thread([this, &draining] {
    NameThisThread(ThreadName(service_, "health"));
    bool serving = false;
    bool served_once = false;
    while (!draining.load()) {
      // Serving once every loop with partitions has caught up with them (a loop the group gave
      // none — more loops or replicas than partitions — does not hold the others back), and, the
      // first time, once every loop holds an assignment: the first loop to join takes every
      // partition, and a loop joining later starts a rebalance that takes partitions away again
      // — serving meanwhile, an import ran on one loop for its first seconds, then stalled in
      // the rebalance (docs/performance.md, session 20). Later rebalances (a replica joining or
      // leaving) do not take the service out of serving.
      bool any = false;
      bool all = true;
      bool joined = true;
      for (const std::unique_ptr<ProcessorHost>& p : processors_) {
        any = any || p->caught_up();
        all = all && (p->caught_up() || !p->owns_partitions());
        joined = joined && p->assigned();
      }
      const bool now = any && all && (joined || served_once);
      if (now != serving) SetHealth(now);
      serving = now;
      // Once no loop is caught up (every loop left: the bus went away, fencing), the next start
      // waits for every loop again, as the first did.
      served_once = any && (served_once || now);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // status poll, not sync
    }
  });

  // The embedded scheduler: today's business day at start, then each London midnight. The wall
  // clock is read here, at the edge; the processor only ever sees the tick's date.
  std::thread clock_thread;
  if (config_.daily_ticks) {
    clock_thread = std::thread([this] {
      NameThisThread(ThreadName(service_, "clock"));
      int64_t opened = -1;
      std::unique_lock lock(stop_mu_);
      while (!stop_requested_) {
        const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
        const core::Date today = core::LondonDateOf(now_s);
        if (today.days_since_epoch() != opened) {
          lock.unlock();
          absl::Status st = OpenBusinessDay(*bus_, service_, today);
          lock.lock();
          if (st.ok()) {
            opened = today.days_since_epoch();
            LogInfo("business day opened", {{"service", service_}, {"date", today.ToIso()}});
          } else {
            LogWarn("business day not opened",
                    {{"service", service_}, {"date", today.ToIso()}, {"error", st.ToString()}});
          }
        }
        // Wake at the next London midnight, or in a minute to retry / follow clock changes.
        const int64_t next = std::min(core::LondonMidnight(today.AddDays(1)), now_s + 60);
        stop_cv_.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::seconds(next)),
                            [this] { return stop_requested_; });
      }
    });
  }

  // SIGTERM/SIGINT (blocked in every thread since Create) are taken here by sigwait.
  std::atomic<int> signal_received{0};
  std::thread signal_thread([this, &signal_received] {
    NameThisThread(ThreadName(service_, "signals"));
    sigset_t signals = StopSignals();
    int signal = 0;
    sigwait(&signals, &signal);
    signal_received = signal;
    RequestStop();
  });
  {
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait(lock, [&] { return stop_requested_; });
  }
  // A stop requested in-process: release the signal thread with a signal aimed at it alone.
  if (signal_received == 0) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  LogInfo("draining", {{"service", service_}, {"signal", std::to_string(signal_received)}});

  draining = true;
  health_thread.join();
  if (clock_thread.joinable()) clock_thread.join();
  SetHealth(false);
  // In-flight RPCs may wait for outcomes: the processor keeps running until they are done.
  grpc_->Shutdown(std::chrono::system_clock::now() +
                  std::chrono::milliseconds(config_.drain_timeout_ms));
  stop_processor_ = true;
  for (std::thread& t : processor_threads) t.join();
  http_->stop();
  http_thread.join();
  gateway_.reset();
  LogInfo("stopped", {{"service", service_}});
  std::lock_guard lock(processor_error_mu_);
  return processor_error_;
}

absl::StatusOr<int32_t> ServiceHost::ServedPartitionOf(const std::string& tenancy_ref) const {
  auto ref = core::TenancyRef::Parse(tenancy_ref);
  if (!ref.ok()) return ref.status();
  const int32_t partition = eventlog::PartitionForKey(ref->value(), config_.partitions);
  if (absl::Status st = served_partitions_->CheckServes(partition, "tenancy_ref", ref->value());
      !st.ok()) {
    return st;
  }
  return partition;
}

absl::StatusOr<std::optional<v1::StreamRecord>> ServiceHost::LoadStream(
    const std::string& tenancy_ref, SideRecords* side, const SideWanted& wanted) {
  auto partition = ServedPartitionOf(tenancy_ref);
  if (!partition.ok()) return partition.status();
  return store_->LoadStream(*partition, tenancy_ref, side, wanted);
}

absl::Status ServiceHost::LoadKeyed(const std::string& tenancy_ref,
                                    const std::vector<std::string>& keys, KeyedRecords& found) {
  auto partition = ServedPartitionOf(tenancy_ref);
  if (!partition.ok()) return partition.status();
  return store_->LoadKeyed(*partition, tenancy_ref, keys, found);
}

absl::Status ServiceHost::CheckServes(const std::string& what,
                                      const std::vector<int32_t>* only) const {
  if (only == nullptr) return CheckServesAllPartitions(what);
  for (int32_t p : *only) {
    if (!served_partitions_->Serves(p)) {
      return absl::UnavailableError(
          absl::StrCat(what, ": partition ", p, " is not served by this instance now"));
    }
  }
  return absl::OkStatus();
}

absl::Status ServiceHost::ForEachStream(const std::string& what,
                                        const std::function<bool(const v1::StreamRecord&)>& visit,
                                        const std::vector<int32_t>* only) {
  if (absl::Status st = CheckServes(what, only); !st.ok()) return st;
  return store_->ForEachStream(visit, only);
}

absl::Status ServiceHost::ForEachStreamWithSide(
    const std::string& what,
    const std::function<bool(const v1::StreamRecord&, const StreamStore::SideLoader&)>& visit,
    const std::vector<int32_t>* only) {
  if (absl::Status st = CheckServes(what, only); !st.ok()) return st;
  return store_->ForEachStreamWithSide(visit, only);
}

}  // namespace rentstream::runtime
