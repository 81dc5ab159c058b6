// The service host end to end over real gRPC on loopback: health NOT_SERVING → SERVING, command
// validation with the field named and nothing appended, idempotent retries, queries, Prometheus
// /metrics accepted by promtool, a clean drain, and the
// embedded daily scheduler.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/civil_date.h"
#include "libs/eventlog/event_bus.h"
#include "libs/eventlog/local_bus.h"
#include "libs/runtime/service_host.h"
#include "libs/runtime/topics.h"
#include "libs/testing/grpc_health.h"
#include "libs/testing/jwt.h"
#include "rentstream/common/v1/clock.pb.h"
#include "rentstream/sample/v1/counter.grpc.pb.h"
#include "services/sample/app/counter_logic.h"
#include "services/sample/app/counter_service.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::runtime {
namespace {

using rentstream::testing::HealthStatus;
using testing::BusKind;

class ServiceHostTest : public ::testing::TestWithParam<BusKind> {
 protected:
  void SetUp() override {
    HostConfig config;
    config.bus = GetParam() == BusKind::kKafka ? "kafka" : "local";
    if (GetParam() == BusKind::kKafka) {
      config.bootstrap = rentstream::testing::KafkaEnvironment::broker().bootstrap();
    }
    config.data_dir = dir_.path();
    config.grpc_listen = "127.0.0.1:0";
    config.metrics_listen = "127.0.0.1:0";
    config.partitions = 3;
    config.instance_id = "t" + std::to_string(++instances_);
    config.static_membership = false;  // successive hosts in one group hand over at once
    config.kafka_session_timeout_ms = 6000;
    Configure(config);
    auto host = ServiceHost::Create(sample::CounterLogic::kService, config, logic_);
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = std::move(*host);
    host_->set_health_name(health_name_);
    service_ = std::make_unique<sample::CounterService>(*host_);
    std::promise<std::pair<int, int>> ports;
    serve_ = std::thread([&] {
      serve_status_ = host_->Serve({service_.get()}, [&](int grpc_port, int metrics_port) {
        auto ch = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port),
                                      grpc::InsecureChannelCredentials());
        health_before_processor_ = HealthStatus(*ch, health_name_);
        ports.set_value({grpc_port, metrics_port});
      });
    });
    auto [grpc_port, metrics_port] = ports.get_future().get();
    metrics_port_ = metrics_port;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(grpc_port),
                                   grpc::InsecureChannelCredentials());
    stub_ = sample::v1::CounterService::NewStub(channel_);
  }
  virtual void Configure(HostConfig& /*config*/) {}
  void TearDown() override {
    if (host_) host_->RequestStop();
    if (serve_.joinable()) serve_.join();
    EXPECT_TRUE(serve_status_.ok()) << serve_status_;
  }

  grpc::Status Increment(const std::string& id, const std::string& tenancy, int64_t amount,
                         sample::v1::IncrementResponse* response) {
    sample::v1::IncrementRequest request;
    request.set_command_id(id);
    request.set_tenancy_ref(tenancy);
    request.set_amount(amount);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->Increment(&ctx, request, response);
  }
  int64_t CommandsEnd() {
    int64_t total = 0;
    for (int p = 0; p < 3; ++p)
      total += *host_->bus().EndOffset({"rentstream.counter.commands.v1", p});
    return total;
  }

  static std::atomic<int> instances_;
  const std::string health_name_ = "rentstream.sample.v1.CounterService";
  rentstream::testing::TempDir dir_;
  sample::CounterLogic logic_;
  std::unique_ptr<ServiceHost> host_;
  std::unique_ptr<sample::CounterService> service_;
  std::thread serve_;
  absl::Status serve_status_;
  int health_before_processor_ = -1;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<sample::v1::CounterService::Stub> stub_;
};
std::atomic<int> ServiceHostTest::instances_{0};

