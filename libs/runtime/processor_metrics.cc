#include "libs/runtime/processor_metrics.h"

namespace rentstream::runtime {

namespace {
Labels LoopLabels(const std::string& service, const std::string& processor) {
  Labels labels = {{"service", service}};
  if (!processor.empty()) labels["processor"] = processor;
  return labels;
}
}  // namespace

ProcessorMetrics::ProcessorMetrics(MetricsRegistry& r, const std::string& service,
                                   const std::string& processor)
    : transactions_committed(r.GetCounter("rentstream_transactions_total",
                                          "Bus transactions by result",
                                          {{"service", service}, {"result", "committed"}})),
      transactions_aborted(r.GetCounter("rentstream_transactions_total",
                                        "Bus transactions by result",
                                        {{"service", service}, {"result", "aborted"}})),
      dead_letters(r.GetCounter("rentstream_dead_letters_total",
                                "Input records sent to a dead-letter topic",
                                {{"service", service}})),
      restarts(r.GetCounter("rentstream_processor_restarts_total",
                            "Processor state-machine restarts (fencing, fatal bus errors)",
                            {{"service", service}})),
      events_folded(r.GetCounter("rentstream_events_folded_total",
                                 "Own events folded during catch-up", {{"service", service}})),
      transaction_seconds(r.GetHistogram("rentstream_transaction_seconds",
                                         "Latency of one batch: decide, bus commit and state write",
                                         MetricsRegistry::LatencyBuckets(),
                                         {{"service", service}})),
      caught_up(r.GetGauge("rentstream_caught_up",
                           "1 when the assigned partitions are folded and inputs are consumed",
                           LoopLabels(service, processor))),
      owned_partitions(r.GetGauge("rentstream_owned_partitions",
                                  "Partitions assigned to this instance",
                                  LoopLabels(service, processor))),
      registry_(r),
      service_(service) {}

}  // namespace rentstream::runtime
