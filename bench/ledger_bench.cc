// ledger_bench: the ledger service's throughput on the exactly-once runtime, on Kafka and on
// LocalBus, in one run. Prints `bench: <name> <value> <unit>` lines (docs/performance.md):
//   ledger_open_<bus>          accounts opened (commands/s)
//   ledger_charge_run_<bus>    charges posted by one business-day tick over every account
//                              (postings/s; --history-weeks periods per account)
//   ledger_payments_single_<bus>  payments posted one command each, straight onto the command
//                              topic (postings/s): the per-command path
//   ledger_payments_batched_<bus> the same as command batches of 1,000 (postings/s)
//   ledger_import_<bus>        a payment file of one line per account imported through the
//                              running service (`rentstream ledger import`, run as its own
//                              process: gRPC ImportPayments, command batches) (postings/s)
//   ledger_statement_p50/p99   2-year statement built from the projection (microseconds)
//   ledger_raw_kafka_txn_produce  the baseline, measured in the same run on the same broker: raw
//                              librdkafka producing the import's events alone (the bytes, key
//                              and headers of a payment event the import appended, one per
//                              account, in transactions of the processor's size and linger,
//                              one producer thread per processing loop)
//                              (records/s; _cpu: machine CPU per record). A ceiling for the
//                              events alone: the import also runs the CLI, gRPC, the command
//                              and outcome records and the offsets on the same cores, and its
//                              transactions are as large as its polls, at most the raw ones
//   ledger_import_kafka_ratio, ledger_charge_run_kafka_ratio: each divided by that baseline
//                              (the charge run's postings are charges, of another size)
//   ledger_import_kafka_cpu_ratio: the import's machine CPU per posting over the baseline's per
//                              record (steadier on a shared machine than the rate's ratio)
//   ledger_charge_run_<bus>_cpu, ledger_import_<bus>_cpu: the whole machine's busy CPU time per
//                              posting (microseconds; every process, broker included), steadier
//                              between runs on a shared machine than postings/s
//   ledger_import_<bus>_service_cpu, _client_cpu, ledger_charge_run_<bus>_service_cpu: the CPU
//                              time per posting of the service process (gRPC edge, processing
//                              loops, projection; the charge run's includes the bench's polling)
//                              and of the CLI
//   ledger_import_<bus>_loops_cpu, _store_background_cpu: of the service's CPU per posting, its
//                              processing loops' threads and RocksDB's flush and compaction
//                              threads (on LocalBus the log's own store's too; the loops' figure
//                              is steadier between runs than the machine's: compactions and the
//                              broker's JIT come in bursts)
// --tenancies N (default 20000; the goal is stated for 1,000,000), --only kafka|local,
// --history-weeks W (default 4): weekly periods each account has when payments arrive;
// --history-payments: the accounts also paid weekly through that history (a payment for every
// week but the last, untimed), as a weekly payer's account would have;
// --processors P (default 1): processing loops of the service the import runs through;
// --import-arg A (repeatable): passed on to `rentstream ledger import` (e.g. --concurrency 8);
// --state-memtable-mb M: the service's memtable size for the import (its --state-memtable-mb);
// --state-cache-mb M: the service's block cache for the import (its --state-cache-mb);
// --cached-streams N: the stream states each processing loop keeps (--state-cached-streams).
#include <fcntl.h>
#include <librdkafka/rdkafkacpp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_report.h"
#include "libs/eventlog/kafka_admin.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/command_gateway.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/service_host.h"
#include "libs/runtime/topics.h"
#include "libs/testing/grpc_health.h"
#include "libs/testing/kafka_broker.h"
#include "rentstream/ledger/state/v1/state.pb.h"
#include "rentstream/ledger/v1/commands.pb.h"
#include "rentstream/ledger/v1/events.pb.h"
#include "services/ledger/app/ledger_codec.h"
#include "services/ledger/app/ledger_logic.h"
#include "services/ledger/app/ledger_service.h"

