#pragma once
// A real single-node Apache Kafka broker (KRaft, combined broker+controller) for tests, started
// from the Maven Central jars that tools/setup.sh fetches — no Docker, no mock. Each broker gets
// a fresh data directory and free loopback ports, and is killed when this object is destroyed.
// The JVM also dies if the test process dies (PR_SET_PDEATHSIG), so a crashing test leaves no
// orphan JVM behind. Start it from the main thread: the death signal follows the starting thread.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/eventlog/kafka_admin.h"

namespace rentstream::testing {

struct KafkaBrokerOptions {
  // Directory holding the broker jars; empty = $RENTSTREAM_KAFKA_LIBS, else the setup cache.
  std::string libs_dir;
  // Parent of the fresh data directory; empty = $TMPDIR or /tmp.
  std::string work_root;
  std::string jvm_heap = "512m";
  std::chrono::seconds start_timeout{90};
  // Extra server.properties lines ("key=value"); a key given here overrides the default.
  std::vector<std::string> extra_properties;
};

// The cores `cores` CPUs leave under a cgroup CPU quota, read as cgroup v2's `cpu.max` holds it
// ("<quota> <period>" in µs, or "max <period>" for none): at least one, rounded up. Text that is
// neither leaves `cores` as it is.
unsigned CoresUnderQuota(absl::string_view cpu_max, unsigned cores);

// The cores this process may run on: its CPU affinity, capped by its cgroup's CPU quota (v2
// `cpu.max`, or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) — a container limited to two CPUs
// on a larger host counts two, as std::thread::hardware_concurrency() does not.
unsigned UsableCores();

class KafkaBroker {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaBroker>> Start(KafkaBrokerOptions options = {});
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  // "127.0.0.1:<port>" for bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

  // Declares topics (idempotent) and waits for their leaders.
  absl::Status CreateTopics(const std::vector<eventlog::TopicSpec>& topics);
  absl::Status CreateTopic(const std::string& name, int partitions);

  // The last lines of the broker's log, for failure messages.
  std::string LogTail(int lines = 40) const;

  // Where the jars are looked for when options.libs_dir is empty.
  static std::string DefaultLibsDir();

 private:
  KafkaBroker() = default;
  absl::Status Launch(const KafkaBrokerOptions& options);
  absl::Status WaitUntilReady(std::chrono::seconds timeout);
  void Kill();

  std::string data_dir_;
  std::string bootstrap_;
  pid_t pid_ = -1;
};

}  // namespace rentstream::testing
