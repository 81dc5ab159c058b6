#include "libs/runtime/host_config.h"

#include <CLI/CLI.hpp>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rentstream::runtime {

void HostConfig::AddFlags(CLI::App& app) {
  app.add_option("--instance-id", instance_id, "Stable replica id (StatefulSet ordinal)")
      ->envname("RENTSTREAM_INSTANCE_ID");
  app.add_option("--bus", bus, "Event bus: local (embedded) or kafka")->envname("RENTSTREAM_BUS");
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers (bus=kafka)")
      ->envname("RENTSTREAM_KAFKA_BOOTSTRAP");
  app.add_option("--data-dir", data_dir, "Directory for the state store (and LocalBus log)")
      ->envname("RENTSTREAM_DATA_DIR");
  app.add_option("--grpc-listen", grpc_listen, "gRPC address host:port (port 0 = any)")
      ->envname("RENTSTREAM_GRPC_LISTEN");
  app.add_option("--metrics-listen", metrics_listen, "Prometheus /metrics address host:port")
      ->envname("RENTSTREAM_METRICS_LISTEN");
  app.add_option("--partitions", partitions, "Partitions of every topic (fixed at install)")
      ->envname("RENTSTREAM_PARTITIONS");
  app.add_option("--replication", replication, "Replication factor of declared topics")
      ->envname("RENTSTREAM_REPLICATION");
  app.add_option("--max-batch", max_batch, "Input records per transaction")
      ->envname("RENTSTREAM_MAX_BATCH");
  app.add_option("--processors", processors,
                 "Processing loops in this process (group members sharing the state store)")
      ->envname("RENTSTREAM_PROCESSORS");
  app.add_option("--state-cache-mb", state_cache_mb,
                 "State store block cache (MiB), shared by the processing loops")
      ->envname("RENTSTREAM_STATE_CACHE_MB");
  app.add_option("--state-wal", state_wal,
                 "Write the state store through its own synced write-ahead log (default: no, "
                 "the events topic is the log and a restart refolds what a crash lost)")
      ->envname("RENTSTREAM_STATE_WAL");
  app.add_option("--state-memtable-mb", state_memtable_mb,
                 "State store memtable (MiB); without the write-ahead log also the most a crash "
                 "takes from the store")
      ->envname("RENTSTREAM_STATE_MEMTABLE_MB");
  app.add_option("--state-cached-streams", state_cached_streams,
                 "Stream states each processing loop keeps after their transaction, as the "
                 "bytes last written (a stream touched again soon is not read from the store "
                 "again)")
      ->envname("RENTSTREAM_STATE_CACHED_STREAMS");
  app.add_option("--command-deadline-ms", command_deadline_ms,
                 "Default wait for a command's outcome")
      ->envname("RENTSTREAM_COMMAND_DEADLINE_MS");
  app.add_option("--static-membership", static_membership,
                 "Kafka static group membership (group.instance.id)")
      ->envname("RENTSTREAM_STATIC_MEMBERSHIP");
  app.add_option("--kafka-session-timeout-ms", kafka_session_timeout_ms,
                 "Kafka consumer session timeout")
      ->envname("RENTSTREAM_KAFKA_SESSION_TIMEOUT_MS");
  app.add_option("--daily-ticks", daily_ticks,
                 "Open each business day (Europe/London midnight) from this process")
      ->envname("RENTSTREAM_DAILY_TICKS");
  app.add_option("--drain-timeout-ms", drain_timeout_ms, "Wait for in-flight RPCs on SIGTERM")
      ->envname("RENTSTREAM_DRAIN_TIMEOUT_MS");
  app.add_option("--peer-address", peer_address,
                 "Another replica's gRPC host:port with {instance} for its instance id: queries "
                 "about partitions this instance does not serve are asked of their owner")
      ->envname("RENTSTREAM_PEER_ADDRESS");
  app.add_option("--auth", auth.mode,
                 "Callers: metadata (x-rentstream-actor/-role, trusted networks only) or jwt")
      ->envname("RENTSTREAM_AUTH");
  app.add_option("--jwt-key-file", auth.jwt_key_file,
                 "auth=jwt: HS256 secret file, or the issuer's RS256 public key (PEM)")
      ->envname("RENTSTREAM_JWT_KEY_FILE");
  app.add_option("--jwt-issuer", auth.jwt_issuer, "auth=jwt: required iss claim")
      ->envname("RENTSTREAM_JWT_ISSUER");
  app.add_option("--jwt-audience", auth.jwt_audience, "auth=jwt: required aud claim")
      ->envname("RENTSTREAM_JWT_AUDIENCE");
}

