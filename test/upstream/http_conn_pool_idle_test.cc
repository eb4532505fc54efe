// The pool's limit on idle connections: max_idle_connections (the cluster's
// max_idle_connections_per_host).
#include "src/upstream/http_conn_pool.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "test/upstream/http_conn_pool_fixture.h"

namespace tether::upstream {
namespace {

using namespace tether::upstream::testing;

// Streams that each hold an HTTP/2 connection of a pool to a one-stream-at-a-time upstream until
// their request ends.
class BusyConnections {
 public:
  BusyConnections(HttpConnPoolTest& test, HttpConnPool& pool, std::size_t n) : responses_(n) {
    for (Recorder& r : responses_) {
      auto s = test.OpenStream(pool, r);
      EXPECT_TRUE(s.ok()) << s.status();
      if (s.ok()) streams_.push_back(std::move(*s));
    }
  }
  // Ends stream `i`'s request; true once its answer came (its connection is idle then).
  bool Finish(boost::asio::io_context& io, std::size_t i) {
    if (i >= streams_.size() || !streams_[i]->EncodeData({}, /*end_stream=*/true).ok()) return false;
    return RunUntil(io, [&] { return responses_[i].ended; });
  }

 private:
  std::vector<Recorder> responses_;  // outlive the streams
  std::vector<std::unique_ptr<UpstreamStream>> streams_;
};

// Two connections (one stream each) go idle one after the other, the newer connection first; with
// room for one idle connection, the one idle the longest (not the oldest connection) is closed, and
// the last one released stays for reuse.
TEST_F(HttpConnPoolTest, IdleConnectionsBeyondTheLimitCloseTheLongestIdleFirst) {
  HttpConnPool::Settings settings;
  settings.max_idle_connections = 1;
  std::unique_ptr<Http2Upstream> up;
  auto pool = OneStreamAtATime(up, settings);  // connection 0, idle; its SETTINGS known
  Http2Upstream& upstream = *up;
  BusyConnections busy(*this, *pool, 2);  // connection 0 again, and connection 1
  EXPECT_EQ(pool->connection_count(), 2u);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections.size() == 2u; }));
  ASSERT_TRUE(busy.Finish(io_, 1));  // connection 1 goes idle first
  ASSERT_TRUE(busy.Finish(io_, 0));
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections[1]->ended; }));
  EXPECT_FALSE(upstream.connections[0]->ended);
  EXPECT_EQ(pool->connection_count(), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_local"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_idle_timeout"), 0u);

  Exchange(*pool);  // on the connection that was kept
  EXPECT_EQ(upstream.connections.size(), 2u);
  EXPECT_EQ(upstream.connections[0]->streams.size(), 3u);
}

// No idle connections at all: each released HTTP/1 connection is closed, the next request connects.
TEST_F(HttpConnPoolTest, ZeroIdleConnectionsClosesEachReleasedConnection) {
  Http1Upstream upstream(io_);
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1, {.max_idle_connections = 0});
  Exchange(*pool);
  Exchange(*pool);
  Exchange(*pool);
  EXPECT_EQ(upstream.connections, 3);  // each on a new connection
  ASSERT_TRUE(RunUntil(io_, [&] { return pool->connection_count() == 0; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.closed_by_client == 3; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 3u);
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 0);
}

// A limit applied by a config update holds for the connections already open.
TEST_F(HttpConnPoolTest, ALoweredIdleLimitAppliesToOpenConnections) {
  std::unique_ptr<Http2Upstream> up;
  auto pool = OneStreamAtATime(up);
  Http2Upstream& upstream = *up;
  BusyConnections busy(*this, *pool, 2);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections.size() == 2u; }));
  HttpConnPool::Settings lowered;
  lowered.protocol = codec::Protocol::kHttp2;
  lowered.max_idle_connections = 1;
  pool->SetSettings(lowered);
  ASSERT_TRUE(busy.Finish(io_, 0));
  ASSERT_TRUE(busy.Finish(io_, 1));
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections[0]->ended; }));
  EXPECT_FALSE(upstream.connections[1]->ended);
  EXPECT_EQ(pool->connection_count(), 1u);
}

}  // namespace
}  // namespace tether::upstream
