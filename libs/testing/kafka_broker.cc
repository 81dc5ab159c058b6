#include "libs/testing/kafka_broker.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/testing/child_process.h"
#include "libs/testing/free_port.h"

#ifndef RS_KAFKA_VERSION
#error "RS_KAFKA_VERSION must be defined by the build (deploy/kafka/VERSION)"
#endif

namespace rentstream::testing {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// KRaft cluster ids are 16 bytes, base64url without padding (22 characters).
std::string NewClusterId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 22; ++i) id.push_back(kAlphabet[rd() % 64]);
  // The last character carries only 2 bits of the 128; keep it canonical.
  id.back() = kAlphabet[(rd() % 4) * 16];
  return id;
}

absl::Status WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

std::string ServerProperties(const fs::path& dir, int port, int controller_port,
                             const std::vector<std::string>& extra) {
  const unsigned cores = UsableCores();
  std::vector<std::string> lines = {
      "process.roles=broker,controller",
      "node.id=1",
      absl::StrCat("controller.quorum.voters=1@127.0.0.1:", controller_port),
      absl::StrCat("listeners=PLAINTEXT://127.0.0.1:", port,
                   ",CONTROLLER://127.0.0.1:", controller_port),
      absl::StrCat("advertised.listeners=PLAINTEXT://127.0.0.1:", port),
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      absl::StrCat("log.dirs=", (dir / "logs").string()),
      "num.partitions=1",
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=4",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "transaction.state.log.num.partitions=4",
      "group.initial.rebalance.delay.ms=0",
      "group.min.session.timeout.ms=1000",
      // Tests abandon transactions on purpose (zombies, crashes): expire them quickly.
      "transaction.max.timeout.ms=60000",
      "transaction.abort.timed.out.transaction.cleanup.interval.ms=2000",
      // Request threads for the machine this broker shares with the clients it serves. Kafka's
      // defaults (8 request handlers, 3 network threads) suit a broker with a machine of its
      // own; on two cores shared with the services, 2 and 1 took ~18% less of the broker's
      // request CPU in ledger_bench's import (docs/performance.md, session 20), 1 and 1 more.
      absl::StrCat("num.io.threads=", std::clamp(cores, 2u, 8u)),
      absl::StrCat("num.network.threads=", std::clamp(cores / 2, 1u, 3u)),
  };
  lines.insert(lines.end(), extra.begin(), extra.end());
  return absl::StrJoin(lines, "\n") + "\n";
}

std::string Log4jProperties(const fs::path& dir) {
  return absl::StrCat("log4j.rootLogger=WARN, file\n",
                      "log4j.logger.kafka.server.KafkaServer=INFO\n",
                      "log4j.logger.kafka.server.BrokerServer=INFO\n",
                      "log4j.appender.file=org.apache.log4j.FileAppender\n",
                      "log4j.appender.file.File=", (dir / "broker.log").string(), "\n",
                      "log4j.appender.file.layout=org.apache.log4j.PatternLayout\n",
                      "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\n");
}

}  // namespace

unsigned CoresUnderQuota(absl::string_view cpu_max, unsigned cores) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(cpu_max), ' ', absl::SkipEmpty());
  int64_t quota = 0;
  int64_t period = 0;
  if (parts.size() != 2 || parts[0] == "max" || !absl::SimpleAtoi(parts[0], &quota) ||
      !absl::SimpleAtoi(parts[1], &period) || quota <= 0 || period <= 0) {
    return cores;
  }
  const int64_t allowed = std::max<int64_t>(1, (quota + period - 1) / period);
  return static_cast<unsigned>(std::min<int64_t>(cores, allowed));
}

unsigned UsableCores() {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    cores = static_cast<unsigned>(CPU_COUNT(&set));
  }
  auto read = [](const char* path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return in ? text.str() : std::string();
  };
  if (std::string v2 = read("/sys/fs/cgroup/cpu.max"); !v2.empty()) {
    return CoresUnderQuota(v2, cores);
  }
  const std::string quota = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");  // v1; -1: none
  const std::string period = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  if (!quota.empty() && !period.empty() && absl::StripAsciiWhitespace(quota) != "-1") {
    return CoresUnderQuota(
        absl::StrCat(absl::StripAsciiWhitespace(quota), " ", absl::StripAsciiWhitespace(period)),
        cores);
  }
  return cores;
}

std::string KafkaBroker::DefaultLibsDir() {
  if (std::string v = Env("RENTSTREAM_KAFKA_LIBS"); !v.empty()) return v;
  std::string cache = Env("RENTSTREAM_CACHE");
  if (cache.empty()) cache = Env("HOME") + "/.cache/rentstream";
  return absl::StrCat(cache, "/kafka-", RS_KAFKA_VERSION, "/libs");
}

