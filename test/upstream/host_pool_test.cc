#include "src/upstream/host_pool.h"

#include "src/common/io.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

namespace tether::upstream {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class HostPoolTest : public ::testing::Test {
 protected:
  HostPoolTest() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  std::shared_ptr<HostPool> MakePool(uint16_t port) {
    auto cluster = std::make_shared<ClusterStats>(store_, "c");
    auto host = std::make_shared<HostStats>(store_, "c", "h");
    return std::make_shared<HostPool>(io_.get_executor(), config::Host{"127.0.0.1", port, 1}, host, cluster);
  }

  // Runs one Acquire to completion.
  absl::StatusOr<HostPool::Lease> Acquire(HostPool& pool, std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    std::optional<absl::StatusOr<HostPool::Lease>> result;
    asio::co_spawn(io_, [&]() -> Awaitable<void> {
      result = co_await pool.Acquire(timeout);
    }, asio::detached);
    io_.restart();
    while (!result && io_.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    EXPECT_TRUE(result.has_value());
    return result ? *std::move(result) : absl::InternalError("not run");
  }

  // Accepts one pending connection (the kernel completed the handshake already).
  TcpSocket AcceptOne() {
    TcpSocket s(io_);
    acceptor_.accept(s);
    return s;
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  uint64_t Counter(const std::string& family, const stats::Tags& tags) { return store_.CounterFor(family, tags).Value(); }

  asio::io_context io_;
  stats::Store store_;
  TcpAcceptor acceptor_;
};

TEST_F(HostPoolTest, ConnectsThenReusesAReleasedConnection) {
  auto pool = MakePool(port());
  auto first = Acquire(*pool);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->reused);
  TcpSocket server = AcceptOne();
  EXPECT_EQ(Counter("cluster.upstream_cx_total", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(store_.GaugeFor("cluster.upstream_cx_active", {{"cluster_name", "c"}}).Value(), 1);

  pool->Release(std::move(first->connection), true);
  EXPECT_EQ(pool->idle_count(), 1u);
  auto second = Acquire(*pool);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->reused);
  EXPECT_EQ(Counter("cluster.upstream_cx_total", {{"cluster_name", "c"}}), 1u);  // no new connection

  pool->Release(std::move(second->connection), false);  // not reusable: closed
  EXPECT_EQ(pool->idle_count(), 0u);
  EXPECT_EQ(store_.GaugeFor("cluster.upstream_cx_active", {{"cluster_name", "c"}}).Value(), 0);
}

TEST_F(HostPoolTest, AConnectionClosedByTheUpstreamIsNotReused) {
  auto pool = MakePool(port());
  auto first = Acquire(*pool);
  ASSERT_TRUE(first.ok());
  {
    TcpSocket server = AcceptOne();
    pool->Release(std::move(first->connection), true);
  }  // the upstream closes it while idle
  // On loopback the FIN is in the pooled socket's receive queue once close() returns.
  auto second = Acquire(*pool);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->reused);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_total", {{"cluster_name", "c"}}), 2u);
}

// An upstream restart (or its keep-alive timeout) closes every idle
// connection at once: none of them is lent, each is counted, and the lease is
// a new connection.
TEST_F(HostPoolTest, EveryIdleConnectionTheUpstreamClosedIsSkipped) {
  auto pool = MakePool(port());
  std::vector<HostPool::Lease> leases;
  for (int i = 0; i < 3; ++i) {
    auto lease = Acquire(*pool);
    ASSERT_TRUE(lease.ok()) << lease.status();
    leases.push_back(*std::move(lease));
  }
  {
    std::vector<TcpSocket> server_side;
    for (int i = 0; i < 3; ++i) server_side.push_back(AcceptOne());
    for (auto& lease : leases) pool->Release(std::move(lease.connection), true);
    ASSERT_EQ(pool->idle_count(), 3u);
  }  // the upstream closes all three
  EXPECT_EQ(pool->TakeIdle(), nullptr);
  EXPECT_EQ(pool->idle_count(), 0u);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote", {{"cluster_name", "c"}}), 3u);
  auto fresh = Acquire(*pool);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_FALSE(fresh->reused);
}

// Dropping a connection for our own idle_timeout is not the upstream closing it.
TEST_F(HostPoolTest, IdleTimeoutIsCountedApartFromRemoteCloses) {
  auto pool = MakePool(port());
  pool->SetLimits({std::chrono::milliseconds(0), 8, 0});  // every idle connection is already too old
  auto lease = Acquire(*pool);
  ASSERT_TRUE(lease.ok());
  TcpSocket server = AcceptOne();
  pool->Release(std::move(lease->connection), true);
  EXPECT_EQ(pool->TakeIdle(), nullptr);
  EXPECT_EQ(Counter("cluster.upstream_cx_idle_timeout", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote", {{"cluster_name", "c"}}), 0u);
}

// Bytes on an idle connection (a response nobody asked for) make it unusable,
// but the upstream did not close it.
TEST_F(HostPoolTest, AnIdleConnectionWithUnexpectedDataIsDropped) {
  auto pool = MakePool(port());
  auto lease = Acquire(*pool);
  ASSERT_TRUE(lease.ok());
  TcpSocket server = AcceptOne();
  pool->Release(std::move(lease->connection), true);
  asio::write(server, asio::buffer(std::string_view("HTTP/1.1 200 OK\r\n")));
  EXPECT_EQ(pool->TakeIdle(), nullptr);
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote", {{"cluster_name", "c"}}), 0u);
}

TEST_F(HostPoolTest, RefusedConnectIsUnavailableAndCounted) {
  const uint16_t closed = port();
  acceptor_.close();
  auto pool = MakePool(closed);
  auto lease = Acquire(*pool);
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_fail", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(Counter("cluster.host.cx_connect_fail", {{"cluster_name", "c"}, {"host", "h"}}), 1u);
}

// A listener that never accepts, with a backlog of 1: once its accept queue is
// full the kernel drops further SYNs, so a connect hangs on loopback too.
TEST_F(HostPoolTest, ConnectTimeoutIsDeadlineExceededAndCounted) {
  TcpAcceptor silent(io_);
  silent.open(tcp::v4());
  silent.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  silent.listen(1);
  const auto target = silent.local_endpoint();
  std::vector<std::unique_ptr<TcpSocket>> fillers;
  for (int i = 0; i < 8; ++i) {
    fillers.push_back(std::make_unique<TcpSocket>(io_));
    fillers.back()->async_connect(target, [](const boost::system::error_code&) {});
  }
  auto pool = MakePool(target.port());
  const auto start = std::chrono::steady_clock::now();
  auto lease = Acquire(*pool, std::chrono::milliseconds(200));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), absl::StatusCode::kDeadlineExceeded) << lease.status();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_timeout", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_fail", {{"cluster_name", "c"}}), 1u);
  EXPECT_EQ(store_.GaugeFor("cluster.upstream_cx_active", {{"cluster_name", "c"}}).Value(), 0);
}

TEST_F(HostPoolTest, LimitsOnIdleConnections) {
  auto pool = MakePool(port());
  pool->SetLimits({std::chrono::seconds(60), 1, 2});
  auto a = Acquire(*pool);
  auto b = Acquire(*pool);
  ASSERT_TRUE(a.ok() && b.ok());
  pool->Release(std::move(a->connection), true);
  pool->Release(std::move(b->connection), true);
  EXPECT_EQ(pool->idle_count(), 1u);  // max_idle = 1
  auto c = Acquire(*pool);
  ASSERT_TRUE(c.ok());
  c->connection->requests = 2;  // max_requests_per_connection reached
  pool->Release(std::move(c->connection), true);
  EXPECT_EQ(pool->idle_count(), 0u);
}

}  // namespace
}  // namespace tether::upstream