TEST_P(ServiceHostTest, HealthIsNotServingUntilCaughtUpThenServing) {
  EXPECT_EQ(health_before_processor_, 2) << "NOT_SERVING before the processor ran";
  EXPECT_TRUE(
      rentstream::testing::WaitFor([&] { return HealthStatus(*channel_, health_name_) == 1; }));
  EXPECT_EQ(HealthStatus(*channel_, ""), 1);
}

TEST_P(ServiceHostTest, InvalidCommandsAreRefusedWithTheFieldAndAppendNothing) {
  const int64_t before = CommandsEnd();
  sample::v1::IncrementResponse response;
  grpc::Status st = Increment("c-1", "T-100", 0, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("amount"), std::string::npos) << st.error_message();
  st = Increment("c-2", "t-lower", 3, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("tenancy_ref"), std::string::npos) << st.error_message();
  st = Increment("", "T-100", 3, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("command_id"), std::string::npos) << st.error_message();
  EXPECT_EQ(CommandsEnd(), before);
}

TEST_P(ServiceHostTest, ARepeatedCommandIdReturnsTheOriginalOutcome) {
  sample::v1::IncrementResponse first, again, next;
  ASSERT_TRUE(Increment("pay-1", "T-200", 5, &first).ok());
  EXPECT_EQ(first.total(), 5);
  EXPECT_EQ(first.sequence(), 1u);
  ASSERT_TRUE(Increment("pay-1", "T-200", 5, &again).ok());
  EXPECT_EQ(again.event_id(), first.event_id());
  EXPECT_EQ(again.total(), 5);
  ASSERT_TRUE(Increment("pay-2", "T-200", 2, &next).ok());
  EXPECT_EQ(next.total(), 7);
  EXPECT_EQ(next.sequence(), 2u);

  sample::v1::GetCounterRequest query;
  query.set_tenancy_ref("T-200");
  sample::v1::GetCounterResponse counter;
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    grpc::ClientContext ctx;
    return stub_->GetCounter(&ctx, query, &counter).ok() && counter.total() == 7;
  }));
  EXPECT_EQ(counter.sequence(), 2u);
  EXPECT_EQ(std::vector<int64_t>(counter.amounts().begin(), counter.amounts().end()),
            (std::vector<int64_t>{5, 2}))
      << "the stream's history: each increment once, the repeat not again";
  grpc::ClientContext ctx;
  query.set_tenancy_ref("T-NONE");
  EXPECT_EQ(stub_->GetCounter(&ctx, query, &counter).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(ServiceHostTest, MetricsPassPromtool) {
  sample::v1::IncrementResponse response;
  ASSERT_TRUE(Increment("m-1", "T-300", 1, &response).ok());
  httplib::Client client("127.0.0.1", metrics_port_);
  std::optional<httplib::Response> res;
  // The answer is sent when the outcome is committed; the counters follow right after.
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    auto got = client.Get("/metrics");
    if (got) res = *got;
    return res && res->status == 200 &&
           res->body.find("rentstream_records_in_total{") != std::string::npos;
  })) << (res ? res->body : "no answer from /metrics");
  EXPECT_NE(res->body.find("rentstream_transaction_seconds_bucket{"), std::string::npos);
  EXPECT_NE(res->body.find("rentstream_caught_up{service=\"counter\"} 1"), std::string::npos);
  const std::string file = dir_.Sub("metrics.txt");
  std::ofstream(file) << res->body;
  const std::string command = "promtool check metrics < " + file + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  EXPECT_EQ(pclose(pipe), 0) << output;
}

