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

// Two connections (one stream each) go idle one after the other, the newer connection first; with
// room for one idle connection, the one idle the longest (not the oldest connection) is closed, and
// the last one released stays for reuse.
TEST_F(HttpConnPoolTest, IdleConnectionsBeyondTheLimitCloseTheLongestIdleFirst) {
  HttpConnPool::Settings settings;
  settings.max_idle_connections = 1;
  std::unique_ptr<Http2Upstream> up;
  auto pool = OneStreamAtATime(up, settings);  // connection 0, idle; its SETTINGS known
  Http2Upstream& upstream = *up;
  std::vector<Recorder> responses(2);
  std::vector<std::unique_ptr<UpstreamStream>> streams;
  for (Recorder& r : responses) {
    auto s = Open(*pool, r, /*end_stream=*/false);  // open until its request ends: a connection each
    ASSERT_TRUE(s.ok()) << s.status();
    streams.push_back(std::move(*s));
  }
  EXPECT_EQ(pool->connection_count(), 2u);
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections.size() == 2u; }));
  for (std::size_t i : {1u, 0u}) {  // connection 1 goes idle first
    ASSERT_TRUE(streams[i]->EncodeData({}, /*end_stream=*/true).ok());
    ASSERT_TRUE(RunUntil(io_, [&] { return responses[i].ended; }));
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections[1]->ended; }));
  EXPECT_FALSE(upstream.connections[0]->ended);
  EXPECT_EQ(pool->connection_count(), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_local"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_idle_timeout"), 0u);

  Recorder next;  // goes on the connection that was kept
  auto s = Open(*pool, next);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE((*s)->reused_connection());
  ASSERT_TRUE(RunUntil(io_, [&] { return next.ended; }));
  EXPECT_EQ(upstream.connections.size(), 2u);
  EXPECT_EQ(upstream.connections[0]->streams.size(), 3u);
}

// No idle connections at all: each released HTTP/1 connection is closed, the next request connects.
TEST_F(HttpConnPoolTest, ZeroIdleConnectionsClosesEachReleasedConnection) {
  Http1Upstream upstream(io_);
  HttpConnPool::Settings settings;
  settings.max_idle_connections = 0;
  auto pool = MakePool(upstream.port(), codec::Protocol::kHttp1, settings);
  for (int i = 0; i < 3; ++i) Exchange(*pool);
  EXPECT_EQ(upstream.connections, 3);
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
  std::vector<Recorder> responses(2);
  std::vector<std::unique_ptr<UpstreamStream>> streams;
  for (Recorder& r : responses) {
    auto s = Open(*pool, r, /*end_stream=*/false);
    ASSERT_TRUE(s.ok()) << s.status();
    streams.push_back(std::move(*s));
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections.size() == 2u; }));
  HttpConnPool::Settings lowered;
  lowered.protocol = codec::Protocol::kHttp2;
  lowered.max_idle_connections = 1;
  pool->SetSettings(lowered);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    ASSERT_TRUE(streams[i]->EncodeData({}, /*end_stream=*/true).ok());
    ASSERT_TRUE(RunUntil(io_, [&] { return responses[i].ended; }));
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return upstream.connections[0]->ended; }));
  EXPECT_FALSE(upstream.connections[1]->ended);
  EXPECT_EQ(pool->connection_count(), 1u);
}

}  // namespace
}  // namespace tether::upstream
