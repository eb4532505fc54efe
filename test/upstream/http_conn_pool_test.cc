// The generic pool against in-process HTTP/2 and HTTP/1 upstreams on loopback.
#include "src/upstream/http_conn_pool.h"

#include <memory>

#include <gtest/gtest.h>

#include "test/upstream/http_conn_pool_fixture.h"

namespace tether::upstream {
namespace {

using namespace tether::upstream::testing;
namespace asio = boost::asio;

TEST_F(HttpConnPoolTest, Http2StreamsReuseOneConnection) {
  Http2Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  Recorder a;
  auto sa = Open(*pool, a);
  ASSERT_TRUE(sa.ok()) << sa.status();
  EXPECT_FALSE((*sa)->reused_connection());
  EXPECT_EQ((*sa)->protocol(), codec::Protocol::kHttp2);
  EXPECT_EQ((*sa)->host_address(), "127.0.0.1:" + std::to_string(upstream.port()));
  ASSERT_TRUE(RunUntil(io_, [&] { return a.ended; }));
  EXPECT_EQ(a.headers->Status(), 200);
  EXPECT_EQ(a.data, "ok");

  Recorder b;
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sb.ok()) << sb.status();
  EXPECT_TRUE((*sb)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended; }));
  EXPECT_EQ(upstream.connections.size(), 1u);
  EXPECT_EQ(pool->connection_count(), 1u);
  EXPECT_EQ(pool->active_streams(), 0u);
  EXPECT_EQ(Counter("cluster.upstream_cx_http2_total"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 2u);
  EXPECT_EQ(Gauge("cluster.upstream_rq_active"), 0);
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 1);
}

// Streams started together while the first connection is made share it (no connection per stream).
TEST_F(HttpConnPoolTest, Http2StreamsWaitingForAConnectionShareIt) {
  Http2Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  std::vector<std::unique_ptr<Recorder>> responses;
  std::vector<std::unique_ptr<UpstreamStream>> streams;
  for (int i = 0; i < 5; ++i) {
    responses.push_back(std::make_unique<Recorder>());
    asio::co_spawn(io_, pool->NewStream(request_, true, *responses.back(), std::chrono::seconds(2), nullptr),
                   [&](std::exception_ptr, absl::StatusOr<std::unique_ptr<UpstreamStream>> r) {
                     ASSERT_TRUE(r.ok()) << r.status();
                     streams.push_back(std::move(*r));
                   });
  }
  ASSERT_TRUE(RunUntil(io_, [&] {
    for (auto& r : responses) {
      if (!r->ended) return false;
    }
    return true;
  }));
  EXPECT_EQ(upstream.connections.size(), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);
}

TEST_F(HttpConnPoolTest, Http2StreamLimitOpensASecondConnection) {
  std::unique_ptr<Http2Upstream> up;
  auto pool = OneStreamAtATime(up);
  Http2Upstream& upstream = *up;
  upstream.respond = false;
  Recorder held;
  auto s2 = Open(*pool, held);
  ASSERT_TRUE(s2.ok());
  Recorder next;
  auto s3 = Open(*pool, next);
  ASSERT_TRUE(s3.ok()) << s3.status();
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.stream_count() == 3; }));
  EXPECT_EQ(upstream.connections.size(), 2u);
  EXPECT_EQ(pool->connection_count(), 2u);
  EXPECT_EQ(pool->active_streams(), 2u);
  EXPECT_FALSE(next.reset.has_value());  // not refused: it went where there was room
}

TEST_F(HttpConnPoolTest, Http2GoAwayMovesNewStreamsToANewConnection) {
  Http2Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  Exchange(*pool);

  upstream.connections[0]->codec->GoAway();
  upstream.connections[0]->pump->OutputReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return Counter("cluster.upstream_cx_close_notify") == 1; }));

  Recorder b;
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sb.ok()) << sb.status();
  EXPECT_FALSE((*sb)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended; }));
  EXPECT_EQ(upstream.connections.size(), 2u);
  EXPECT_EQ(upstream.connections[1]->streams.size(), 1u);
  // The connection that went away closes once its streams are done.
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 1; }));
}