absl::StatusOr<std::unique_ptr<KafkaBroker>> KafkaBroker::Start(KafkaBrokerOptions options) {
  if (options.libs_dir.empty()) options.libs_dir = DefaultLibsDir();
  const fs::path main_jar =
      fs::path(options.libs_dir) / absl::StrCat("kafka_2.13-", RS_KAFKA_VERSION, ".jar");
  if (!fs::exists(main_jar)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Kafka broker jars not found (", main_jar.string(), "): run tools/setup.sh first"));
  }
  // A port picked free can be taken by someone else before the JVM binds it: retry with new ones.
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::unique_ptr<KafkaBroker> broker(new KafkaBroker());
    last = broker->Launch(options);
    if (last.ok()) last = broker->WaitUntilReady(options.start_timeout);
    if (last.ok()) return broker;
    last = absl::Status(last.code(),
                        absl::StrCat(last.message(), "\n--- broker log ---\n", broker->LogTail()));
  }
  return last;
}

absl::Status KafkaBroker::Launch(const KafkaBrokerOptions& options) {
  std::string root = options.work_root;
  if (root.empty()) root = Env("TMPDIR").empty() ? "/tmp" : Env("TMPDIR");
  std::string tmpl = root + "/rentstream-kafka-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp in ", root, " failed"));
  }
  data_dir_ = tmpl;
  const fs::path dir(data_dir_);
  auto port = PickFreeLoopbackPort();
  auto controller_port = PickFreeLoopbackPort();
  if (!port.ok()) return port.status();
  if (!controller_port.ok()) return controller_port.status();
  if (*port == *controller_port) return absl::UnavailableError("picked the same port twice");
  bootstrap_ = absl::StrCat("127.0.0.1:", *port);

  const fs::path props = dir / "server.properties";
  const fs::path log4j = dir / "log4j.properties";
  if (auto st = WriteFile(props,
                          ServerProperties(dir, *port, *controller_port, options.extra_properties));
      !st.ok()) {
    return st;
  }
  if (auto st = WriteFile(log4j, Log4jProperties(dir)); !st.ok()) return st;

  const std::string java = Env("JAVA").empty() ? "java" : Env("JAVA");
  const std::vector<std::string> jvm = {java,
                                        absl::StrCat("-Xmx", options.jvm_heap),
                                        absl::StrCat("-Xms", options.jvm_heap),
                                        "-XX:+UseG1GC",
                                        "-XX:MaxGCPauseMillis=20",
                                        "-Djava.awt.headless=true",
                                        absl::StrCat("-Dlog4j.configuration=file:", log4j.string()),
                                        "-cp",
                                        options.libs_dir + "/*"};
  const std::string out_log = (dir / "broker.out").string();

  std::vector<std::string> format = jvm;
  format.insert(format.end(), {"kafka.tools.StorageTool", "format", "-t", NewClusterId(), "-c",
                               props.string(), "--ignore-formatted"});
  auto formatter = SpawnChild(format, out_log);
  if (!formatter.ok()) return formatter.status();
  if (int code = WaitChild(*formatter); code != 0) {
    return absl::InternalError(absl::StrCat("kafka storage format exited with ", code));
  }

  std::vector<std::string> server = jvm;
  server.insert(server.end(), {"kafka.Kafka", props.string()});
  auto pid = SpawnChild(server, out_log);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  return absl::OkStatus();
}

absl::Status KafkaBroker::WaitUntilReady(std::chrono::seconds timeout) {
  auto admin = eventlog::KafkaAdmin::Connect(bootstrap_, {{"log_level", "0"}});
  if (!admin.ok()) return admin.status();
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int code = 0;
    if (!ChildRunning(pid_, &code)) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("kafka broker exited with ", code));
    }
    // Each metadata request waits up to a second for the broker: this is the readiness wait.
    if (admin->Ping(std::chrono::seconds(1)).ok()) return absl::OkStatus();
  }
  return absl::DeadlineExceededError(
      absl::StrCat("kafka broker not answering after ", timeout.count(), "s"));
}

absl::Status KafkaBroker::CreateTopics(const std::vector<eventlog::TopicSpec>& topics) {
  auto admin = eventlog::KafkaAdmin::Connect(bootstrap_);
  if (!admin.ok()) return admin.status();
  return admin->DeclareTopics(topics);
}

absl::Status KafkaBroker::CreateTopic(const std::string& name, int partitions) {
  eventlog::TopicSpec spec;
  spec.name = name;
  spec.partitions = partitions;
  return CreateTopics({spec});
}

std::string KafkaBroker::LogTail(int lines) const {
  std::deque<std::string> tail;
  for (const char* file : {"broker.out", "broker.log"}) {
    std::ifstream in(fs::path(data_dir_) / file);
    for (std::string line; std::getline(in, line);) {
      tail.push_back(absl::StrCat(file, ": ", line));
      if (static_cast<int>(tail.size()) > lines) tail.pop_front();
    }
  }
  return absl::StrJoin(tail, "\n");
}

void KafkaBroker::Kill() {
  if (pid_ > 0) KillChild(pid_, SIGKILL);
  pid_ = -1;
}

KafkaBroker::~KafkaBroker() {
  Kill();
  if (!data_dir_.empty() && Env("RENTSTREAM_KEEP_KAFKA_DATA").empty()) {
    std::error_code ignored;
    fs::remove_all(data_dir_, ignored);
  }
}

}  // namespace rentstream::testing
