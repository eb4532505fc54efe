#include "src/tracing/zipkin_reporter.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "test/tracing/fake_collector.h"

// Issue 12: the reporter sends through the collector cluster's machinery (its
// load balancer, host pools and stats), not a host list of its own.
namespace tether::tracing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Collectors on a thread of their own (the reporter has its own).
class Collectors {
 public:
  explicit Collectors(int n) {
    for (int i = 0; i < n; ++i) collectors_.push_back(std::make_unique<FakeCollector>(io_));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Collectors() {
    io_.stop();
    thread_.join();
  }
  config::Host host(int i, uint32_t weight = 1) const { return collectors_[static_cast<size_t>(i)]->host(weight); }
  int posts(int i) const { return collectors_[static_cast<size_t>(i)]->posts(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::vector<std::unique_ptr<FakeCollector>> collectors_;
  std::thread thread_;
};

class ZipkinReporterTest : public ::testing::Test {
 protected:
  ZipkinReporterTest() {
    config_.collector_cluster = "zipkin";
    config_.max_batch_size = 1;  // a POST per span
    config_.flush_interval = std::chrono::milliseconds(20);
  }
  std::shared_ptr<const config::Cluster> Cluster(std::vector<config::Host> hosts, uint32_t max_requests = 0) {
    auto c = std::make_shared<config::Cluster>();
    c->name = "zipkin";
    c->lb_policy = config::v1::Cluster::ROUND_ROBIN;
    c->hosts = std::move(hosts);
    c->max_requests_per_connection = max_requests;
    return c;
  }
  // Readiness, bounded: polls `done` for up to 10 s.
  static bool WaitFor(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  uint64_t Counter(const std::string& family, const stats::Tags& tags = {{"cluster_name", "zipkin"}}) {
    return store_.CounterFor(family, tags).Value();
  }
  stats::Tags HostTags(const config::Host& host) { return {{"cluster_name", "zipkin"}, {"host", host.Key()}}; }

  stats::Store store_;
  config::ZipkinConfig config_;
};

TEST_F(ZipkinReporterTest, BatchesGoToTheHostsTheClustersLoadBalancerPicks) {
  Collectors collectors(2);
  ZipkinReporter reporter(config_, store_);
  // Weighted round robin, 3:1 (a host list of the reporter's own went 1:1).
  reporter.SetCollectors(Cluster({collectors.host(0, 3), collectors.host(1, 1)}));
  for (int i = 0; i < 8; ++i) reporter.Report("{}");
  ASSERT_TRUE(WaitFor([&] { return Counter("tracing.zipkin.reports_sent", {}) == 8; }))
      << Counter("tracing.zipkin.reports_sent", {});
  EXPECT_EQ(collectors.posts(0), 6);
  EXPECT_EQ(collectors.posts(1), 2);
  EXPECT_EQ(Counter("cluster.upstream_rq_total"), 8u);
  EXPECT_EQ(Counter("cluster.upstream_rq_2xx"), 8u);
  EXPECT_EQ(Counter("cluster.host.rq_total", HostTags(collectors.host(0))), 6u);
  EXPECT_EQ(Counter("cluster.host.rq_success", HostTags(collectors.host(1))), 2u);
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 2u);  // one kept-alive connection per host
  EXPECT_EQ(store_.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "zipkin"}}).Read().count, 8u);
  reporter.Stop();
}

TEST_F(ZipkinReporterTest, TheClustersConnectionLimitsHold) {
  Collectors collectors(1);
  ZipkinReporter reporter(config_, store_);
  reporter.SetCollectors(Cluster({collectors.host(0)}, /*max_requests=*/1));
  for (int i = 0; i < 3; ++i) reporter.Report("{}");
  ASSERT_TRUE(WaitFor([&] { return Counter("tracing.zipkin.reports_sent", {}) == 3; }));
  EXPECT_EQ(Counter("cluster.upstream_cx_total"), 3u);  // a connection per request
  reporter.Stop();
}

TEST_F(ZipkinReporterTest, WithoutHostsSpansWaitUntilTheClusterHasSome) {
  Collectors collectors(1);
  ZipkinReporter reporter(config_, store_);
  reporter.SetCollectors(Cluster({}));
  reporter.Report("{}");
  // Each flush finds no host and counts it, as a request would (503 UH).
  ASSERT_TRUE(WaitFor([&] { return Counter("cluster.upstream_cx_none_healthy") >= 2; }));
  EXPECT_EQ(Counter("tracing.zipkin.reports_sent", {}), 0u);
  reporter.SetCollectors(Cluster({collectors.host(0)}));
  ASSERT_TRUE(WaitFor([&] { return Counter("tracing.zipkin.reports_sent", {}) == 1; }));
  EXPECT_EQ(collectors.posts(0), 1);
  reporter.Stop();
}

TEST_F(ZipkinReporterTest, ADownCollectorIsCountedAndReportNeverWaits) {
  config::Host gone;
  {
    asio::io_context io;
    tcp::acceptor closed(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    gone = {"127.0.0.1", closed.local_endpoint().port()};
  }  // nothing listens there any more
  ZipkinReporter reporter(config_, store_);
  reporter.SetCollectors(Cluster({gone}));
  for (int i = 0; i < 3; ++i) reporter.Report("{}");
  ASSERT_TRUE(WaitFor([&] { return Counter("tracing.zipkin.reports_failed", {}) >= 1; }));
  EXPECT_GE(Counter("cluster.upstream_cx_connect_fail"), 1u);
  EXPECT_EQ(Counter("tracing.zipkin.reports_sent", {}), 0u);
  reporter.Stop();
}

}  // namespace
}  // namespace tether::tracing