TEST_F(HttpConnPoolTest, IdleConnectionsCloseAfterIdleTimeout) {
  Http2Upstream upstream(io_);
  HttpConnPool::Settings settings;
  settings.idle_timeout = std::chrono::milliseconds(50);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2, settings);
  Exchange(*pool);
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 0; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_idle_timeout"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_local"), 1u);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections[0]->ended; }));
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 0);
}

TEST_F(HttpConnPoolTest, MaxRequestsPerConnectionRetiresIt) {
  Http2Upstream upstream(io_);
  HttpConnPool::Settings settings;
  settings.max_requests_per_connection = 2;
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2, settings);
  for (int i = 0; i < 3; ++i) Exchange(*pool);
  EXPECT_EQ(upstream.connections.size(), 2u);
  EXPECT_EQ(Counter("cluster.upstream_cx_max_requests"), 1u);
}

// Destroying the handle mid-stream cancels the stream upstream (RST_STREAM CANCEL) and frees its
// slot: with a limit of one stream, the next stream goes on the same connection.
TEST_F(HttpConnPoolTest, Http2StreamDestroyedMidwayIsResetUpstreamAndFreesItsSlot) {
  std::unique_ptr<Http2Upstream> up;
  auto pool = OneStreamAtATime(up);
  Http2Upstream& upstream = *up;
  Recorder midway;
  auto s2 = Open(*pool, midway, /*end_stream=*/false);  // the request body never comes
  ASSERT_TRUE(s2.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.stream_count() == 2; }));
  Recorder* upstream_side = upstream.connections[0]->streams.rbegin()->second.get();
  s2->reset();
  EXPECT_EQ(pool->active_streams(), 0u);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream_side->reset.has_value(); }));
  EXPECT_EQ(*upstream_side->reset, codec::StreamResetReason::kRemoteReset);
  EXPECT_EQ(Counter("cluster.upstream_rq_tx_reset"), 1u);
  EXPECT_EQ(ResetCause("local_reset"), 1u);
  EXPECT_EQ(Counter("cluster.http2.tx_reset"), 1u);  // the pool's codec counts into the cluster

  Recorder next;
  auto s3 = Open(*pool, next);
  ASSERT_TRUE(s3.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return next.ended; }));
  EXPECT_FALSE(midway.reset.has_value());  // the request that went away hears nothing more
  EXPECT_EQ(upstream.connections.size(), 1u);
}

TEST_F(HttpConnPoolTest, ConnectFailureIsUnavailable) {
  uint16_t port;
  {
    TcpAcceptor closed(io_.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
    port = closed.local_endpoint().port();
  }
  auto pool = MakePool(port, codec::Protocol::kHttp2);
  Recorder r;
  auto s = Open(*pool, r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
  EXPECT_EQ(FailureOf(s.status()), PoolFailure::kConnectFailure);
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_fail"), 1u);
  EXPECT_EQ(pool->connection_count(), 0u);
}

// A listener that never accepts, its accept queue full: the kernel drops further SYNs.
TEST_F(HttpConnPoolTest, ConnectTimeoutIsDeadlineExceeded) {
  TcpAcceptor silent(io_.get_executor());
  silent.open(asio::ip::tcp::v4());
  silent.bind({asio::ip::make_address("127.0.0.1"), 0});
  silent.listen(1);
  std::vector<std::unique_ptr<TcpSocket>> fillers;
  for (int i = 0; i < 8; ++i) {
    fillers.push_back(std::make_unique<TcpSocket>(io_.get_executor()));
    fillers.back()->async_connect(silent.local_endpoint(), [](const boost::system::error_code&) {});
  }
  auto pool = MakePool(silent.local_endpoint().port(), codec::Protocol::kHttp2);
  Recorder r;
  auto s = Open(*pool, r, true, std::chrono::milliseconds(200));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDeadlineExceeded) << s.status();
  EXPECT_EQ(FailureOf(s.status()), PoolFailure::kTimeout);
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_timeout"), 1u);
}

TEST_F(HttpConnPoolTest, Http1LendsAConnectionPerStreamAndReusesIt) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  Recorder a;
  auto sa = Open(*pool, a);
  ASSERT_TRUE(sa.ok()) << sa.status();
  EXPECT_EQ((*sa)->protocol(), codec::Protocol::kHttp1);
  ASSERT_TRUE(RunUntil(io_, [&] { return a.ended; }));
  EXPECT_EQ(a.headers->Status(), 200);
  EXPECT_EQ(a.data, "ok");

  Recorder b;  // a's connection is idle again
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sb.ok()) << sb.status();
  EXPECT_TRUE((*sb)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended; }));
  EXPECT_EQ(upstream.connections, 1);

  upstream.respond = false;
  Recorder c;
  auto sc = Open(*pool, c);
  ASSERT_TRUE(sc.ok()) << sc.status();
  Recorder d;  // while c's exchange is open: a connection of its own
  auto sd = Open(*pool, d);
  ASSERT_TRUE(sd.ok()) << sd.status();
  EXPECT_FALSE((*sd)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.requests == 4; }));
  EXPECT_EQ(upstream.connections, 2);
  EXPECT_EQ(pool->active_streams(), 2u);
  EXPECT_EQ(Counter("cluster.upstream_cx_http1_total"), 2u);
}

