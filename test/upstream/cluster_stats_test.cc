#include "src/upstream/cluster_stats.h"

#include <gtest/gtest.h>

#include <string>

#include "test/support/stats_pages.h"

namespace tether::upstream {
namespace {

using tether::testing::FlatStats;
using tether::testing::PrometheusStats;

TEST(ClusterStatsTest, GrpcStatusesAreCountedAsEnvoy) {
  stats::Store store;
  ClusterStats stats(store, "greeter");
  stats.RecordGrpcStatus(GrpcStatus::kOk);
  stats.RecordGrpcStatus(GrpcStatus::kOk);
  stats.RecordGrpcStatus(GrpcStatus::kUnavailable);
  stats.RecordGrpcStatus(GrpcStatus::kDeadlineExceeded);
  const auto flat = FlatStats(store);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.0"), 2);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.14"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.4"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.16"), 0);  // every code exists up front
  EXPECT_EQ(flat.at("cluster.greeter.grpc.success"), 2);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.failure"), 2);
  EXPECT_EQ(flat.at("cluster.greeter.grpc.total"), 4);
  EXPECT_FALSE(flat.contains("cluster.greeter.grpc.17"));

  const std::string text = PrometheusStats(store);
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
  const auto flat = FlatStats(store);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_cx_http2_total"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_cx_http1_total"), 0);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_tx_reset"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_rx_reset"), 0);
  EXPECT_EQ(flat.at("cluster.greeter.http2.tx_reset"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.http2.stream_refused_errors"), 0);
  EXPECT_NE(PrometheusStats(store).find("tether_cluster_http2_tx_reset{cluster_name=\"greeter\"} 1\n"), std::string::npos);
}

TEST(ClusterStatsTest, StreamResetsAreCountedByWhoAndCause) {
  using R = codec::StreamResetReason;
  stats::Store store;
  ClusterStats stats(store, "greeter");
  stats.RecordStreamReset(R::kRemoteReset);            // the upstream's RST_STREAM
  stats.RecordStreamReset(R::kRemoteRefusedStream);    // beyond its GOAWAY or its stream limit
  stats.RecordStreamReset(R::kConnectionTermination);  // the connection went
  stats.RecordStreamReset(R::kLocalReset);             // the request went away
  stats.RecordStreamReset(R::kProtocolError);          // a malformed response
  const auto flat = FlatStats(store);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_rx_reset"), 3);
  EXPECT_EQ(flat.at("cluster.greeter.upstream_rq_tx_reset"), 2);
  EXPECT_EQ(flat.at("cluster.greeter.remote_refused_stream.upstream_rq_reset_reason"), 1);
  EXPECT_EQ(flat.at("cluster.greeter.overflow.upstream_rq_reset_reason"), 0);
  EXPECT_EQ(stats.StreamResetCounter(R::kProtocolError).Value(), 1u);
  EXPECT_NE(PrometheusStats(store).find(
                "tether_cluster_upstream_rq_reset_reason{cluster_name=\"greeter\",reason=\"remote_reset\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace tether::upstream