// With --auth=jwt every call needs a verified bearer token; metadata is not trusted.
class JwtAuthTest : public ServiceHostTest {
 protected:
  void Configure(HostConfig& config) override {
    std::ofstream(dir_.Sub("jwt.key")) << kSecret;
    config.auth.mode = "jwt";
    config.auth.jwt_key_file = dir_.Sub("jwt.key");
    config.auth.jwt_issuer = "idp";
  }
  grpc::Status IncrementAs(const std::string& token, const std::string& id) {
    sample::v1::IncrementRequest request;
    request.set_command_id(id);
    request.set_tenancy_ref("T-200");
    request.set_amount(1);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.AddMetadata("x-rentstream-role", "team_leader");  // ignored in jwt mode
    sample::v1::IncrementResponse response;
    return stub_->Increment(&ctx, request, &response);
  }
  static constexpr const char* kSecret = "a-shared-secret-of-at-least-32-bytes!!";
};

TEST_P(JwtAuthTest, CallsNeedAVerifiedBearerToken) {
  const int64_t exp = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      600;
  const std::string claims =
      R"({"sub":"officer-7","role":"officer","iss":"idp","exp":)" + std::to_string(exp) + "}";
  const int64_t before = CommandsEnd();
  grpc::Status st = IncrementAs("", "a-1");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(st.error_message(), "authorization: a bearer token is required");
  st = IncrementAs(rentstream::testing::Hs256Token("another-secret-of-at-least-32-bytes!", claims),
                   "a-2");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CommandsEnd(), before);  // nothing appended for an unauthenticated caller
  st = IncrementAs(rentstream::testing::Hs256Token(kSecret, claims), "a-3");
  EXPECT_TRUE(st.ok()) << st.error_message();
  // The event records the token's subject as its actor.
  const std::string events = ServiceTopics::For(sample::CounterLogic::kService).events;
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    for (const eventlog::Record& r : rentstream::testing::ReadTopic(host_->bus(), events)) {
      common::v1::Event e;
      if (e.ParseFromString(r.value) && e.envelope().command_id() == "a-3") {
        return e.envelope().actor().id() == "officer-7" &&
               e.envelope().actor().role() == common::v1::ACTOR_ROLE_OFFICER;
      }
    }
    return false;
  }));
}

INSTANTIATE_TEST_SUITE_P(Buses, JwtAuthTest, ::testing::Values(BusKind::kLocal),
                         rentstream::testing::BusName);

class DailyTicksTest : public ServiceHostTest {
 protected:
  void Configure(HostConfig& config) override { config.daily_ticks = true; }
};

TEST_P(DailyTicksTest, TheHostOpensTodayOnEveryPartition) {
  const core::Date today =
      core::LondonDateOf(std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
  const std::string commands = ServiceTopics::For(sample::CounterLogic::kService).commands;
  std::set<int32_t> partitions;
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    partitions.clear();
    for (const eventlog::Record& r : rentstream::testing::ReadTopic(host_->bus(), commands)) {
      common::v1::Command c;
      if (!c.ParseFromString(r.value)) continue;
      if (c.envelope().command_type() != "rentstream.common.v1.BusinessDayOpened") continue;
      common::v1::BusinessDayOpened tick;
      EXPECT_TRUE(tick.ParseFromString(c.payload()));
      // Around midnight the host may already have opened the next day: accept either.
      const auto date =
          core::Date::FromYmd(tick.date().year(), tick.date().month(), tick.date().day());
      EXPECT_TRUE(date.ok() && (*date == today || *date == today.AddDays(1)));
      partitions.insert(r.partition);
    }
    return partitions.size() == 3;
  })) << "ticks seen on "
      << partitions.size() << " of 3 partitions";
}

// --processors 2: two group members in one process share the partitions and the store.
class TwoProcessorsTest : public ServiceHostTest {
 protected:
  void Configure(HostConfig& config) override { config.processors = 2; }
};

// The value of a metric line "name{labels} value" in a /metrics page; -1 when absent.
double MetricValue(const std::string& page, const std::string& series) {
  const size_t at = page.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + series.size() + 1));
}

