#pragma once
// A service process's configuration: flags, each with an environment variable fallback
// (RENTSTREAM_*), validated before anything starts.

#include <string>

#include "absl/status/status.h"
#include "libs/runtime/auth.h"

namespace CLI {
class App;
}

namespace rentstream::runtime {

struct HostConfig {
  std::string instance_id = "0";
  std::string bus = "local";  // local: embedded LocalBus in data_dir; kafka: KafkaBus
  std::string bootstrap;      // Kafka bootstrap servers (bus=kafka)
  std::string data_dir = "./rentstream-data";
  std::string grpc_listen = "127.0.0.1:50051";
  std::string metrics_listen = "127.0.0.1:9464";
  int partitions = 12;
  int replication = 1;
  int max_batch = 500;
  // Processing loops in this process, each a member of the service's consumer group with its
  // own partitions, transactional producer and stream cache (sharing the state store): how one
  // instance uses more than one core. At most `partitions`.
  int processors = 1;
  int command_deadline_ms = 5000;
  // The state store's block cache (MiB), shared by the process's processing loops.
  int state_cache_mb = 256;
  // Write the state store through RocksDB's write-ahead log, synced at every commit. Off by
  // default: the events topic is the log, and after a crash the catch-up folds again what the
  // store had not flushed (StreamStore::Durability).
  bool state_wal = false;
  // The state store's memtable (MiB): flushed to a table when full; without the write-ahead log
  // also the most a crash takes from the store (and the restart folds again). The store's
  // default (StreamStore::kDefaultMemtableBytes; host_config_test checks they agree).
  int state_memtable_mb = 128;
  // Decoded stream states each processing loop keeps after their transaction
  // (ProcessorOptions::max_cached_streams; host_config_test checks they agree).
  int state_cached_streams = 20000;
  int drain_timeout_ms = 10000;
  // Kafka static membership: a restarted replica takes its partitions back without a rebalance.
  bool static_membership = true;
  int kafka_session_timeout_ms = 10000;
  // Open each business day from this process at London midnight (and today's at start): the
  // embedded deployment's scheduler. With Kafka, prefer one CronJob running `rentstream tick`.
  bool daily_ticks = false;
  // Who callers are: trusted metadata (embedded, tests) or verified bearer tokens (auth.h).
  AuthConfig auth;
  // The gRPC address of another replica, with "{instance}" where its instance id goes (in
  // Kubernetes "ledger-{instance}.ledger-peers:50051"): a query about a tenancy on a partition
  // this instance does not serve is asked of the replica that does (QueryRouter). Empty: such
  // queries are refused with UNAVAILABLE. For Kafka (on the embedded bus one process serves all).
  std::string peer_address;

  void AddFlags(CLI::App& app);
  absl::Status Validate() const;
};

// Splits "host:port" (port may be 0 = any free port).
absl::Status SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace rentstream::runtime
