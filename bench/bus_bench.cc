// bus_bench: throughput of the exactly-once runtime against raw librdkafka, in one run.
// Prints `bench: <name> <value> <unit>` lines (docs/performance.md records them).
//   raw_kafka_txn_produce        raw librdkafka transactional produce, 100-byte values
//   eos_process_kafka            ProcessorHost consume→decide→produce+offsets, KafkaBus
//   eos_process_local            the same on LocalBus
//   replay_fold_kafka / _local   rebuilding a projection from the events topic
//   raw_rocksdb_synced_batch_write  raw RocksDB synced WriteBatches, the floor under LocalBus
//   raw_kafka_consume            raw librdkafka read_committed consumer over the events topic
//   replay_read_kafka / _local   reading the events topic alone, without folding
//   *_ratio                      each figure divided by raw_kafka_txn_produce (or raw RocksDB)
// Starts its own Kafka broker (the test fixture); --records N sets the volume.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "bench/bench_report.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/topics.h"
#include "libs/testing/kafka_broker.h"
#include "rentstream/sample/v1/counter.pb.h"
#include "services/sample/app/counter_logic.h"

namespace rentstream::bench {
namespace {

constexpr int kPartitions = 4;
constexpr int kTenancies = 10000;
// Records per transaction, the same for the raw baselines and the ProcessorHost batches.
constexpr int kBatch = 2000;

// Raw librdkafka: transactions of kBatch records of 100 bytes, keyed like tenancies.
double RawTransactionalProduce(const std::string& bootstrap, const std::string& topic, int n) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("transactional.id", "bench-raw", err);
  conf->set("linger.ms", "1", err);
  conf->set("partitioner", "murmur2_random", err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  delete p->init_transactions(30000);
  const std::string value(100, 'x');
  const auto start = Clock::now();
  for (int i = 0; i < n; i += kBatch) {
    delete p->begin_transaction();
    for (int j = i; j < std::min(n, i + kBatch); ++j) {
      const std::string key = "HA-" + std::to_string(j % kTenancies);
      while (p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0,
                        nullptr) == RdKafka::ERR__QUEUE_FULL) {
        p->poll(1);
      }
    }
    if (RdKafka::Error* e = p->commit_transaction(30000)) {
      std::fprintf(stderr, "raw commit: %s\n", e->str().c_str());
      std::exit(1);
    }
  }
  return n / Seconds(start);
}

// A counter command padded to a 100-byte payload.
std::string Command(int i) {
  common::v1::Command c;
  auto& env = *c.mutable_envelope();
  env.set_command_id("c" + std::to_string(i));
  env.set_tenancy_ref("HA-" + std::to_string(i % kTenancies));
  env.set_command_type(sample::v1::Increment::descriptor()->full_name());
  sample::v1::Increment inc;
  inc.set_amount(1);
  c.set_payload(inc.SerializeAsString());
  const std::string bytes = c.SerializeAsString();
  env.set_correlation_id(std::string(bytes.size() < 100 ? 100 - bytes.size() - 2 : 0, 'p'));
  return c.SerializeAsString();
}

void Preload(eventlog::EventBus& bus, const std::string& service, int n) {
  auto appender = bus.NewAppender("bench-loader");
  Check(appender.status(), "appender");
  std::vector<eventlog::OutgoingRecord> chunk;
  for (int i = 0; i < n; ++i) {
    eventlog::OutgoingRecord r;
    r.topic = runtime::ServiceTopics::For(service).commands;
    r.key = "HA-" + std::to_string(i % kTenancies);
    r.value = Command(i);
    chunk.push_back(std::move(r));
    if (chunk.size() == 5000 || i == n - 1) {
      Check((*appender)->Append(chunk), "preload");
      chunk.clear();
    }
  }
}

// Runs a ProcessorHost until it has committed `n` inputs; returns inputs/s.
double Process(eventlog::EventBus& bus, const std::string& service, const std::string& state_dir,
               int n) {
  auto store = runtime::StreamStore::Open(state_dir);
  Check(store.status(), "store");
  sample::CounterLogic logic;
  runtime::ProcessorOptions options;
  options.service = service;
  options.static_membership = false;
  options.max_batch_records = kBatch;
  runtime::ProcessorHost host(bus, **store, logic, options);
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  std::thread runner([&] { Check(host.Run(stop), "run"); });
  while (host.committed_inputs() < static_cast<uint64_t>(n)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double rate = n / Seconds(start);
  stop = true;
  runner.join();
  return rate;
}

// Raw RocksDB: synced WriteBatches of kBatch 100-byte records, the floor under LocalBus.
double RawRocksDbSyncedBatches(const std::string& dir, int n) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64 << 20;
  rocksdb::DB* raw = nullptr;
  Check(absl::Status(rocksdb::DB::Open(o, dir, &raw).ok() ? absl::OkStatus()
                                                          : absl::InternalError("rocksdb open")),
        "raw rocksdb");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const std::string value(100, 'x');
  const auto start = Clock::now();
  for (int i = 0; i < n; i += kBatch) {
    rocksdb::WriteBatch batch;
    for (int j = i; j < std::min(n, i + kBatch); ++j) {
      char key[32];
      std::snprintf(key, sizeof key, "r%012d", j);
      batch.Put(key, value);
    }
    if (!db->Write(wo, &batch).ok()) std::exit(1);
  }
  return n / Seconds(start);
}

// Raw librdkafka: a read_committed consumer assigned every partition of `topic` from offset 0,
// reading until the high watermarks taken first. The floor under replay_read_kafka.
double RawKafkaConsume(const std::string& bootstrap, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "bench-raw-consume", err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("isolation.level", "read_committed", err);
  conf->set("enable.partition.eof", "true", err);
  const auto start = Clock::now();
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> parts;
  std::map<int32_t, int64_t> ends;
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0, high = 0;
    c->query_watermark_offsets(topic, p, &low, &high, 10000);
    if (high > 0) {
      ends[p] = high;
      parts.push_back(RdKafka::TopicPartition::create(topic, p, 0));
    }
  }
  c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  uint64_t n = 0;
  while (!ends.empty()) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      ++n;
      if (m->offset() + 1 >= ends[m->partition()]) ends.erase(m->partition());
    } else if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      auto it = ends.find(m->partition());
      if (it != ends.end() && m->offset() >= it->second) ends.erase(it);
    }
  }
  const double rate = n / Seconds(start);
  c->close();
  return rate;
}