TEST_P(TwoProcessorsTest, BothLoopsOwnPartitionsAndEveryCommandIsDecidedOnce) {
  httplib::Client client("127.0.0.1", metrics_port_);
  std::string page;
  const std::string owned = "rentstream_owned_partitions{processor=\"";
  // Serving only once both loops have their partitions: not while the first to join holds
  // them all and the other's join is still to take some away.
  ASSERT_TRUE(
      rentstream::testing::WaitFor([&] { return HealthStatus(*channel_, health_name_) == 1; }));
  {
    auto got = client.Get("/metrics");
    ASSERT_TRUE(got && got->status == 200);
    EXPECT_GE(MetricValue(got->body, owned + "0\",service=\"counter\"}"), 1) << got->body;
    EXPECT_GE(MetricValue(got->body, owned + "1\",service=\"counter\"}"), 1) << got->body;
  }
  ASSERT_TRUE(rentstream::testing::WaitFor([&] {
    auto got = client.Get("/metrics");
    if (!got || got->status != 200) return false;
    page = got->body;
    const double first = MetricValue(page, owned + "0\",service=\"counter\"}");
    const double second = MetricValue(page, owned + "1\",service=\"counter\"}");
    return first >= 1 && second >= 1 && first + second == 3 &&
           HealthStatus(*channel_, health_name_) == 1;
  })) << page;

  // Twelve tenancies over the three partitions, three increments each.
  for (int round = 1; round <= 3; ++round) {
    for (int t = 0; t < 12; ++t) {
      sample::v1::IncrementResponse response;
      const std::string tenancy = "T-" + std::to_string(500 + t);
      ASSERT_TRUE(Increment(absl::StrCat("c", round, "-", t), tenancy, t + 1, &response).ok());
      EXPECT_EQ(response.total(), round * (t + 1)) << tenancy;
      EXPECT_EQ(response.sequence(), static_cast<uint64_t>(round));
    }
  }
  const std::string events = ServiceTopics::For(sample::CounterLogic::kService).events;
  size_t mine = 0;
  for (const eventlog::Record& r : rentstream::testing::ReadTopic(host_->bus(), events)) {
    common::v1::Event e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (absl::StartsWith(e.envelope().command_id(), "c") &&
        absl::StartsWith(e.envelope().tenancy_ref(), "T-5")) {
      ++mine;
    }
  }
  EXPECT_EQ(mine, 36u) << "one event per command, none twice";
}

// A replica of the sample service on a shared LocalBus, serving on a free loopback port.
struct SampleReplica {
  std::unique_ptr<ServiceHost> host;
  std::unique_ptr<sample::CounterService> service;
  std::thread serve;
  absl::Status status;
  std::shared_ptr<grpc::Channel> channel;

  void Start(const HostConfig& config, sample::CounterLogic& logic, eventlog::EventBus& bus) {
    auto created = ServiceHost::Create(sample::CounterLogic::kService, config, logic, {}, &bus);
    ASSERT_TRUE(created.ok()) << created.status();
    host = std::move(*created);
    service = std::make_unique<sample::CounterService>(*host);
    std::promise<int> port;
    serve = std::thread([this, &port] {
      status = host->Serve({service.get()}, [&](int g, int) { port.set_value(g); });
    });
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port.get_future().get()),
                                  grpc::InsecureChannelCredentials());
  }
  void Stop() {
    host->RequestStop();
    serve.join();
    EXPECT_TRUE(status.ok()) << status;
  }
  // A test that stops early (a failed assertion) still stops the replica, so that it reports
  // the failure instead of terminating on a running thread.
  ~SampleReplica() {
    if (!serve.joinable()) return;
    host->RequestStop();
    serve.join();
  }
};

HostConfig ReplicaConfig(rentstream::testing::TempDir& dir, int i, int32_t partitions) {
  HostConfig config;
  config.data_dir = dir.Sub("replica-" + std::to_string(i));
  config.instance_id = std::to_string(i);
  config.grpc_listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.partitions = partitions;
  return config;
}

