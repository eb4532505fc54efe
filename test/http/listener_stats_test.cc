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

TEST(ListenerStatsTest, StreamResetsAreCountedByCause) {
  using R = codec::StreamResetReason;
  stats::Store store;
  ListenerStats stats(store, "l");
  stats.RecordStreamReset(codec::Protocol::kHttp2, R::kRemoteReset);            // client cancel
  stats.RecordStreamReset(codec::Protocol::kHttp2, R::kConnectionTermination);  // connection went
  stats.RecordStreamReset(codec::Protocol::kHttp2, R::kProtocolError);          // malformed request
  stats.RecordStreamReset(codec::Protocol::kHttp2, R::kLocalReset);             // e.g. a timeout mid-response
  stats.RecordStreamReset(codec::Protocol::kHttp2, R::kOverflow);
  stats.RecordStreamReset(codec::Protocol::kHttp1, R::kLocalReset);  // HTTP/1: no http2.* counted
  const auto flat = FlatStats(store);
  EXPECT_EQ(flat.at("http.l.downstream_rq_rx_reset"), 2);
  EXPECT_EQ(flat.at("http.l.downstream_rq_tx_reset"), 4);
  EXPECT_EQ(flat.at("http.l.http2.rx_reset"), 1);
  EXPECT_EQ(flat.at("http.l.http2.tx_reset"), 3);
  EXPECT_EQ(flat.at("http.l.http2.rx_messaging_error"), 1);
}

}  // namespace
}  // namespace tether::http
