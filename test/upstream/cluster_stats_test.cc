#include "src/upstream/cluster_stats.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "src/common/prometheus_writer.h"

namespace tether::upstream {
namespace {

std::map<std::string, uint64_t> FlatCounters(const stats::Store& store) {
  std::map<std::string, uint64_t> out;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) { out[e.flat_name] = c.Value(); });
  return out;
}

// What /stats/prometheus prints for counters (admin::PrometheusText: the same writer and names).
std::string Prometheus(const stats::Store& store) {
  stats::PrometheusWriter writer;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    writer.AddCounter(stats::PrometheusName(e.family), e.tags, c.Value());
  });
  return writer.Render();
}

TEST(ClusterStatsTest, GrpcStatusesAreCountedAsEnvoy) {
  stats::Store store;
  ClusterStats stats(store, "greeter");
  stats.RecordGrpcStatus(GrpcStatus::kOk);
  stats.RecordGrpcStatus(GrpcStatus::kOk);
  stats.RecordGrpcStatus(GrpcStatus::kUnavailable);
  stats.RecordGrpcStatus(GrpcStatus::kDeadlineExceeded);
  const auto flat = FlatCounters(store);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.0"), 2u);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.14"), 1u);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.4"), 1u);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.16"), 0u);  // every code exists up front
  EXPECT_EQ(flat.at("cluster.greeter.grpc.success"), 2u);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.failure"), 2u);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.total"), 4u);
  EXPECT_FALSE(flat.contains("cluster.greeter.grpc.17"));

  const std::string text = Prometheus(store);
  EXPECT_NE(text.find("tether_cluster_grpc_14{cluster_name=\"greeter\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tether_cluster_grpc_success{cluster_name=\"greeter\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tether_cluster_grpc_total counter\n"), std::string::npos);
}

TEST(ClusterStatsTest, Http2StatsHaveEnvoysUpstreamNames) {
  stats::Store store;
  ClusterStats stats(store, "greeter");
  stats.upstream_cx_http2_total.Inc();
  stats.upstream_rq_tx_reset.Inc();
  stats.http2.tx_reset.Inc();
  stats.http2.goaway_sent.Inc(0);
  const auto flat = FlatCounters(store);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_cx_http2_total"), 1u);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_cx_http1_total"), 0u);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_tx_reset"), 1u);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_rx_reset"), 0u);
  EXPECT_EQ(flat.at("cluster.greeter.http2.tx_reset"), 1u);
  EXPECT_EQ(flat.at("cluster.greeter.http2.stream_refused_errors"), 0u);
  EXPECT_NE(Prometheus(store).find("tether_cluster_http2_tx_reset{cluster_name=\"greeter\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace tether::upstream
