// ActiveRequest over a real HTTP/2 server codec, with a fake pool: proxying, full duplex,
// trailers, backpressure, resets, retries and the route timeout.
#include "src/http/active_request.h"

#include <gtest/gtest.h>

#include "test/http/active_request_fixture.h"

namespace tether::http {
namespace {

using testing::ActiveRequestTest;
using testing::Bytes;
using testing::Recorder;

TEST_F(ActiveRequestTest, ProxiesBodiesAndTrailersBothWays) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/echo", true), false);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("ping "), false).ok());
  ASSERT_TRUE(client_->EncodeData(id, Bytes("pong"), false).ok());
  codec::HeaderMap request_trailers;
  request_trailers.Add("x-checksum", "abc");
  ASSERT_TRUE(client_->EncodeTrailers(id, request_trailers).ok());
  Settle();

  ASSERT_EQ(selector_.chosen, std::vector<std::string>{"backend"});
  ASSERT_EQ(pool().streams.size(), 1u);
  auto& up = upstream();
  EXPECT_EQ(up.headers.Get(codec::PseudoHeader::kPath), "/api/echo");
  EXPECT_EQ(up.headers.Get(codec::PseudoHeader::kAuthority), "svc.local");
  EXPECT_EQ(up.headers.Get("x-forwarded-proto"), "http");
  EXPECT_EQ(up.headers.Get("te"), "trailers");  // gRPC needs it end to end
  EXPECT_EQ(up.data, "ping pong");
  ASSERT_TRUE(up.trailers);
  EXPECT_EQ(up.trailers->Get("x-checksum"), "abc");

  codec::HeaderMap headers;
  headers.SetStatus(200);
  headers.Add("content-type", "application/grpc");
  up.decoder->OnHeaders(std::move(headers), false);
  const std::string reply = "reply bytes";
  up.decoder->OnData(Bytes(reply), false);
  codec::HeaderMap trailers;
  trailers.Add("grpc-status", "0");
  trailers.Add("grpc-message", "OK");
  up.decoder->OnTrailers(std::move(trailers));
  Settle();

  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.data, "reply bytes");
  ASSERT_TRUE(response.trailers);
  EXPECT_EQ(response.trailers->Get("grpc-status"), "0");
  EXPECT_EQ(response.trailers->Get("grpc-message"), "OK");
  EXPECT_EQ(up.consumed, reply.size());  // the response bytes were acknowledged upstream
  ASSERT_EQ(connection_->done, std::vector<codec::StreamId>{id});
  const StreamInfo& info = finished(id);
  EXPECT_EQ(info.status, 200u);
  EXPECT_EQ(info.grpc_status, 0);
  EXPECT_TRUE(info.grpc);
  EXPECT_EQ(info.protocol, codec::Protocol::kHttp2);
  EXPECT_EQ(info.bytes_received, 9u);
  EXPECT_EQ(info.bytes_sent, reply.size());
  EXPECT_EQ(info.upstream_host, "10.0.0.1:80");
  EXPECT_EQ(info.upstream_cluster, "backend");
  EXPECT_EQ(stats().downstream_rq_total.Value(), 1u);
  EXPECT_EQ(stats().downstream_rq_2xx.Value(), 1u);
  EXPECT_EQ(stats().downstream_rq_active.Value(), 0);
  // upstream_rq_total/_active are the pool's (counted per stream; conn_pool_test), not the request's.
  EXPECT_EQ(selector_.stats.upstream_rq_2xx.Value(), 1u);
}

TEST_F(ActiveRequestTest, ResponseFlowsBeforeTheRequestEnds) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/stream", true), false);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("m1"), false).ok());
  Settle();
  auto& up = upstream();
  EXPECT_EQ(up.data, "m1");
  EXPECT_FALSE(up.ended);

  codec::HeaderMap headers;
  headers.SetStatus(200);
  up.decoder->OnHeaders(std::move(headers), false);
  up.decoder->OnData(Bytes("r1"), false);
  Settle();
  // The client reads the first response message while its request is still open.
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.data, "r1");
  EXPECT_FALSE(response.ended);

  ASSERT_TRUE(client_->EncodeData(id, Bytes("m2"), true).ok());
  Settle();
  EXPECT_EQ(up.data, "m1m2");
  EXPECT_TRUE(up.ended);
  up.decoder->OnData(Bytes("r2"), true);
  Settle();
  EXPECT_EQ(response.data, "r1r2");
  EXPECT_TRUE(response.ended);
  EXPECT_EQ(connection_->done.size(), 1u);
}