namespace rentstream::bench {
namespace {

constexpr int kPartitions = 4;

std::string Tenancy(int i) { return "HA-" + std::to_string(100000 + i); }

eventlog::OutgoingRecord CommandRecord(const std::string& tenancy, const std::string& id,
                                       const google::protobuf::Message& payload) {
  common::v1::Command c;
  auto& env = *c.mutable_envelope();
  env.set_command_id(id);
  env.set_tenancy_ref(tenancy);
  env.set_command_type(payload.GetDescriptor()->full_name());
  env.set_schema_version(1);
  env.mutable_actor()->set_id("bench");
  env.mutable_actor()->set_role(common::v1::ACTOR_ROLE_INTEGRATION);
  c.set_payload(payload.SerializeAsString());
  eventlog::OutgoingRecord r;
  r.topic = runtime::ServiceTopics::For("ledger").commands;
  r.key = tenancy;
  r.value = c.SerializeAsString();
  return r;
}

void Append(eventlog::EventBus& bus, int n,
            const std::function<eventlog::OutgoingRecord(int)>& make) {
  auto appender = bus.NewAppender("ledger-bench");
  Check(appender.status(), "appender");
  std::vector<eventlog::OutgoingRecord> chunk;
  for (int i = 0; i < n; ++i) {
    chunk.push_back(make(i));
    if (chunk.size() == 5000 || i == n - 1) {
      Check((*appender)->Append(chunk), "append");
      chunk.clear();
    }
  }
}

// Payments (one per account, `pay` with the reference `reference_prefix` + index) as command
// batches of up to 1,000 per partition, as ImportPayments sends them.
std::vector<eventlog::OutgoingRecord> PaymentBatches(int n, ledger::v1::RecordPayment pay,
                                                     const std::string& reference_prefix,
                                                     const std::string& id_prefix) {
  std::vector<std::vector<int>> by_partition(kPartitions);
  for (int i = 0; i < n; ++i)
    by_partition[eventlog::PartitionForKey(Tenancy(i), kPartitions)].push_back(i);
  std::vector<eventlog::OutgoingRecord> batches;
  for (const std::vector<int>& members : by_partition) {
    for (size_t start = 0; start < members.size(); start += runtime::kMaxBatchCommands) {
      common::v1::CommandBatch batch;
      const size_t end = std::min(members.size(), start + runtime::kMaxBatchCommands);
      for (size_t k = start; k < end; ++k) {
        pay.set_external_reference(reference_prefix + std::to_string(members[k]));
        eventlog::OutgoingRecord item =
            CommandRecord(Tenancy(members[k]), id_prefix + std::to_string(members[k]), pay);
        batch.add_commands()->ParseFromString(item.value);
      }
      const std::string key = batch.commands(0).envelope().tenancy_ref();
      eventlog::OutgoingRecord r =
          CommandRecord(key, id_prefix + "batch-" + std::to_string(batches.size()), batch);
      r.headers = {{runtime::kBatchCommandsHeader, std::to_string(end - start)}};
      batches.push_back(std::move(r));
    }
  }
  return batches;
}

// Runs the ledger processor until `target` inputs are committed; returns the seconds taken.
double RunUntil(runtime::ProcessorHost& host, uint64_t target) {
  const auto start = Clock::now();
  while (host.committed_inputs() < target) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // progress poll, not sync
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs the `rentstream` CLI as its own process, as an operator would, with its standard output
// in `out_file`. Returns its exit code and the CPU seconds it used (user + system).
std::pair<int, double> RunCli(const std::vector<std::string>& args, const std::string& out_file) {
  std::vector<char*> argv;
  std::string program = RS_CLI_PATH;
  argv.push_back(program.data());
  std::vector<std::string> copies = args;
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  const auto fail = [&](const char* what, int error) {
    std::fprintf(stderr, "%s %s: %s\n", what, program.c_str(), std::strerror(error));
    std::exit(1);
  };
  if (int e = posix_spawn_file_actions_init(&actions); e != 0) fail("spawn", e);
  if (int e = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                               O_WRONLY | O_CREAT | O_TRUNC, 0644);
      e != 0) {
    fail("spawn", e);
  }
  // The CLI gets stdin, stdout and stderr only (not this process's sockets and files).
  if (int e = posix_spawn_file_actions_addclosefrom_np(&actions, 3); e != 0) fail("spawn", e);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) fail("spawn", spawned);
  int status = 0;
  rusage ru{};
  pid_t waited = -1;
  do {
    waited = wait4(pid, &status, 0, &ru);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) fail("wait for", errno);
  const double cpu = CpuSeconds(ru);
  if (WIFSIGNALED(status)) {
    std::fprintf(stderr, "%s killed by signal %d\n", program.c_str(), WTERMSIG(status));
    return {128 + WTERMSIG(status), cpu};
  }
  return {WEXITSTATUS(status), cpu};
}

// Stream states each loop keeps (--cached-streams; -1: the runtime's default).
int& CachedStreams() {
  static int n = -1;
  return n;
}
// The import service's memtable size in MiB (--state-memtable-mb; 0: the service's default).
int& StateMemtableMb() {
  static int mb = 0;
  return mb;
}
// The import service's block cache in MiB (--state-cache-mb; 0: the service's default).
int& StateCacheMb() {
  static int mb = 0;
  return mb;
}

// More arguments for `rentstream ledger import` (--import-arg, repeatable): its tuning flags.
std::vector<std::string>& ImportArgs() {
  static std::vector<std::string> args;
  return args;
}

// A payment file of one line per account, imported with `rentstream ledger import` (its own
// process) through the ledger service (gRPC on loopback) running in this process on `bus` with
// the projection in `data_dir`: the postings/s of the whole path, and the CPU it took — the
// machine's, the service process's (edge, processing loops, projection) and the CLI's.
// The import's postings/s and machine CPU per posting (-1: unknown).
struct ImportFigures {
  double rate = 0;
  double cpu = -1;
};
ImportFigures ImportThroughService(eventlog::EventBus& bus, const std::string& name,
                                   const std::string& data_dir, int n, int processors) {
  const std::string file = data_dir + "/payments.csv";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fprintf(f, "date,amount,reference,method,tenancy_ref\n");
    for (int i = 0; i < n; ++i) {
      std::fprintf(f, "2026-04-15,110.50,SO-%d,standing_order,%s\n", i, Tenancy(i).c_str());
    }
    std::fclose(f);
  }
  runtime::HostConfig config;
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = kPartitions;
  config.processors = processors;
  config.static_membership = false;
  config.command_deadline_ms = 120000;
  config.data_dir = data_dir;
  if (StateMemtableMb() > 0) config.state_memtable_mb = StateMemtableMb();
  if (StateCacheMb() > 0) config.state_cache_mb = StateCacheMb();
  if (CachedStreams() >= 0) config.state_cached_streams = CachedStreams();
  ledger::app::LedgerLogic logic;
  auto host = runtime::ServiceHost::Create("ledger", config, logic, {}, &bus);
  Check(host.status(), "host");
  ledger::app::LedgerService service(**host);
  std::promise<int> port;
  absl::Status serve_status;
  std::thread serve([&] {
    serve_status =
        (*host)->Serve({&service}, [&](int grpc_port, int) { port.set_value(grpc_port); });
  });
  const std::string address = "127.0.0.1:" + std::to_string(port.get_future().get());
  // Timed from when the service is SERVING (joined its group and caught up).
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  while (testing::HealthStatus(*channel, "") != 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // progress poll, not sync
  }
  const std::string report_file = data_dir + "/import-report.json";
  const double busy = MachineBusySeconds();
  const double service_before = ProcessCpuSeconds();
  const double loops_before = ThreadsCpuSeconds("ledger-loop");
  const double store_before = ThreadsCpuSeconds("rocksdb:");
  const auto start = Clock::now();
  std::vector<std::string> args = {"ledger", "import",   file,        "--ledger",
                                   address,  "--source", "bench-bank"};
  args.insert(args.end(), ImportArgs().begin(), ImportArgs().end());
  const auto [exit_code, client_cpu] = RunCli(args, report_file);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuPer(busy, MachineBusySeconds(), n);
  const double service_cpu = ProcessCpuSeconds() - service_before;
  const double loops_cpu = ThreadsCpuSeconds("ledger-loop") - loops_before;
  const double store_cpu = ThreadsCpuSeconds("rocksdb:") - store_before;
  std::string report;
  {
    std::ifstream in(report_file);
    report.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The report's "imported" count (JSON, pretty-printed).
  const std::string key = "\"imported\":";
  const size_t at = report.find(key);
  const long imported =
      at == std::string::npos ? -1 : std::strtol(&report[at + key.size()], nullptr, 10);
  const bool all_imported = imported == n;
  if (exit_code != 0 || !all_imported) {
    std::fprintf(stderr, "import: exit %d, %ld of %d imported:\n%s\n", exit_code, imported, n,
                 report.c_str());
    std::exit(1);
  }
  Report("ledger_import_" + name, n / seconds, "postings/s");
  if (cpu >= 0) Report("ledger_import_" + name + "_cpu", cpu, "us/posting");
  Report("ledger_import_" + name + "_service_cpu", service_cpu * 1e6 / n, "us/posting");
  Report("ledger_import_" + name + "_client_cpu", client_cpu * 1e6 / n, "us/posting");
  if (loops_before >= 0 && store_before >= 0) {
    Report("ledger_import_" + name + "_loops_cpu", loops_cpu * 1e6 / n, "us/posting");
    Report("ledger_import_" + name + "_store_background_cpu", store_cpu * 1e6 / n, "us/posting");
  }
  (*host)->RequestStop();
  serve.join();
  Check(serve_status, "serve");
  return {n / seconds, cpu};
}

// The newest payment event on `topic`'s partition 0 (the import appended it last).
eventlog::Record LastPaymentEvent(eventlog::EventBus& bus, const std::string& topic) {
  auto end = bus.EndOffset({topic, 0});
  Check(end.status(), "events end");
  // The last offsets of a transactional topic are commit markers: read the last records.
  auto reader = bus.OpenReader({{{topic, 0}, std::max<int64_t>(0, *end - 200)}});
  Check(reader.status(), "events reader");
  const std::string& payment = ledger::v1::PaymentReceived::descriptor()->full_name();
  std::optional<eventlog::Record> last;
  for (;;) {
    auto records = (*reader)->Next(100);
    Check(records.status(), "events read");
    if (records->empty()) break;
    for (const eventlog::Record& r : *records) {
      for (const auto& [k, v] : r.headers) {
        if (k == "rs-event-type" && v == payment) last = r;
      }
    }
  }
  if (!last.has_value()) Check(absl::InternalError("no payment event at the end"), "events");
  return *last;
}

// The baseline: raw librdkafka producing `n` copies of `sample` (its value and headers), keyed
// by account and partitioned as the service's events are, by `producers` transactional
// producers on their own threads (one per processing loop, the partitions split evenly), in
// transactions of the processor's largest size with its linger.
// Returns records/s; `cpu_per_record` gets the machine's busy CPU per record.
double RawEventProduce(const std::string& bootstrap, const std::string& topic,
                       const eventlog::Record& sample, int n, int producers,
                       double& cpu_per_record) {
  // An error of librdkafka's as a status (owning and freeing the error).
  const auto status = [](RdKafka::Error* e, const char* what) {
    if (e == nullptr) return absl::OkStatus();
    absl::Status st = absl::InternalError(absl::StrCat(what, ": ", e->str()));
    delete e;
    return st;
  };
  std::vector<std::unique_ptr<RdKafka::Producer>> clients;
  std::vector<std::vector<std::string>> keys(producers);
  for (int i = 0; i < n; ++i) {
    const std::string key = Tenancy(i);
    keys[eventlog::PartitionForKey(key, kPartitions) % producers].push_back(key);
  }
  for (int k = 0; k < producers; ++k) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"bootstrap.servers", bootstrap},
             {"transactional.id", "ledger-bench-raw-" + std::to_string(k)},
             {"linger.ms", "20"}}) {  // linger: as the processors' transactional producers
      if (conf->set(name, value, err) != RdKafka::Conf::CONF_OK) {
        Check(absl::InternalError(err), name.c_str());
      }
    }
    clients.emplace_back(RdKafka::Producer::create(conf.get(), err));
    if (!clients.back()) Check(absl::InternalError(err), "raw producer");
    Check(status(clients.back()->init_transactions(30000), "init"), "raw producer");
  }
  const size_t per_transaction = runtime::ProcessorOptions().max_transaction_commands;
  const double busy = MachineBusySeconds();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(producers);  // each thread's, checked after the joins
  for (int k = 0; k < producers; ++k) {
    threads.emplace_back([&, k] {
      RdKafka::Producer& p = *clients[k];
      const std::vector<std::string>& mine = keys[k];
      for (size_t i = 0; i < mine.size();) {
        if (results[k] = status(p.begin_transaction(), "begin"); !results[k].ok()) return;
        for (size_t m = 0; m < per_transaction && i < mine.size(); ++m, ++i) {
          const std::string& key = mine[i];
          RdKafka::Headers* headers = RdKafka::Headers::create();
          for (const auto& [name, value] : sample.headers) headers->add(name, value);
          RdKafka::ErrorCode code;
          while ((code = p.produce(topic, eventlog::PartitionForKey(key, kPartitions),
                                   RdKafka::Producer::RK_MSG_COPY,
                                   const_cast<char*>(sample.value.data()), sample.value.size(),
                                   key.data(), key.size(), 0, headers, nullptr)) ==
                 RdKafka::ERR__QUEUE_FULL) {
            p.poll(1);
          }
          if (code != RdKafka::ERR_NO_ERROR) {
            delete headers;  // the message owns them only when produce succeeds
            results[k] = absl::InternalError(absl::StrCat("produce: ", RdKafka::err2str(code)));
            return;
          }
        }
        if (results[k] = status(p.commit_transaction(30000), "commit"); !results[k].ok()) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& st : results) Check(st, "raw producer");
  const double seconds = Seconds(start);
  cpu_per_record = CpuPer(busy, MachineBusySeconds(), n);
  return n / seconds;
}

// `bootstrap`: the Kafka broker's, for the raw baseline (empty on LocalBus).
void RunBus(eventlog::EventBus& bus, const std::string& name, const std::string& bootstrap,
            const std::string& data_dir, int n, int weeks, bool history_payments, int processors) {
  Check(bus.DeclareTopics(runtime::TopicsToDeclare("ledger", {}, kPartitions, 1)), "topics");
  std::filesystem::create_directories(data_dir);
  auto store = runtime::StreamStore::Open(data_dir + "/state-0");
  Check(store.status(), "store");
  ledger::app::LedgerLogic logic;
  runtime::ProcessorOptions options;
  options.service = "ledger";
  options.static_membership = false;
  options.max_batch_records = 2000;
  if (CachedStreams() >= 0) options.max_cached_streams = static_cast<size_t>(CachedStreams());
  runtime::ProcessorHost host(bus, **store, logic, options);
  std::atomic<bool> stop{false};
  std::thread runner([&] { Check(host.Run(stop), "run"); });

  ledger::v1::OpenAccount open;
  open.set_tenancy_type(ledger::v1::TENANCY_TYPE_SECURE);
  open.set_jurisdiction(ledger::v1::JURISDICTION_ENGLAND);
  open.add_tenant_ids("person");
  // Accounts start `weeks` weeks before the tick, so the charge run posts that many periods
  // each and every later command works on an account with that much history.
  const core::Date start = core::Date::FromYmd(2026, 4, 27)->AddDays(-7 * (weeks - 1));
  const common::v1::Date start_proto =
      ledger::app::ProtoDate(start.year(), start.month(), start.day());
  *open.mutable_start_date() = start_proto;
  open.mutable_schedule()->set_frequency(ledger::v1::FREQUENCY_WEEKLY);
  *open.mutable_schedule()->mutable_anchor() = start_proto;
  auto* rate = open.mutable_schedule()->add_rates();
  *rate->mutable_effective_from() = start_proto;
  auto* line = rate->add_lines();
  line->set_kind(ledger::v1::CHARGE_KIND_NET_RENT);
  line->set_code("RNT");
  line->mutable_amount()->set_pence(11050);
  Append(bus, n,
         [&](int i) { return CommandRecord(Tenancy(i), "open-" + std::to_string(i), open); });
  Report("ledger_open_" + name, n / RunUntil(host, n), "commands/s");

  // One business day opens four weekly periods for every account: the charge run. It is paged
  // (continuations through the command topic), so it is done when no account is still due.
  const core::Date tick_day = *core::Date::FromYmd(2026, 4, 27);
  const double tick_busy = MachineBusySeconds();
  const double tick_service = ProcessCpuSeconds();
  const auto tick_start = Clock::now();
  Check(runtime::OpenBusinessDay(bus, "ledger", tick_day), "tick");
  for (bool due = true; due;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // progress poll, not sync
    due = false;
    for (int p = 0; p < kPartitions && !due; ++p) {
      auto left = (*store)->DueStreams(p, tick_day.days_since_epoch(), 1);
      due = !left.ok() || !left->empty();
    }
  }
  const double tick_seconds = std::chrono::duration<double>(Clock::now() - tick_start).count();
  const double charge_run = static_cast<double>(weeks) * n / tick_seconds;
  Report("ledger_charge_run_" + name, charge_run, "postings/s");
  ReportCpuPer("ledger_charge_run_" + name, tick_busy, static_cast<double>(weeks) * n, "posting");
  Report("ledger_charge_run_" + name + "_service_cpu",
         (ProcessCpuSeconds() - tick_service) * 1e6 / (static_cast<double>(weeks) * n),
         "us/posting");

  ledger::v1::RecordPayment pay;
  pay.set_method(ledger::v1::PAYMENT_METHOD_DIRECT_DEBIT);
  pay.set_source("bench-file");
  pay.mutable_amount()->set_pence(11050);
  if (history_payments) {
    // A weekly payer: one payment for every week of history before the timed ones (untimed).
    uint64_t target = host.committed_inputs();
    for (int week = 0; week + 1 < weeks; ++week) {
      const core::Date paid = start.AddDays(7 * week + 2);
      *pay.mutable_received_date() = ledger::app::ProtoDate(paid.year(), paid.month(), paid.day());
      std::vector<eventlog::OutgoingRecord> earlier = PaymentBatches(
          n, pay, "W" + std::to_string(week) + "-", "w" + std::to_string(week) + "-");
      target += earlier.size();
      Append(bus, static_cast<int>(earlier.size()), [&](int i) { return earlier[i]; });
    }
    RunUntil(host, target);
  }
  *pay.mutable_received_date() = ledger::app::ProtoDate(2026, 4, 8);
  const uint64_t before_pay = host.committed_inputs();
  Append(bus, n, [&](int i) {
    pay.set_external_reference("DD-" + std::to_string(i));
    return CommandRecord(Tenancy(i), "pay-" + std::to_string(i), pay);
  });
  Report("ledger_payments_single_" + name, n / RunUntil(host, before_pay + n), "postings/s");

  // The same again as command batches of 1,000 payments per partition (as ImportPayments sends
  // them), straight onto the command topic: the runtime's batch path without gRPC.
  std::vector<eventlog::OutgoingRecord> batches = PaymentBatches(n, pay, "SO-", "paybatch-");
  const uint64_t before_batches = host.committed_inputs();
  Append(bus, static_cast<int>(batches.size()), [&](int i) { return batches[i]; });
  Report("ledger_payments_batched_" + name, n / RunUntil(host, before_batches + batches.size()),
         "postings/s");
  stop = true;
  runner.join();

  // Statements from the projection, as GetStatement builds them.
  std::mt19937 rng(7);
  std::vector<double> micros;
  for (int k = 0; k < 2000; ++k) {
    const std::string t = Tenancy(std::uniform_int_distribution<int>(0, n - 1)(rng));
    const auto start = Clock::now();
    runtime::SideRecords side;
    auto stored = (*store)->LoadStream(eventlog::PartitionForKey(t, kPartitions), t, &side);
    ledger::state::v1::TenancyLedgerState state;
    state.ParseFromString((*stored)->state());
    auto ledger = ledger::app::LedgerForQueries(state, t, side);
    Check(ledger.status(), "ledger");
    auto statement = ledger::BuildStatement(*ledger, ledger::AccountKind::kRent,
                                            *core::Date::FromYmd(2025, 4, 28),
                                            *core::Date::FromYmd(2027, 4, 26));
    Check(statement.status(), "statement");
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(micros.begin(), micros.end());
  Report("ledger_statement_p50_" + name, micros[micros.size() / 2], "us");
  Report("ledger_statement_p99_" + name, micros[micros.size() * 99 / 100], "us");
  store->reset();  // the service opens the projection next
  const ImportFigures imported = ImportThroughService(bus, name, data_dir, n, processors);
  if (bootstrap.empty()) return;

  // The baseline in the same run: the import's events produced by raw librdkafka alone, to a
  // topic configured as the events topic.
  const runtime::ServiceTopics topics = runtime::ServiceTopics::For("ledger");
  std::vector<eventlog::TopicSpec> raw_topic;
  for (eventlog::TopicSpec spec : runtime::TopicsToDeclare("ledger", {}, kPartitions, 1)) {
    if (spec.name != topics.events) continue;
    spec.name = "bench.raw-events";
    raw_topic.push_back(spec);
  }
  Check(bus.DeclareTopics(raw_topic), "raw topic");
  double raw_cpu = -1;
  const double raw = RawEventProduce(bootstrap, "bench.raw-events",
                                     LastPaymentEvent(bus, topics.events), n, processors, raw_cpu);
  Report("ledger_raw_kafka_txn_produce", raw, "records/s");
  if (raw_cpu >= 0) Report("ledger_raw_kafka_txn_produce_cpu", raw_cpu, "us/record");
  Report("ledger_import_kafka_ratio", imported.rate / raw, "x_raw");
  Report("ledger_charge_run_kafka_ratio", charge_run / raw, "x_raw");
  if (raw_cpu > 0 && imported.cpu >= 0) {
    Report("ledger_import_kafka_cpu_ratio", imported.cpu / raw_cpu, "x_raw");
  }
}

int Main(int argc, char** argv) {
  int n = 20000;
  int weeks = 4;
  int processors = 1;
  bool history_payments = false;
  bool keep_dir = false;  // leaves the stores and logs for inspection (the path is printed)
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--tenancies" && i + 1 < argc) n = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--only" && i + 1 < argc) only = argv[++i];
    if (std::string(argv[i]) == "--processors" && i + 1 < argc) {
      processors = std::clamp(std::atoi(argv[++i]), 1, kPartitions);
    }
    if (std::string(argv[i]) == "--history-payments") history_payments = true;
    if (std::string(argv[i]) == "--keep-dir") keep_dir = true;
    if (std::string(argv[i]) == "--import-arg" && i + 1 < argc) ImportArgs().push_back(argv[++i]);
    if (std::string(argv[i]) == "--cached-streams" && i + 1 < argc) {
      CachedStreams() = std::max(0, std::atoi(argv[++i]));
    }
    if (std::string(argv[i]) == "--state-memtable-mb" && i + 1 < argc) {
      StateMemtableMb() = std::max(0, std::atoi(argv[++i]));  // 0: the service's default
    }
    if (std::string(argv[i]) == "--state-cache-mb" && i + 1 < argc) {
      StateCacheMb() = std::max(0, std::atoi(argv[++i]));  // 0: the service's default
    }
    if (std::string(argv[i]) == "--history-weeks" && i + 1 < argc) {
      weeks = std::max(4, std::atoi(argv[++i]));
    }
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "rs-ledger-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  const std::string dir = tmpl;
  if (only != "local") {
    auto broker = testing::KafkaBroker::Start();
    Check(broker.status(), "broker");
    eventlog::KafkaBusOptions options;
    options.bootstrap = (*broker)->bootstrap();
    auto kafka = eventlog::KafkaBus::Connect(options);
    Check(kafka.status(), "kafka");
    RunBus(**kafka, "kafka", (*broker)->bootstrap(), dir + "/kafka", n, weeks, history_payments,
           processors);
  }
  if (only != "kafka") {
    auto local = eventlog::LocalBus::Open(dir + "/log");
    Check(local.status(), "local");
    RunBus(**local, "local", "", dir + "/local", n, weeks, history_payments, processors);
  }
  if (keep_dir) {
    std::printf("kept: %s\n", dir.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return 0;
}

}  // namespace
}  // namespace rentstream::bench

int main(int argc, char** argv) { return rentstream::bench::Main(argc, argv); }