// Two replicas of two loops each on three partitions: one loop gets none. Both replicas still
// report SERVING, and each answers for the tenancies its loops own.
TEST(ReplicasWithLoopsTest, ALoopWithoutPartitionsDoesNotHoldHealthBack) {
  rentstream::testing::TempDir dir;
  auto bus = eventlog::LocalBus::Open(dir.Sub("log"));
  ASSERT_TRUE(bus.ok()) << bus.status();
  sample::CounterLogic logic;
  std::vector<SampleReplica> replicas(2);
  for (int i = 0; i < 2; ++i) {
    HostConfig config = ReplicaConfig(dir, i, 3);
    config.processors = 2;
    replicas[i].Start(config, logic, **bus);
  }
  EXPECT_TRUE(rentstream::testing::WaitFor([&] {
    return HealthStatus(*replicas[0].channel, "") == 1 &&
           HealthStatus(*replicas[1].channel, "") == 1;
  })) << "both replicas SERVING";
  // Every tenancy is answered (through either replica: commands go to the owner's partition).
  auto stub = sample::v1::CounterService::NewStub(replicas[0].channel);
  for (int t = 0; t < 6; ++t) {
    sample::v1::IncrementRequest request;
    request.set_command_id("r-" + std::to_string(t));
    request.set_tenancy_ref("T-" + std::to_string(700 + t));
    request.set_amount(2);
    sample::v1::IncrementResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    ASSERT_TRUE(stub->Increment(&ctx, request, &response).ok());
    EXPECT_EQ(response.total(), 2);
  }
  for (SampleReplica& r : replicas) r.host->RequestStop();
  for (SampleReplica& r : replicas) {
    r.serve.join();
    EXPECT_TRUE(r.status.ok()) << r.status;
  }
}

