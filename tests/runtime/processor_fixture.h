#pragma once
// The ProcessorHost fixture shared by the processor tests: a processor with the sample counter
// logic (or another a test names) on either bus, fresh topics per test.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "libs/runtime/metrics.h"
#include "libs/runtime/processor_host.h"
#include "libs/runtime/processor_metrics.h"
#include "libs/runtime/topics.h"
#include "services/sample/app/counter_logic.h"
#include "tests/runtime/bus_fixture.h"

namespace rentstream::runtime {

class ProcessorTest : public ::testing::TestWithParam<testing::BusKind> {
 public:
  static constexpr int kPartitions = 3;

 protected:
  void SetUp() override {
    service_ = "counter" + std::to_string(++counter_);  // fresh topics per test on Kafka
    topics_ = ServiceTopics::For(service_);
    bus_ = testing::OpenBus(GetParam(), dir_);
    ASSERT_NE(bus_, nullptr);
    ASSERT_TRUE(bus_->DeclareTopics(TopicsToDeclare(service_, {}, kPartitions, 1)).ok());
    auto appender = bus_->NewAppender("test");
    ASSERT_TRUE(appender.ok());
    appender_ = std::move(*appender);
  }
  void TearDown() override { StopProcessor(); }

  void StartProcessor(const std::string& state_dir, size_t tick_page_streams = 1000,
                      size_t max_transaction_outputs = 20000) {
    auto store = StreamStore::Open(state_dir);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    ProcessorOptions options;
    options.service = service_;
    options.static_membership = false;
    options.tick_page_streams = tick_page_streams;
    options.max_transaction_outputs = max_transaction_outputs;
    options.state_flush_interval = flush_interval_;
    if (!metrics_) metrics_ = std::make_unique<ProcessorMetrics>(registry_, service_);
    host_ = std::make_unique<ProcessorHost>(*bus_, *store_, *logic_, options, metrics_.get());
    stop_ = false;
    thread_ = std::thread([this] { run_status_ = host_->Run(stop_); });
  }
  void StopProcessor() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    host_.reset();
    store_.reset();
  }

  void Append(const std::string& key, const std::string& value) {
    eventlog::OutgoingRecord r;
    r.topic = topics_.commands;
    r.key = key;
    r.value = value;
    ASSERT_TRUE(appender_->Append({r}).ok());
  }
  void Send(const common::v1::Command& c) {
    Append(c.envelope().tenancy_ref(), c.SerializeAsString());
  }
  // `Reviewed` events (the sample logic's answer to a tick) per stream.
  std::map<std::string, int> ReviewedPerStream() {
    std::map<std::string, int> out;
    for (const eventlog::Record& r : testing::ReadTopic(*bus_, topics_.events)) {
      common::v1::Event ev;
      EXPECT_TRUE(ev.ParseFromString(r.value));
      if (ev.envelope().event_type() == "rentstream.sample.v1.Reviewed") ++out[r.key];
    }
    return out;
  }
  void WaitForInputs(uint64_t n) {
    ASSERT_TRUE(testing::WaitFor([&] { return host_->committed_inputs() >= n; }))
        << "processed " << host_->committed_inputs() << " of " << n;
  }

  static inline std::atomic<int> counter_{0};
  std::string service_;
  ServiceTopics topics_;
  testing::TempDir dir_;
  std::unique_ptr<eventlog::EventBus> bus_;
  std::unique_ptr<eventlog::Appender> appender_;
  sample::CounterLogic counter_logic_;
  StreamLogic* logic_ = &counter_logic_;  // a test may point it at another logic before starting
  std::unique_ptr<StreamStore> store_;
  std::chrono::milliseconds flush_interval_ = std::chrono::minutes(5);  // set before starting
  MetricsRegistry registry_;
  std::unique_ptr<ProcessorMetrics> metrics_;
  std::unique_ptr<ProcessorHost> host_;
  std::atomic<bool> stop_{false};
  absl::Status run_status_;
  std::thread thread_;
};
}  // namespace rentstream::runtime
