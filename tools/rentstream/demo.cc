#include "tools/rentstream/demo.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <thread>

#include "libs/core/civil_date.h"
#include "libs/core/hash_chain.h"
#include "libs/eventlog/kafka_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/clock.h"
#include "libs/runtime/envelope.h"
#include "libs/runtime/service_host.h"
#include "libs/runtime/topics.h"
#include "nlohmann/json.hpp"
#include "rentstream/sample/v1/counter.grpc.pb.h"
#include "services/ledger/app/ledger_audit.h"
#include "services/sample/app/counter_logic.h"
#include "services/sample/app/counter_service.h"
#include "tools/rentstream/ledger_demo.h"

namespace rentstream::cli {
namespace {

using runtime::ServiceTopics;

void Show(const char* what, const core::ChainVerdict& v) {
  std::printf("  %-34s %s\n", what,
              v.ok ? "chain intact"
                   : ("DETECTED at index " + std::to_string(v.index) + ": " + v.detail).c_str());
}

void Step(const std::string& title) { std::printf("\n== %s\n", title.c_str()); }

grpc::Status Increment(sample::v1::CounterService::Stub& stub, const std::string& id,
                       const std::string& tenancy, int64_t amount,
                       sample::v1::IncrementResponse* response) {
  sample::v1::IncrementRequest request;
  request.set_command_id(id);
  request.set_tenancy_ref(tenancy);
  request.set_amount(amount);
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-rentstream-actor", "demo-officer");
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.Increment(&ctx, request, response);
}

}  // namespace

absl::StatusOr<std::vector<common::v1::Event>> ReadEvents(eventlog::EventBus& bus,
                                                          const std::string& service) {
  const std::string topic = ServiceTopics::For(service).events;
  std::vector<common::v1::Event> out;
  auto partitions = bus.PartitionCount(topic);
  if (!partitions.ok()) return partitions.status();
  std::vector<eventlog::ReadFrom> from;
  for (int p = 0; p < *partitions; ++p) from.push_back({{topic, p}, 0});
  auto reader = bus.OpenReader(from);
  if (!reader.ok()) return reader.status();
  for (;;) {
    auto batch = (*reader)->Next(1000);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (const eventlog::Record& r : *batch) {
      common::v1::Event e;
      if (e.ParseFromString(r.value)) out.push_back(std::move(e));
    }
  }
  return out;
}

std::map<std::string, std::vector<core::ChainedEvent>> Streams(
    const std::vector<common::v1::Event>& events) {
  std::map<std::string, std::vector<core::ChainedEvent>> streams;
  for (const auto& e : events) {
    streams[e.envelope().tenancy_ref()].push_back({runtime::ToFields(e.envelope()), e.payload()});
  }
  return streams;
}

std::string RentstreamPolicyDir() { return RS_DEFAULT_POLICY_DIR; }

int RunDemo(const std::string& requested_dir, const std::string& policy_dir) {
  std::string dir = requested_dir;
  bool temporary = false;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rentstream-demo-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
    temporary = true;
  }
  Step("1. Start the sample service on the embedded log (LocalBus + RocksDB in " + dir + ")");
  runtime::HostConfig config;
  config.data_dir = dir;
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = 4;
  sample::CounterLogic logic;
  auto host = runtime::ServiceHost::Create(sample::CounterLogic::kService, config, logic);
  if (!host.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", host.status().ToString().c_str());
    return 1;
  }
  sample::CounterService service(**host);
  std::promise<int> port;
  std::thread serve([&] {
    absl::Status st = (*host)->Serve({&service}, [&](int g, int m) {
      std::printf("  gRPC on 127.0.0.1:%d, Prometheus /metrics on 127.0.0.1:%d\n", g, m);
      port.set_value(g);
    });
    if (!st.ok()) std::fprintf(stderr, "serve: %s\n", st.ToString().c_str());
  });
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port.get_future().get()),
                                     grpc::InsecureChannelCredentials());
  auto stub = sample::v1::CounterService::NewStub(channel);

  Step("2. Commands over gRPC: each is appended to the command topic and decided once");
  sample::v1::IncrementResponse r;
  for (int i = 1; i <= 3; ++i) {
    grpc::Status st = Increment(*stub, "cmd-" + std::to_string(i), "HA-000123", i * 10, &r);
    std::printf("  Increment HA-000123 by %d  -> %s total=%lld sequence=%llu\n", i * 10,
                st.ok() ? "OK" : st.error_message().c_str(), static_cast<long long>(r.total()),
                static_cast<unsigned long long>(r.sequence()));
  }
  grpc::Status st = Increment(*stub, "cmd-2", "HA-000123", 20, &r);
  std::printf("  Retry of cmd-2 (same id)    -> %s total=%lld sequence=%llu (no new event)\n",
              st.ok() ? "OK" : st.error_message().c_str(), static_cast<long long>(r.total()),
              static_cast<unsigned long long>(r.sequence()));
  st = Increment(*stub, "cmd-4", "HA-000123", 0, &r);
  std::printf("  Increment by 0              -> code %d: %s (nothing appended)\n", st.error_code(),
              st.error_message().c_str());
  st = Increment(*stub, "cmd-5", "ha-lowercase", 1, &r);
  std::printf("  Tenancy \"ha-lowercase\"      -> code %d: %s\n", st.error_code(),
              st.error_message().c_str());
  Increment(*stub, "cmd-6", "HA-000456", 7, &r);

  (*host)->RequestStop();
  serve.join();
  std::printf("  drained and stopped (SIGTERM does the same)\n");

  Step("3. The audit trail: every event carries a hash-chained envelope");
  auto events = ReadEvents((*host)->bus(), "counter");
  if (!events.ok()) {
    std::fprintf(stderr, "read the events: %s\n", events.status().ToString().c_str());
    return 1;
  }
  for (const auto& e : *events) {
    const auto& env = e.envelope();
    std::printf("  %s #%llu %s by %s  hash %s… prev %s…\n", env.tenancy_ref().c_str(),
                static_cast<unsigned long long>(env.sequence()), env.event_type().c_str(),
                env.actor().id().c_str(), core::ToHex(env.hash()).substr(0, 12).c_str(),
                core::ToHex(env.prev_hash()).substr(0, 12).c_str());
  }
  auto streams = Streams(*events);
  std::vector<core::ChainedEvent> chain = streams["HA-000123"];
  Show("HA-000123 as recorded:", core::VerifyChain(chain));
  if (chain.size() >= 3) {
    auto edited = chain;
    edited[1].payload[edited[1].payload.size() - 1] ^= 1;
    Show("an amount edited:", core::VerifyChain(edited));
    auto deleted = chain;
    deleted.erase(deleted.begin() + 1);
    Show("an event deleted:", core::VerifyChain(deleted));
    auto reordered = chain;
    std::swap(reordered[1], reordered[2]);
    Show("two events swapped:", core::VerifyChain(reordered));
  }
  host->reset();
  const int ledger = RunLedgerDemo(dir + "/ledger", policy_dir);
  if (temporary) std::filesystem::remove_all(dir);
  std::printf(
      "\nDone. Run ./rentstream.sh test for the full suite (real Kafka broker included).\n");
  return ledger;
}