// An HTTP/1 pool (peeking after `peek_after_idle`) whose one connection the upstream closed right
// after answering, although it said keep-alive; the close has reached the kernel, the pump has not
// seen it.
class SilentlyClosedIdleTest : public HttpConnPoolTest {
 protected:
  std::shared_ptr<HttpConnPool> PoolWithClosedIdleConnection(std::chrono::milliseconds peek_after_idle) {
    HttpConnPool::Settings settings;
    settings.peek_after_idle = peek_after_idle;
    auto pool = MakePool(upstream_.port(), codec::Protocol::kHttp1, settings);
    upstream_.close_after_response = true;
    Recorder a;
    auto sa = Open(*pool, a);
    EXPECT_TRUE(sa.ok());
    EXPECT_TRUE(RunUntil(io_, [&] { return a.ended; }));
    sa->reset();
    EXPECT_TRUE(RunUntil(io_, [&] { return upstream_.connections == 1; }));
    upstream_.close_after_response = false;
    return pool;
  }

  Http1Upstream upstream_{io_};
};

// The peek at checkout finds the close (however briefly the connection was idle, here), and the
// stream goes on a new connection.
TEST_F(SilentlyClosedIdleTest, APeekedConnectionTheUpstreamClosedIsNotHandedOut) {
  auto pool = PoolWithClosedIdleConnection(std::chrono::milliseconds(0));
  Recorder b;
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sb.ok()) << sb.status();
  EXPECT_FALSE((*sb)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended || b.reset.has_value(); }));
  EXPECT_TRUE(b.ended);
  EXPECT_EQ(upstream_.connections, 2);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote"), 1u);
}

// A connection back in the pool a moment ago is lent without the peek (a syscall per request
// under load): the close is then found by the stream, as a reset of a reused connection, which
// UpstreamRequest retries.
TEST_F(SilentlyClosedIdleTest, AConnectionIdleBrieflyIsLentWithoutAPeek) {
  auto pool = PoolWithClosedIdleConnection(std::chrono::hours(1));
  Recorder b;
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sb.ok()) << sb.status();
  EXPECT_TRUE((*sb)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended || b.reset.has_value(); }));
  EXPECT_EQ(b.reset, codec::StreamResetReason::kConnectionTermination);
}

// A request that could not be retried after a reset (POST: not idempotent) is lent a connection
// only after the peek, however briefly it sat idle: the close is found before the request is sent.
TEST_F(SilentlyClosedIdleTest, ARequestThatCannotBeRetriedGetsAPeekedConnection) {
  auto pool = PoolWithClosedIdleConnection(std::chrono::hours(1));
  codec::HeaderMap post = Get();
  post.Set(codec::PseudoHeader::kMethod, "POST");
  Recorder b;
  EXPECT_EQ(pool->TryNewStream(post, true, b), nullptr);  // found closed and dropped: a connect is needed
  // A GET would have been lent that connection without a peek (the test above); it is gone.
  const codec::HeaderMap get = Get();
  Recorder c;
  EXPECT_EQ(pool->TryNewStream(get, true, c), nullptr);
  EXPECT_TRUE(RunUntil(io_, [&] { return Counter("cluster.upstream_cx_destroy_remote") == 1u; }));
}

