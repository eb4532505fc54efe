// The pool under a cluster's circuit breakers (ClusterResources): max_connections makes a request
// wait for room (pending), max_pending_requests and max_requests fail it at once, and a slot held
// by another pool's idle connection is handed over.
#include "src/upstream/http_conn_pool.h"

#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "src/upstream/cluster_resources.h"
#include "test/upstream/http_conn_pool_fixture.h"

namespace tether::upstream {
namespace {

using namespace tether::upstream::testing;
using namespace std::chrono_literals;

class HttpConnPoolLimitsTest : public HttpConnPoolTest {
 protected:
  std::shared_ptr<HttpConnPool> LimitedPool(uint16_t port, codec::Protocol protocol,
                                            const config::CircuitBreakerThresholds& thresholds) {
    config::Cluster cluster;
    cluster.name = "c";
    cluster.thresholds[0] = thresholds;
    resources_->Configure(cluster);
    return Limited(MakePool(port, protocol));
  }
  std::shared_ptr<HttpConnPool> Limited(std::shared_ptr<HttpConnPool> pool) {
    pool->SetResources(resources_);
    pools_.push_back(pool);
    return pool;
  }
  // Nothing completes `result` for a while (the request waits).
  bool StillWaiting(const Result& result) { return !RunUntil(io_, [&] { return result.has_value(); }, 200ms); }