absl::StatusOr<std::unique_ptr<eventlog::EventBus>> OpenCliBus(const std::string& bus_kind,
                                                               const std::string& location) {
  if (bus_kind == "kafka") {
    eventlog::KafkaBusOptions options;
    options.bootstrap = location;
    auto b = eventlog::KafkaBus::Connect(options);
    if (!b.ok()) return b.status();
    return std::unique_ptr<eventlog::EventBus>(std::move(*b));
  }
  auto b = eventlog::LocalBus::Open(location);
  if (!b.ok()) return b.status();
  return std::unique_ptr<eventlog::EventBus>(std::move(*b));
}

int RunTick(const std::string& bus_kind, const std::string& location, const std::string& service,
            const std::string& date_text) {
  auto date = core::Date::Parse(date_text);
  if (!date.ok()) return std::fprintf(stderr, "--date: %s\n", date.status().ToString().c_str()), 2;
  auto bus = OpenCliBus(bus_kind, location);
  if (!bus.ok()) return std::fprintf(stderr, "%s\n", bus.status().ToString().c_str()), 2;
  if (absl::Status st = runtime::OpenBusinessDay(**bus, service, *date); !st.ok()) {
    std::fprintf(stderr, "tick: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("business day %s opened for %s (command id %s)\n", date->ToIso().c_str(),
              service.c_str(), runtime::TickCommandId(service, *date).c_str());
  return 0;
}

int RunVerify(const std::string& bus_kind, const std::string& location,
              const std::string& service) {
  auto opened = OpenCliBus(bus_kind, location);
  if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.status().ToString().c_str()), 2;
  std::unique_ptr<eventlog::EventBus> bus = std::move(*opened);
  auto read = ReadEvents(*bus, service);
  if (!read.ok()) return std::fprintf(stderr, "%s\n", read.status().ToString().c_str()), 2;
  auto streams = Streams(*read);
  int broken = 0;
  size_t events = 0;
  for (const auto& [tenancy, chain] : streams) {
    events += chain.size();
    core::ChainVerdict v = core::VerifyChain(chain);
    if (!v.ok) {
      ++broken;
      std::printf("%s: broken at index %zu (sequence %llu): %s\n", tenancy.c_str(), v.index,
                  static_cast<unsigned long long>(v.sequence), v.detail.c_str());
    }
  }
  std::printf("verified %zu streams, %zu events: %d broken\n", streams.size(), events, broken);
  return broken == 0 ? 0 : 1;
}