// Queries read the answering instance's own projection, so an instance answers only for the
// partitions it serves now. Replica 0 holds every partition, then the group gives some to replica
// 1: replica 0 keeps old copies of their streams, and must refuse them rather than answer from
// those; when replica 1 stops, replica 0 serves everything again.
TEST(ReplicasWithLoopsTest, QueriesAreAnsweredOnlyWhereThePartitionIsServed) {
  rentstream::testing::TempDir dir;
  auto bus = eventlog::LocalBus::Open(dir.Sub("log"));
  ASSERT_TRUE(bus.ok()) << bus.status();
  sample::CounterLogic logic;
  constexpr int32_t kPartitions = 3;
  std::vector<SampleReplica> replicas(2);
  auto start = [&](int i) {
    HostConfig config = ReplicaConfig(dir, i, kPartitions);
    config.static_membership = false;  // a stopped replica's partitions move at once
    replicas[i].Start(config, logic, **bus);
  };
  // Two tenancies on each partition.
  std::vector<std::string> tenancies;
  std::map<int32_t, int> per_partition;
  for (int n = 700; tenancies.size() < 2 * kPartitions; ++n) {
    const std::string t = "T-" + std::to_string(n);
    if (per_partition[eventlog::PartitionForKey(t, kPartitions)]++ < 2) tenancies.push_back(t);
  }
  auto increment = [&](const std::string& tenancy, int64_t amount, const std::string& id) {
    auto stub = sample::v1::CounterService::NewStub(replicas[0].channel);
    sample::v1::IncrementRequest request;
    request.set_command_id(id);
    request.set_tenancy_ref(tenancy);
    request.set_amount(amount);
    sample::v1::IncrementResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->Increment(&ctx, request, &response);
  };
  struct Answer {
    grpc::Status status;
    int64_t total = 0;
  };
  auto ask = [&](int replica, const std::string& tenancy) {
    auto stub = sample::v1::CounterService::NewStub(replicas[replica].channel);
    sample::v1::GetCounterRequest request;
    request.set_tenancy_ref(tenancy);
    sample::v1::GetCounterResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    Answer a;
    a.status = stub->GetCounter(&ctx, request, &response);
    a.total = response.total();
    return a;
  };

  start(0);
  ASSERT_TRUE(
      rentstream::testing::WaitFor([&] { return HealthStatus(*replicas[0].channel, "") == 1; }));
  for (const std::string& t : tenancies) ASSERT_TRUE(increment(t, 2, "first-" + t).ok()) << t;
  for (const std::string& t : tenancies) {
    Answer a = ask(0, t);
    ASSERT_TRUE(a.status.ok()) << t << ": " << a.status.error_message();
    EXPECT_EQ(a.total, 2) << t;
  }
  // A scan of every stream: the host's, which checks every partition is served.
  auto scanned = [&](int replica) -> absl::StatusOr<int> {
    int streams = 0;
    absl::Status st = replicas[replica].host->ForEachStream("a scan", [&](const v1::StreamRecord&) {
      ++streams;
      return true;
    });
    if (!st.ok()) return st;
    return streams;
  };
  ASSERT_TRUE(scanned(0).ok()) << scanned(0).status();
  EXPECT_EQ(*scanned(0), static_cast<int>(tenancies.size()));

  start(1);
  // Once the group has settled, each tenancy has one answer, from its partition's replica, with
  // every increment — including those decided after the move, which replica 0's old copies lack.
  for (const std::string& t : tenancies) ASSERT_TRUE(increment(t, 3, "second-" + t).ok()) << t;
  std::vector<std::array<Answer, 2>> answers;
  EXPECT_TRUE(rentstream::testing::WaitFor([&] {
    answers.clear();
    for (const std::string& t : tenancies) answers.push_back({ask(0, t), ask(1, t)});
    for (const auto& [zero, one] : answers) {
      if (zero.status.ok() == one.status.ok()) return false;
      if ((zero.status.ok() ? zero : one).total != 5) return false;
    }
    return true;
  })) << "each tenancy answered by exactly one replica, with both increments";
  int answered_by_one = 0;
  for (size_t k = 0; k < answers.size(); ++k) {
    for (const Answer& a : answers[k]) {
      if (a.status.ok()) continue;
      EXPECT_EQ(a.status.error_code(), grpc::StatusCode::UNAVAILABLE) << a.status.error_message();
      EXPECT_EQ(
          a.status.error_message().rfind("tenancy_ref: " + tenancies[k] + " is on partition", 0),
          0u)
          << a.status.error_message();
    }
    answered_by_one += answers[k][1].status.ok() ? 1 : 0;
  }
  EXPECT_GT(answered_by_one, 0) << "the group gave replica 1 partitions";
  EXPECT_LT(answered_by_one, static_cast<int>(tenancies.size()));
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(scanned(i).status().code(), absl::StatusCode::kUnavailable)
        << "each serves some partitions only";
  }

  replicas[1].Stop();
  EXPECT_TRUE(rentstream::testing::WaitFor([&] {
    if (auto all = scanned(0); !all.ok() || *all != static_cast<int>(tenancies.size())) {
      return false;
    }
    for (const std::string& t : tenancies) {
      Answer a = ask(0, t);
      if (!a.status.ok() || a.total != 5) return false;
    }
    return true;
  })) << "replica 0 serves every partition again, caught up";
  replicas[0].Stop();
}

TEST(HostConfigProcessorsTest, AtMostOneLoopPerPartition) {
  HostConfig config;
  config.partitions = 3;
  config.processors = 4;
  absl::Status st = config.Validate();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--processors"), std::string::npos) << st;
  config.processors = 3;
  EXPECT_TRUE(config.Validate().ok());
  config.processors = 0;
  EXPECT_FALSE(config.Validate().ok());
}

INSTANTIATE_TEST_SUITE_P(Buses, TwoProcessorsTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

INSTANTIATE_TEST_SUITE_P(Buses, DailyTicksTest, ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

INSTANTIATE_TEST_SUITE_P(Buses, ServiceHostTest,
                         ::testing::Values(BusKind::kKafka, BusKind::kLocal),
                         rentstream::testing::BusName);

}  // namespace
}  // namespace rentstream::runtime