// Reading the events topic alone (no fold): what the bus delivers to a replay.
double ReplayRead(eventlog::EventBus& bus, const std::string& service) {
  const std::string topic = runtime::ServiceTopics::For(service).events;
  std::vector<eventlog::ReadFrom> from;
  for (int p = 0; p < kPartitions; ++p) from.push_back({{topic, p}, 0});
  const auto start = Clock::now();
  auto reader = bus.OpenReader(from);
  Check(reader.status(), "reader");
  uint64_t n = 0;
  for (;;) {
    auto batch = (*reader)->Next(5000);
    Check(batch.status(), "read");
    if (batch->empty()) break;
    n += batch->size();
  }
  return n / Seconds(start);
}

double Replay(eventlog::EventBus& bus, const std::string& service, const std::string& dir) {
  auto store = runtime::StreamStore::Open(dir);
  Check(store.status(), "store");
  sample::CounterLogic logic;
  const auto start = Clock::now();
  auto folded = runtime::ProcessorHost::Rebuild(bus, **store, logic, service);
  Check(folded.status(), "rebuild");
  return *folded / Seconds(start);
}

int Main(int argc, char** argv) {
  int n = 200000;
  std::string only;  // "kafka" or "local": run one half (for profiling)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--records" && i + 1 < argc) n = std::atoi(argv[++i]);
    if (std::string(argv[i]) == "--only" && i + 1 < argc) only = argv[++i];
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "rs-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return 1;
  const std::string dir = tmpl;

  double raw = 0;
  std::unique_ptr<testing::KafkaBroker> broker;
  std::unique_ptr<eventlog::KafkaBus> kafka;
  if (only != "local") {
    auto started = testing::KafkaBroker::Start();
    Check(started.status(), "broker");
    broker = std::move(*started);
    eventlog::KafkaBusOptions options;
    options.bootstrap = broker->bootstrap();
    auto connected = eventlog::KafkaBus::Connect(options);
    Check(connected.status(), "kafka");
    kafka = std::move(*connected);
    Check(broker->CreateTopic("bench.raw", kPartitions), "raw topic");
    Check(kafka->DeclareTopics(runtime::TopicsToDeclare("counter", {}, kPartitions, 1)), "topics");

    raw = RawTransactionalProduce(broker->bootstrap(), "bench.raw", n);
    Report("raw_kafka_txn_produce", raw, "records/s");
    Preload(*kafka, "counter", n);
    const double eos_kafka = Process(*kafka, "counter", dir + "/state-kafka", n);
    Report("eos_process_kafka", eos_kafka, "records/s");
    Report("eos_process_kafka_ratio", eos_kafka / raw, "x_raw");
  }

  std::unique_ptr<eventlog::LocalBus> local;
  if (only != "kafka") {
    const double raw_rocks = RawRocksDbSyncedBatches(dir + "/raw-rocksdb", n);
    Report("raw_rocksdb_synced_batch_write", raw_rocks, "records/s");
    auto opened = eventlog::LocalBus::Open(dir + "/log");
    Check(opened.status(), "local");
    local = std::move(*opened);
    Check(local->DeclareTopics(runtime::TopicsToDeclare("counter", {}, kPartitions, 1)),
          "local topics");
    Preload(*local, "counter", n);
    const double eos_local = Process(*local, "counter", dir + "/state-local", n);
    Report("eos_process_local", eos_local, "records/s");
    if (raw > 0) Report("eos_process_local_ratio", eos_local / raw, "x_raw");
    Report("eos_process_local_ratio_rocksdb", eos_local / raw_rocks, "x_raw_rocksdb");
  }

  if (kafka) {
    ReplayRead(*kafka, "counter");  // untimed: both readers below find the broker's cache warm
    const double raw_read = RawKafkaConsume(broker->bootstrap(), "rentstream.counter.events.v1");
    Report("raw_kafka_consume", raw_read, "records/s");
    const double read_kafka = ReplayRead(*kafka, "counter");
    Report("replay_read_kafka", read_kafka, "records/s");
    Report("replay_read_kafka_ratio", read_kafka / raw_read, "x_raw_consume");
    const double replay_kafka = Replay(*kafka, "counter", dir + "/replay-kafka");
    Report("replay_fold_kafka", replay_kafka, "records/s");
    Report("replay_fold_kafka_ratio", replay_kafka / raw, "x_raw");
  }
  if (local) {
    Report("replay_read_local", ReplayRead(*local, "counter"), "records/s");
    const double replay_local = Replay(*local, "counter", dir + "/replay-local");
    Report("replay_fold_local", replay_local, "records/s");
    if (raw > 0) Report("replay_fold_local_ratio", replay_local / raw, "x_raw");
  }

  local.reset();
  kafka.reset();
  broker.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace rentstream::bench

int main(int argc, char** argv) { return rentstream::bench::Main(argc, argv); }