// The request path's common case: an idle pooled connection lent at once, without NewStream's
// coroutine; anything else (no connection yet, draining) is left to NewStream.
TEST_F(HttpConnPoolTest, TryNewStreamLendsAnIdleConnectionAtOnce) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  Recorder none;
  EXPECT_EQ(pool->TryNewStream(request_, true, none), nullptr);  // a connect is needed
  Exchange(*pool);
  Recorder b;
  std::unique_ptr<UpstreamStream> sb = pool->TryNewStream(request_, true, b);
  ASSERT_NE(sb, nullptr);
  EXPECT_TRUE(sb->reused_connection());
  EXPECT_EQ(pool->TryNewStream(request_, true, none), nullptr);  // the only connection is lent
  ASSERT_TRUE(RunUntil(io_, [&] { return b.ended; }));
  EXPECT_EQ(b.data, "ok");
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 2u);
  sb.reset();
  pool->Drain();
  EXPECT_EQ(pool->TryNewStream(request_, true, none), nullptr);
}

TEST_F(HttpConnPoolTest, Http1StreamDestroyedMidwayClosesItsConnection) {
  Http1Upstream upstream(io_);
  upstream.respond = false;
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  Recorder a;
  auto sa = Open(*pool, a);
  ASSERT_TRUE(sa.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.requests == 1; }));
  sa->reset();
  EXPECT_EQ(pool->active_streams(), 0u);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.closed_by_client == 1; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 0; }));
  EXPECT_EQ(Counter("cluster.upstream_rq_tx_reset"), 1u);
}

TEST_F(HttpConnPoolTest, DrainTakesNoNewStreams) {
  Http2Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  Exchange(*pool);
  pool->Drain();
  Recorder b;
  auto sb = Open(*pool, b);
  EXPECT_EQ(sb.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 0; }));
}

// The upstream's RST_STREAM and the connection's end reach the cluster's stats: who reset (rx),
// why, and the HTTP/2 codec's own counters (the pool hands its codec the cluster's http2.*).
TEST_F(HttpConnPoolTest, Http2UpstreamResetsAndConnectionEndAreCountedAsRxResets) {
  Http2Upstream upstream(io_);
  upstream.respond = false;
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  Recorder a, b;
  auto sa = Open(*pool, a);
  auto sb = Open(*pool, b);
  ASSERT_TRUE(sa.ok() && sb.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.stream_count() == 2; }));
  EXPECT_EQ(Gauge("cluster.http2.streams_active"), 2);
  auto& server = *upstream.connections[0];
  server.codec->ResetStream(server.streams.begin()->first, codec::StreamResetReason::kLocalReset);
  server.pump->OutputReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return a.reset.has_value(); }));
  EXPECT_EQ(*a.reset, codec::StreamResetReason::kRemoteReset);
  EXPECT_EQ(Counter("cluster.upstream_rq_rx_reset"), 1u);
  EXPECT_EQ(ResetCause("remote_reset"), 1u);
  EXPECT_EQ(Counter("cluster.http2.rx_reset"), 1u);
  EXPECT_EQ(Gauge("cluster.http2.streams_active"), 1);

  server.pump->Close();
  ASSERT_TRUE(RunUntil(io_, [&] { return b.reset.has_value(); }));
  EXPECT_EQ(*b.reset, codec::StreamResetReason::kConnectionTermination);
  EXPECT_EQ(Counter("cluster.upstream_rq_rx_reset"), 2u);
  EXPECT_EQ(ResetCause("connection_termination"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_tx_reset"), 0u);
  EXPECT_EQ(Gauge("cluster.http2.streams_active"), 0);
}

}  // namespace
}  // namespace tether::upstream