int RunLedgerCreditedTwice(const std::string& bus_kind, const std::string& location, bool json) {
  auto opened = OpenCliBus(bus_kind, location);
  if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.status().ToString().c_str()), 2;
  std::unique_ptr<eventlog::EventBus> bus = std::move(*opened);
  // An events topic that cannot be read would look like one with nothing to report.
  auto read = ReadEvents(*bus, "ledger");
  if (!read.ok()) return std::fprintf(stderr, "%s\n", read.status().ToString().c_str()), 2;
  const std::vector<common::v1::Event>& events = *read;
  const std::vector<ledger::app::CreditedTwice> found = ledger::app::FindCreditedTwice(events);
  auto how = [](const ledger::app::Credit& c) {
    if (c.from_suspense) return std::string("allocated from suspense to");
    return std::string(c.reversed ? "recorded (reversed since) on" : "recorded on");
  };

  if (json) {
    nlohmann::json out = nlohmann::json::array();
    auto credit = [&](const ledger::app::Credit& c) {
      return nlohmann::json{{"tenancy_ref", c.tenancy_ref},
                            {"event_id", c.event_id},
                            {"from_suspense", c.from_suspense},
                            {"reversed", c.reversed}};
    };
    for (const ledger::app::CreditedTwice& c : found) {
      out.push_back({{"payment_posting_id", c.payment_posting_id},
                     {"first", credit(c.first)},
                     {"second", credit(c.second)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const ledger::app::CreditedTwice& c : found) {
      std::printf("%s: %s %s (event %s), and %s %s (event %s)\n", c.payment_posting_id.c_str(),
                  how(c.first).c_str(), c.first.tenancy_ref.c_str(), c.first.event_id.c_str(),
                  how(c.second).c_str(), c.second.tenancy_ref.c_str(), c.second.event_id.c_str());
    }
    std::printf("read %zu ledger events: %zu payments credited twice\n", events.size(),
                found.size());
  }
  return found.empty() ? 0 : 1;
}

}  // namespace rentstream::cli
