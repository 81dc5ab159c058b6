#pragma once
// The processor's metrics (records in/out, transactions and their latency, lag per partition,
// catch-up state), registered once in a MetricsRegistry.

#include <cstdint>
#include <string>

#include "libs/runtime/metrics.h"

namespace rentstream::runtime {

class ProcessorMetrics {
 public:
  // `processor` (when several run in one process): labels the per-loop gauges (caught_up,
  // owned_partitions); counters and histograms are shared.
  ProcessorMetrics(MetricsRegistry& registry, const std::string& service,
                   const std::string& processor = "");

  void RecordsIn(const std::string& topic, double n) {
    registry_
        .GetCounter("rentstream_records_in_total", "Input records processed and committed",
                    {{"service", service_}, {"topic", topic}})
        .Inc(n);
  }
  void RecordsOut(const std::string& topic, double n) {
    registry_
        .GetCounter("rentstream_records_out_total", "Records produced in committed transactions",
                    {{"service", service_}, {"topic", topic}})
        .Inc(n);
  }
  void Lag(const std::string& topic, int32_t partition, double lag) {
    registry_
        .GetGauge(
            "rentstream_consumer_lag_records", "Committed input records not yet processed",
            {{"service", service_}, {"topic", topic}, {"partition", std::to_string(partition)}})
        .Set(lag);
  }

  Counter& transactions_committed;
  Counter& transactions_aborted;
  Counter& dead_letters;
  Counter& restarts;
  Counter& events_folded;
  Histogram& transaction_seconds;
  Gauge& caught_up;
  Gauge& owned_partitions;

 private:
  MetricsRegistry& registry_;
  std::string service_;
};

}  // namespace rentstream::runtime