TEST_F(ActiveRequestTest, ClientCancelResetsTheUpstreamStream) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("POST", "/api/stream", true), false);
  Settle();
  ASSERT_EQ(pool().streams.size(), 1u);
  EXPECT_FALSE(upstream().reset);
  client_->ResetStream(id, codec::StreamResetReason::kLocalReset);  // RST_STREAM CANCEL
  Settle();
  EXPECT_TRUE(upstream().reset);
  EXPECT_EQ(connection_->done, std::vector<codec::StreamId>{id});
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kDownstreamConnectionTermination));
  EXPECT_TRUE(upstream().destroyed);  // the request is gone, and its stream handle with it
  EXPECT_EQ(selector_.stats.upstream_rq_active.Value(), 0);
  EXPECT_EQ(stats().downstream_rq_rx_reset.Value(), 1u);
  EXPECT_EQ(stats().downstream_rq_tx_reset.Value(), 0u);
  EXPECT_EQ(stats().StreamResetCounter(codec::StreamResetReason::kRemoteReset).Value(), 1u);
}

TEST_F(ActiveRequestTest, UpstreamResetBeforeHeadersIsA503) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  upstream().decoder->OnReset(codec::StreamResetReason::kRemoteReset);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 503);
  EXPECT_NE(response.data.find("reset reason: remote reset"), std::string::npos);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamRemoteReset));
  EXPECT_EQ(selector_.stats.upstream_rq_reset.Value(), 1u);
}

TEST_F(ActiveRequestTest, UpstreamResetAfterHeadersResetsTheClient) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/api/x"), true);
  Settle();
  codec::HeaderMap headers;
  headers.SetStatus(200);
  upstream().decoder->OnHeaders(std::move(headers), false);
  Settle();
  upstream().decoder->OnReset(codec::StreamResetReason::kConnectionTermination);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_TRUE(response.reset);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamConnectionTermination));
  // Tether reset the client's stream: a tx reset, caused locally.
  EXPECT_EQ(stats().downstream_rq_tx_reset.Value(), 1u);
  EXPECT_EQ(stats().downstream_rq_rx_reset.Value(), 0u);
  EXPECT_EQ(stats().StreamResetCounter(codec::StreamResetReason::kLocalReset).Value(), 1u);
}

TEST_F(ActiveRequestTest, StaleReusedConnectionIsRetriedOnceOnANewStream) {
  Start();
  pool().next_reused = true;
  Recorder response;
  Open(response, Request("GET", "/api/x"), true);
  Settle();
  ASSERT_EQ(pool().streams.size(), 1u);
  upstream(0).decoder->OnReset(codec::StreamResetReason::kConnectionTermination);
  Settle();
  ASSERT_EQ(pool().streams.size(), 2u);  // a second try, no reply yet
  EXPECT_FALSE(response.headers);
  EXPECT_EQ(selector_.stats.upstream_rq_retry_stale_connection.Value(), 1u);
  EXPECT_EQ(pool().idle_closes, 1);  // on a new connection: the idle ones may be as stale
  codec::HeaderMap headers;
  headers.SetStatus(204);
  upstream(1).decoder->OnHeaders(std::move(headers), true);
  Settle();
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 204);
}

TEST_F(ActiveRequestTest, RouteTimeoutAnswers504) {
  Start();
  Recorder response;
  const codec::StreamId id = Open(response, Request("GET", "/slow"), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 504);
  EXPECT_EQ(response.data, "upstream request timeout");
  EXPECT_TRUE(upstream().reset);
  EXPECT_TRUE(finished(id).response_flags.Has(ResponseFlag::kUpstreamRequestTimeout));
  EXPECT_EQ(selector_.stats.upstream_rq_timeout.Value(), 1u);
}

TEST_F(ActiveRequestTest, GrpcTimeoutCapsTheRouteTimeoutAndAnswersDeadlineExceeded) {
  Start();
  Recorder response;
  codec::HeaderMap request = Request("POST", "/api/Svc/Call", true);
  request.Add("grpc-timeout", "50m");  // the route's own timeout is 0: none
  Open(response, std::move(request), true);
  ASSERT_TRUE(RunUntil([&] { return response.ended; }));
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_TRUE(response.headers_ended);  // trailers-only
  EXPECT_EQ(response.headers->Get("grpc-status"), "4");
  EXPECT_EQ(response.headers->Get("grpc-message"), "upstream request timeout");
}

}  // namespace
}  // namespace tether::http