  std::shared_ptr<ClusterResources> resources_ = std::make_shared<ClusterResources>(store_, "c");
  std::vector<std::shared_ptr<HttpConnPool>> pools_;
};

config::CircuitBreakerThresholds Limits(uint32_t connections, uint32_t pending, uint32_t requests = 1024) {
  config::CircuitBreakerThresholds t;
  t.max_connections = connections;
  t.max_pending_requests = pending;
  t.max_requests = requests;
  return t;
}

TEST_F(HttpConnPoolLimitsTest, AtMaxConnectionsARequestWaitsForASlot) {
  Http1Upstream upstream(io_);
  upstream.respond = false;  // the first request holds the one connection
  auto pool = LimitedPool(upstream.port(), codec::Protocol::kHttp1, Limits(1, 1));
  Recorder first;
  auto busy = Open(*pool, first);
  ASSERT_TRUE(busy.ok()) << busy.status();
  Recorder second;
  Result waiting;
  Begin(*pool, second, waiting);
  ASSERT_TRUE(StillWaiting(waiting));
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(Counter("cluster.upstream_cx_overflow"), 1u);
  EXPECT_EQ(Gauge("cluster.upstream_rq_pending_active"), 1);
  EXPECT_EQ(Gauge("cluster.circuit_breakers.default.cx_open"), 1);
  EXPECT_EQ(Gauge("cluster.circuit_breakers.default.rq_pending_open"), 1);

  upstream.respond = true;
  busy->reset();  // the first request goes (on HTTP/1 its connection with it): the slot is free
  ASSERT_TRUE(RunUntil(io_, [&] { return waiting.has_value(); }));
  ASSERT_TRUE(waiting->ok()) << waiting->status();
  ASSERT_TRUE(RunUntil(io_, [&] { return second.ended; }));
  EXPECT_EQ(second.data, "ok");
  EXPECT_EQ(upstream.connections, 2);  // one after the other, never two at once
  EXPECT_LE(Gauge("cluster.upstream_cx_active"), 1);
  EXPECT_EQ(Gauge("cluster.upstream_rq_pending_active"), 0);
  EXPECT_EQ(Counter("cluster.upstream_rq_pending_total"), 2u);  // both waited for a connection to be made
}

TEST_F(HttpConnPoolLimitsTest, AtMaxConnectionsAStreamThatEndsHandsOverItsConnection) {
  std::unique_ptr<Http2Upstream> upstream;
  codec::Http2Options options;
  options.max_concurrent_streams = 1;
  upstream = std::make_unique<Http2Upstream>(io_, options);
  auto pool = LimitedPool(upstream->port(), codec::Protocol::kHttp2, Limits(1, 1));
  Exchange(*pool);  // the connection heard the upstream's SETTINGS (one stream at a time)
  Recorder first;
  auto busy = OpenStream(*pool, first);
  ASSERT_TRUE(busy.ok()) << busy.status();
  Recorder second;
  Result waiting;
  Begin(*pool, second, waiting);
  ASSERT_TRUE(StillWaiting(waiting));
  busy->reset();  // RST_STREAM: the connection has room again
  ASSERT_TRUE(RunUntil(io_, [&] { return waiting.has_value(); }));
  ASSERT_TRUE(waiting->ok()) << waiting->status();
  ASSERT_TRUE(RunUntil(io_, [&] { return second.ended; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);  // the same connection served all three
}

TEST_F(HttpConnPoolLimitsTest, BeyondMaxPendingRequestsARequestFailsAtOnce) {
  Http1Upstream upstream(io_);
  auto pool = LimitedPool(upstream.port(), codec::Protocol::kHttp1, Limits(1, 1));
  Recorder first;
  auto busy = OpenStream(*pool, first);
  ASSERT_TRUE(busy.ok());
  Recorder second;
  Result waiting;
  Begin(*pool, second, waiting);
  ASSERT_TRUE(StillWaiting(waiting));
  Recorder third;
  auto refused = Open(*pool, third);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_EQ(Counter("cluster.upstream_rq_pending_overflow"), 1u);
  EXPECT_EQ(FailureOf(refused.status()), PoolFailure::kOverflow);
  busy->reset();  // the waiting request gets its connection before `waiting` goes
  ASSERT_TRUE(RunUntil(io_, [&] { return waiting.has_value(); }));
  EXPECT_TRUE(waiting->ok()) << waiting->status();
}

TEST_F(HttpConnPoolLimitsTest, AWaitingRequestCanBeWithdrawn) {
  Http1Upstream upstream(io_);
  auto pool = LimitedPool(upstream.port(), codec::Protocol::kHttp1, Limits(1, 5));
  Recorder first;
  auto busy = OpenStream(*pool, first);
  ASSERT_TRUE(busy.ok());
  StreamCancel cancel;
  Recorder second;
  Result waiting;
  Begin(*pool, second, waiting, &cancel);
  ASSERT_TRUE(StillWaiting(waiting));
  cancel.Cancel();
  ASSERT_TRUE(RunUntil(io_, [&] { return waiting.has_value(); }));
  EXPECT_EQ(waiting->status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Gauge("cluster.upstream_rq_pending_active"), 0);
  EXPECT_EQ(resources_->limits(config::Priority::kDefault).pending_requests.count(), 0u);
}

TEST_F(HttpConnPoolLimitsTest, MaxRequestsBoundsHttp2Streams) {
  Http2Upstream upstream(io_, {});
  auto pool = LimitedPool(upstream.port(), codec::Protocol::kHttp2, Limits(10, 10, 1));
  Recorder first;
  auto open = OpenStream(*pool, first);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(Gauge("cluster.circuit_breakers.default.rq_open"), 1);
  Recorder second;
  auto refused = Open(*pool, second);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_EQ(Counter("cluster.upstream_rq_pending_overflow"), 1u);
  open->reset();  // the first stream goes: its place is free again
  EXPECT_EQ(resources_->limits(config::Priority::kDefault).requests.count(), 0u);
  Exchange(*pool);
}

TEST_F(HttpConnPoolLimitsTest, AnIdleConnectionOfAnotherPoolGivesUpItsSlot) {
  Http1Upstream upstream(io_);
  auto holder = LimitedPool(upstream.port(), codec::Protocol::kHttp1, Limits(1, 1));
  Exchange(*holder);  // one connection, idle in `holder` (another worker's pool)
  ASSERT_EQ(holder->connection_count(), 1u);
  auto wanting = Limited(MakePool(upstream.port(), codec::Protocol::kHttp1));
  Recorder response;
  Result result;
  Begin(*wanting, response, result);
  ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
  ASSERT_TRUE(result->ok()) << result->status();
  ASSERT_TRUE(RunUntil(io_, [&] { return response.ended; }));
  EXPECT_EQ(holder->connection_count(), 0u);  // it closed its idle connection for the waiter
  EXPECT_EQ(upstream.connections, 2);
  EXPECT_LE(Gauge("cluster.upstream_cx_active"), 1);
  EXPECT_EQ(resources_->limits(config::Priority::kDefault).connections.count(), 1u);
}

}  // namespace
}  // namespace tether::upstream
