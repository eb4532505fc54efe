// A stream request withdrawn while it waits for its connection (StreamCancel, Envoy's
// CancelPolicy::Default): no stream opens, and the connection being made still becomes ready and
// serves the next stream, so clients resetting streams do not churn upstream connections.
#include "src/upstream/http_conn_pool.h"

#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "test/upstream/http_conn_pool_fixture.h"

namespace tether::upstream {
namespace {

using namespace tether::upstream::testing;

class HttpConnPoolCancelTest : public HttpConnPoolTest {
 protected:
  // Starts a NewStream that can be withdrawn and runs until its connection is being made.
  void BeginConnecting(HttpConnPool& pool, Recorder& response, Result& result, const StreamCancel& cancel) {
    Begin(pool, response, result, &cancel);
    ASSERT_TRUE(RunUntil(io_, [&] { return pool.connection_count() == 1; }));
    ASSERT_FALSE(result.has_value()) << "the connect was expected to be under way";
  }

  static void ExpectWithdrawn(const Result& result) {
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->status().code(), absl::StatusCode::kCancelled) << result->status();
  }

  // A NewStream withdrawn while its connection is being made, run until the pool answered it.
  void WithdrawWhileConnecting(HttpConnPool& pool) {
    StreamCancel cancel;
    Recorder withdrawn;
    Result result;
    BeginConnecting(pool, withdrawn, result, cancel);
    cancel.Cancel();
    ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
    ExpectWithdrawn(result);
  }
};

TEST_F(HttpConnPoolCancelTest, Http1WithdrawnWhileConnectingLeavesTheConnectionToTheNextStream) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  ASSERT_NO_FATAL_FAILURE(WithdrawWhileConnecting(*pool));
  // The connection was completed and kept: open, idle, and no request went on it.
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 1);
  EXPECT_EQ(pool->connection_count(), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 0u);
  EXPECT_EQ(Counter("cluster.upstream_rq_tx_reset"), 0u);

  Exchange(*pool);  // the next stream takes it
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(upstream.requests, 1);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_local"), 0u);
}

// The withdrawn request gives up its place on the connection being made: the next stream joins
// that connection (or finds it open and idle) instead of making a second one.
TEST_F(HttpConnPoolCancelTest, Http1NextStreamTakesTheWithdrawnOnesConnection) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  StreamCancel cancel;
  Recorder withdrawn, next;
  Result withdrawn_result, next_result;
  BeginConnecting(*pool, withdrawn, withdrawn_result, cancel);
  cancel.Cancel();
  Begin(*pool, next, next_result);
  ASSERT_TRUE(RunUntil(io_, [&] { return withdrawn_result.has_value() && next_result.has_value(); }));
  ExpectWithdrawn(withdrawn_result);
  ASSERT_TRUE(next_result->ok()) << next_result->status();
  ASSERT_TRUE(RunUntil(io_, [&] { return next.ended; }));
  EXPECT_EQ(next.data, "ok");
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(upstream.requests, 1);
}

TEST_F(HttpConnPoolCancelTest, Http2WithdrawnWhileConnectingOpensNoStream) {
  Http2Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp2);
  ASSERT_NO_FATAL_FAILURE(WithdrawWhileConnecting(*pool));
  Exchange(*pool);
  EXPECT_EQ(upstream.connections.size(), 1u);
  EXPECT_EQ(upstream.stream_count(), 1u);  // the exchange's only: no RST_STREAM for the withdrawn one
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 1u);
}

// Withdrawn before the pool looked at it: nothing is touched, the idle connection stays.
TEST_F(HttpConnPoolCancelTest, WithdrawnBeforeItStartsOpensNothing) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1);
  Exchange(*pool);
  StreamCancel cancel;
  cancel.Cancel();
  Recorder withdrawn;
  Result result;
  Begin(*pool, withdrawn, result, &cancel);
  ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
  ExpectWithdrawn(result);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 1u);
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 1);
  Exchange(*pool);
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(upstream.requests, 2);
}

// A connection kept for no stream is idle like any other: it closes after idle_timeout.
TEST_F(HttpConnPoolCancelTest, ConnectionKeptForAWithdrawnStreamClosesWhenIdle) {
  Http1Upstream upstream(io_);
  HttpConnPool::Settings settings;
  settings.idle_timeout = std::chrono::milliseconds(20);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1, settings);
  ASSERT_NO_FATAL_FAILURE(WithdrawWhileConnecting(*pool));
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 0; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_idle_timeout"), 1u);
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 0);
}

}  // namespace
}  // namespace tether::upstream
