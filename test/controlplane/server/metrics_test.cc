#include "controlplane/server/metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

// Issue 12: tether-control's /metrics goes through the sidecar's writer
// (src/common/prometheus_writer.h) and its push latency is a stats::Histogram.
namespace tether::controlplane {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(MetricsTest, PushLatencyIsACommonHistogramShownInSeconds) {
  Metrics metrics;
  metrics.ObservePushLatency(microseconds(900));   // le 0.001
  metrics.ObservePushLatency(milliseconds(2));     // le 0.0025
  metrics.ObservePushLatency(milliseconds(2500));  // le 2.5
  metrics.ObservePushLatency(std::chrono::seconds(9));  // +Inf only
  const stats::HistogramSnapshot s = metrics.push_latency();
  EXPECT_EQ(s.count, 4u);
  ASSERT_EQ(s.cumulative.size(), 12u);
  EXPECT_EQ(s.cumulative[0], 1u);
  EXPECT_EQ(s.cumulative[1], 2u);
  EXPECT_EQ(s.cumulative[10], 3u);
  EXPECT_EQ(s.cumulative[11], 3u);

  const std::string text = metrics.Render(2, {{"Cluster", 3}, {"Listener", 1}}, 0, 1);
  const std::string b = "tether_control_push_latency_seconds_bucket{le=";
  EXPECT_NE(text.find("# HELP tether_control_push_latency_seconds From a change of the served config to a "
                      "sidecar's ACK of it.\n"
                      "# TYPE tether_control_push_latency_seconds histogram\n" +
                      b + "\"0.001\"} 1\n" + b + "\"0.0025\"} 2\n" + b + "\"0.005\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(b + "\"2.5\"} 3\n" + b + "\"5\"} 3\n" + b + "\"+Inf\"} 4\n" +
                      "tether_control_push_latency_seconds_sum 11.5029\n"
                      "tether_control_push_latency_seconds_count 4\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, CountersAndGaugesWithTheirHelp) {
  Metrics metrics;
  metrics.CountPush();
  metrics.CountPush();
  metrics.CountNack();
  metrics.CountOversized();
  const std::string text = metrics.Render(2, {{"Cluster", 3}, {"Listener", 1}}, 5, 1);
  for (const std::string want : {
           "# HELP tether_control_connected_proxies Sidecars with an open ADS stream.\n"
           "# TYPE tether_control_connected_proxies gauge\ntether_control_connected_proxies 2\n",
           "# TYPE tether_control_pushes_total counter\ntether_control_pushes_total 2\n",
           "# TYPE tether_control_nacks_total counter\ntether_control_nacks_total 1\n",
           "# TYPE tether_control_oversized_responses_total counter\ntether_control_oversized_responses_total 1\n",
           "# TYPE tether_control_resources gauge\ntether_control_resources{kind=\"Cluster\"} 3\n"
           "tether_control_resources{kind=\"Listener\"} 1\n",
           "# TYPE tether_control_shadowed_file_changes gauge\ntether_control_shadowed_file_changes 5\n",
           "# TYPE tether_control_config_dir_errors gauge\ntether_control_config_dir_errors 1\n",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\nin:\n" << text;
  }
  // One writer, one order: families sorted by name, as the sidecar's page.
  EXPECT_LT(text.find("tether_control_config_dir_errors"), text.find("tether_control_connected_proxies"));
  EXPECT_LT(text.find("tether_control_push_latency_seconds"), text.find("tether_control_resources"));
}

}  // namespace
}  // namespace tether::controlplane