absl::Status SplitHostPort(const std::string& address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", address, "\" is not host:port"));
  }
  int p = -1;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &p) || p < 0 || p > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", address, "\": bad port"));
  }
  *host = address.substr(0, colon);
  *port = p;
  return absl::OkStatus();
}

absl::Status HostConfig::Validate() const {
  std::string host;
  int port = 0;
  if (bus != "local" && bus != "kafka") {
    return absl::InvalidArgumentError("--bus: must be local or kafka");
  }
  if (bus == "kafka" && bootstrap.empty()) {
    return absl::InvalidArgumentError("--bootstrap: required with --bus=kafka");
  }
  if (instance_id.empty() || instance_id.size() > 64) {
    return absl::InvalidArgumentError("--instance-id: 1 to 64 characters");
  }
  if (data_dir.empty()) return absl::InvalidArgumentError("--data-dir: empty");
  if (auth.mode != "metadata" && auth.mode != "jwt") {
    return absl::InvalidArgumentError("--auth: must be metadata or jwt");
  }
  if (auth.mode == "jwt" && auth.jwt_key_file.empty()) {
    return absl::InvalidArgumentError("--jwt-key-file: required with --auth=jwt");
  }
  if (auto st = SplitHostPort(grpc_listen, &host, &port); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--grpc-listen: ", st.message()));
  }
  if (auto st = SplitHostPort(metrics_listen, &host, &port); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--metrics-listen: ", st.message()));
  }
  if (partitions < 1 || partitions > 1024) {
    return absl::InvalidArgumentError("--partitions: 1 to 1024");
  }
  if (replication < 1 || replication > 7) {
    return absl::InvalidArgumentError("--replication: 1 to 7");
  }
  if (max_batch < 1 || max_batch > 100000) {
    return absl::InvalidArgumentError("--max-batch: 1 to 100000");
  }
  if (processors < 1 || processors > std::min(partitions, 64)) {
    return absl::InvalidArgumentError("--processors: 1 to --partitions (at most 64)");
  }
  if (state_cache_mb < 1 || state_cache_mb > 1024 * 1024) {
    return absl::InvalidArgumentError("--state-cache-mb: 1 to 1048576");
  }
  if (state_memtable_mb < 1 || state_memtable_mb > 4096) {
    return absl::InvalidArgumentError("--state-memtable-mb: 1 to 4096");
  }
  if (state_cached_streams < 0 || state_cached_streams > 10'000'000) {
    return absl::InvalidArgumentError("--state-cached-streams: 0 to 10000000");
  }
  if (kafka_session_timeout_ms < 1000 || kafka_session_timeout_ms > 300000) {
    return absl::InvalidArgumentError("--kafka-session-timeout-ms: 1000 to 300000");
  }
  if (!peer_address.empty()) {
    if (peer_address.find("{instance}") == std::string::npos) {
      return absl::InvalidArgumentError("--peer-address: must hold {instance}");
    }
  }
  if (command_deadline_ms < 1 || drain_timeout_ms < 0) {
    return absl::InvalidArgumentError("--command-deadline-ms/--drain-timeout-ms: out of range");
  }
  return absl::OkStatus();
}

}  // namespace rentstream::runtime
