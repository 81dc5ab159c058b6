#include "libs/runtime/metrics.h"

#include <gtest/gtest.h>

namespace rentstream::runtime {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInTextFormat) {
  MetricsRegistry r;
  r.GetCounter("rs_in_total", "Inputs", {{"topic", "a"}}).Inc(3);
  r.GetCounter("rs_in_total", "Inputs", {{"topic", "b\"q"}}).Inc();
  r.GetGauge("rs_lag", "Lag").Set(7);
  Histogram& h = r.GetHistogram("rs_latency_seconds", "Latency", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP rs_in_total Inputs\n# TYPE rs_in_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("rs_in_total{topic=\"a\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("rs_in_total{topic=\"b\\\"q\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE rs_lag gauge\nrs_lag 7\n"), std::string::npos);
  EXPECT_NE(text.find("rs_latency_seconds_bucket{le=\"0.10000000000000001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("rs_latency_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("rs_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("rs_latency_seconds_sum 5.5499999999999998\n"), std::string::npos);
  EXPECT_NE(text.find("rs_latency_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameMetric) {
  MetricsRegistry r;
  r.GetCounter("c", "h", {{"k", "v"}}).Inc();
  r.GetCounter("c", "h", {{"k", "v"}}).Inc();
  EXPECT_EQ(r.GetCounter("c", "h", {{"k", "v"}}).value(), 2);
}

}  // namespace
}  // namespace rentstream::runtime
