#include "src/tracing/collector_client.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "test/tracing/fake_collector.h"

// Issue 10 item 7: the reporter's POSTs are counted as the collector
// cluster's upstream traffic, under the data path's names.
namespace tether::tracing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class CollectorClientTest : public ::testing::Test {
 protected:
  CollectorClientTest() { config_.collector_cluster = "zipkin"; }

  // The collector cluster with these hosts, as the reporter's ClusterManager holds it.
  void SetHosts(std::vector<config::Host> hosts, uint32_t max_requests_per_connection = 0,
                uint32_t max_idle_connections_per_host = 1024) {
    auto cluster = std::make_shared<config::Cluster>();
    cluster->name = "zipkin";
    cluster->hosts = std::move(hosts);
    cluster->max_requests_per_connection = max_requests_per_connection;
    cluster->max_idle_connections_per_host = max_idle_connections_per_host;
    clusters_.Update(upstream::ClusterManager::Clusters{{"zipkin", cluster}});
  }

  // One POST to the host the cluster picks, run to completion (bounded).
  std::optional<bool> Post() {
    std::optional<bool> result;
    asio::co_spawn(io_.get_executor(), [&]() -> Awaitable<void> {
      const std::string body = "[]";
      result = co_await client_.Post(body, clusters_.ChoosePool("zipkin", codec::Protocol::kHttp1));
    }, asio::detached);
    io_.restart();
    while (!result && io_.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    return result;
  }
  // Runs the loop until `done` (bounded): a connection's close is counted when its pump ends.
  bool WaitFor(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(50));
    }
    return done();
  }
  uint64_t Counter(const std::string& family, const stats::Tags& tags = {{"cluster_name", "zipkin"}}) {
    return store_.CounterFor(family, tags).Value();
  }
  int64_t Gauge(const std::string& family) { return store_.GaugeFor(family, {{"cluster_name", "zipkin"}}).Value(); }
  stats::Tags HostTags(const config::Host& host) { return {{"cluster_name", "zipkin"}, {"host", host.Key()}}; }

  // The store outlives the io_context: what its end destroys (connections, their circuit breaker
  // places) may still count into it.
  stats::Store store_;
  asio::io_context io_;
  config::ZipkinConfig config_;
  upstream::ClusterManager clusters_{io_.get_executor(), store_, 1};
  CollectorClient client_{config_, std::chrono::milliseconds(200)};
};

TEST_F(CollectorClientTest, AnAcceptedReportIsCountedAsClusterTraffic) {
  FakeCollector collector(io_, 202, 100);
  SetHosts({collector.host()});
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 2u);
  EXPECT_EQ(Counter("cluster.upstream_rq_2xx"), 2u);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);  // kept alive
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 1);
  EXPECT_EQ(Gauge("cluster.upstream_rq_active"), 0);
  EXPECT_EQ(store_.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "zipkin"}}).Read().count, 2u);
  EXPECT_EQ(Counter("cluster.host.rq_total", HostTags(collector.host())), 2u);
  EXPECT_EQ(Counter("cluster.host.rq_success", HostTags(collector.host())), 2u);
  // The flat names /stats shows, as for any cluster.
  EXPECT_EQ(stats::Store::FlatName("cluster.upstream_rq_total", {{"cluster_name", "zipkin"}}),
            "cluster.zipkin.upstream_rq_total");
}

TEST_F(CollectorClientTest, ARefusedReportIsA5xx) {
  FakeCollector collector(io_, 503, 100);
  SetHosts({collector.host()});
  EXPECT_EQ(Post(), false);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_5xx"), 1u);
  EXPECT_EQ(Counter("cluster.host.rq_error", HostTags(collector.host())), 1u);
}

TEST_F(CollectorClientTest, ACollectorThatIsNotThereIsAConnectFailure) {
  config::Host gone;
  {
    tcp::acceptor closed(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    gone = {"127.0.0.1", closed.local_endpoint().port()};
  }  // nothing listens there any more
  SetHosts({gone});
  EXPECT_EQ(Post(), false);
  // No stream was opened: counted as the data path counts it (per stream, Envoy's way).
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 0u);
  EXPECT_EQ(Counter("cluster.host.rq_error", HostTags(gone)), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_cx_connect_fail"), 1u);
  EXPECT_EQ(Gauge("cluster.upstream_cx_active"), 0);
  EXPECT_EQ(Gauge("cluster.upstream_rq_active"), 0);
}

TEST_F(CollectorClientTest, AKeptConnectionTheCollectorClosedIsReplacedAndCounted) {
  FakeCollector collector(io_, 202, 1);  // closes after each answer, without saying so
  SetHosts({collector.host()});
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 2u);
  // Seen closed either by the pool (the connection's reader, or its check of the idle
  // connection) or by the failed exchange, then retried once on a new connection
  // (upstream_rq_retry_stale_connection; a retry is a stream of its own, as on the data path):
  // the connection is counted once either way.
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 2u + Counter("cluster.upstream_rq_retry_stale_connection"));
  EXPECT_LE(Counter("cluster.upstream_rq_retry_stale_connection"), 1u);
  EXPECT_TRUE(WaitFor([&] { return Gauge("cluster.upstream_cx_active") == 1; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_remote"), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_2xx"), 2u);
}

// The cluster's connection limits hold for collector traffic too.
TEST_F(CollectorClientTest, MaxRequestsPerConnectionIsTheCluster) {
  FakeCollector collector(io_, 202, 100);
  SetHosts({collector.host()}, /*max_requests_per_connection=*/1);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 3u);  // a connection per request
  EXPECT_TRUE(WaitFor([&] { return Gauge("cluster.upstream_cx_active") == 0; }));
  EXPECT_EQ(Counter("cluster.host.cx_total", HostTags(collector.host())), 3u);
}

// A collector that takes the connection and never answers: the POST ends at the client's timeout,
// counted, and its connection is closed (an HTTP/1 exchange cut midway cannot be reused).
TEST_F(CollectorClientTest, ACollectorThatNeverAnswersTimesOut) {
  tcp::acceptor silent(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket accepted(io_);
  silent.async_accept(accepted, [](const boost::system::error_code&) {});
  const config::Host host{"127.0.0.1", silent.local_endpoint().port()};
  SetHosts({host});
  EXPECT_EQ(Post(), false);
  EXPECT_EQ(Counter("cluster.upstream_rq_timeout"), 1u);
  EXPECT_EQ(Counter("cluster.host.rq_timeout", HostTags(host)), 1u);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 1u);
  EXPECT_EQ(Gauge("cluster.upstream_rq_active"), 0);
  EXPECT_TRUE(WaitFor([&] { return Gauge("cluster.upstream_cx_active") == 0; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_destroy_local"), 1u);
}

// The cluster's max_idle_connections_per_host holds for collector traffic too: with none, each
// report's connection is closed once answered.
TEST_F(CollectorClientTest, MaxIdleConnectionsPerHostIsTheCluster) {
  FakeCollector collector(io_, 202, 100);
  SetHosts({collector.host()}, 0, /*max_idle_connections_per_host=*/0);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Post(), true);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 2u);
  EXPECT_TRUE(WaitFor([&] { return Gauge("cluster.upstream_cx_active") == 0; }));
  EXPECT_EQ(Counter("cluster.upstream_rq_2xx"), 2u);
}

}  // namespace
}  // namespace tether::tracing
