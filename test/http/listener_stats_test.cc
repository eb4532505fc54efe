#include "src/http/listener_stats.h"

#include <gtest/gtest.h>

#include <string>

#include "test/support/stats_pages.h"

namespace tether::http {
namespace {

using tether::testing::FlatStats;

TEST(ListenerStatsTest, PerProtocolStatsHaveEnvoysNames) {
  stats::Store store;
  ListenerStats stats(store, "ingress");
  stats.CodecOpened(codec::Protocol::kHttp2);
  stats.CodecOpened(codec::Protocol::kHttp2);
  stats.CodecOpened(codec::Protocol::kHttp1);
  stats.CodecClosed(codec::Protocol::kHttp2);
  stats.RecordRequest(codec::Protocol::kHttp2);
  stats.RecordRequest(codec::Protocol::kHttp2);
  stats.RecordRequest(codec::Protocol::kHttp2);
  stats.RecordRequest(codec::Protocol::kHttp1);
  const auto flat = FlatStats(store);
  EXPECT_EQ(flat.at("http.ingress.downstream_cx_http2_total"), 2);
  EXPECT_EQ(flat.at("http.ingress.downstream_cx_http2_active"), 1);
  EXPECT_EQ(flat.at("http.ingress.downstream_cx_http1_total"), 1);
  EXPECT_EQ(flat.at("http.ingress.downstream_cx_http1_active"), 1);
  EXPECT_EQ(flat.at("http.ingress.downstream_rq_http2_total"), 3);
  EXPECT_EQ(flat.at("http.ingress.downstream_rq_http1_total"), 1);
  // Declared up front, so they show (as 0) before anything happened.
  EXPECT_EQ(flat.at("http.ingress.downstream_rq_too_many_premature_resets"), 0);
  EXPECT_EQ(flat.at("http.ingress.http2.goaway_sent"), 0);
  EXPECT_EQ(flat.at("http.ingress.http2.outbound_flood"), 0);
  EXPECT_EQ(flat.at("http.ingress.http2.streams_active"), 0);

  const std::string text = tether::testing::PrometheusStats(store);
  EXPECT_NE(text.find("tether_http_downstream_cx_http2_total{listener=\"ingress\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tether_http_downstream_rq_http2_total{listener=\"ingress\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tether_http_downstream_cx_http2_active gauge\n"), std::string::npos);
  EXPECT_NE(text.find("tether_http_http2_rx_reset{listener=\"ingress\"} 0\n"), std::string::npos);
}

TEST(ListenerStatsTest, StreamResetsAreCountedByWhoAndCause) {
  using R = codec::StreamResetReason;
  stats::Store store;
  ListenerStats stats(store, "l");
  stats.RecordStreamReset(R::kRemoteReset);            // client cancel
  stats.RecordStreamReset(R::kConnectionTermination);  // connection went
  stats.RecordStreamReset(R::kProtocolError);          // a malformed request body
  stats.RecordStreamReset(R::kLocalReset);             // e.g. a timeout mid-response
  stats.RecordStreamReset(R::kLocalReset);
  stats.RecordStreamReset(R::kOverflow);
  const auto flat = FlatStats(store);
  // Envoy's split: by the peer (or the connection's end), or by Tether.
  EXPECT_EQ(flat.at("http.l.downstream_rq_rx_reset"), 2);
  EXPECT_EQ(flat.at("http.l.downstream_rq_tx_reset"), 4);
  // Per cause, every reason declared up front.
  EXPECT_EQ(flat.at("http.l.remote_reset.downstream_rq_reset_reason"), 1);
  EXPECT_EQ(flat.at("http.l.connection_termination.downstream_rq_reset_reason"), 1);
  EXPECT_EQ(flat.at("http.l.protocol_error.downstream_rq_reset_reason"), 1);
  EXPECT_EQ(flat.at("http.l.local_reset.downstream_rq_reset_reason"), 2);
  EXPECT_EQ(flat.at("http.l.overflow.downstream_rq_reset_reason"), 1);
  EXPECT_EQ(flat.at("http.l.remote_refused_stream.downstream_rq_reset_reason"), 0);
  EXPECT_EQ(stats.StreamResetCounter(R::kLocalReset).Value(), 2u);
  // The HTTP/2 frames are the codec's to count (http2_codec_stats_test.cc), not counted twice here.
  EXPECT_EQ(flat.at("http.l.http2.rx_reset"), 0);
  EXPECT_EQ(flat.at("http.l.http2.tx_reset"), 0);
  const std::string text = tether::testing::PrometheusStats(store);
  EXPECT_NE(text.find("tether_http_downstream_rq_reset_reason{listener=\"l\",reason=\"local_reset\"} 2\n"),
            std::string::npos)
      << text;
}

// The listener hands its http2.* stats to the codec, and its rapid-reset counter with them.
TEST(ListenerStatsTest, TheCodecsStatsPointAtTheListenersPrematureResetCounter) {
  stats::Store store;
  ListenerStats stats(store, "l");
  ASSERT_EQ(stats.http2.too_many_premature_resets, &stats.downstream_rq_too_many_premature_resets);
}

}  // namespace
}  // namespace tether::http
