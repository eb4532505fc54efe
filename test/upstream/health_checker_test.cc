#include "src/upstream/health_checker.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/upstream/health_check_manager.h"
#include "test/support/run_until.h"

namespace tether::upstream {
namespace {

using namespace std::chrono_literals;
using tether::testing::RunUntil;

// HTTP/1.1 on loopback answering every request head with `status` (keep-alive), or never
// answering (`answer` off). Keeps each request head it read.
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(boost::asio::io_context& io)
      : io_(io), acceptor_(io.get_executor(), {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    boost::asio::co_spawn(io, Accept(), boost::asio::detached);
  }
  ~ScriptedUpstream() { Close(); }
  // Stops listening and drops its connections: probes now fail (refused).
  void Close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sockets_) s->close(ignored);
  }
  uint16_t port() const { return port_; }
  config::Host host() const { return {"127.0.0.1", port_, 1}; }

  int status = 200;
  bool answer = true;
  std::vector<std::string> heads;

 private:
  Awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      sockets_.push_back(std::make_unique<TcpSocket>(std::move(socket)));
      boost::asio::co_spawn(io_, Serve(*sockets_.back()), boost::asio::detached);
    }
  }
  Awaitable<void> Serve(TcpSocket& socket) {
    std::string in;
    char buf[4096];
    for (;;) {
      auto [ec, n] = co_await socket.async_read_some(boost::asio::buffer(buf), kNoThrow);
      if (ec) co_return;
      in.append(buf, n);
      for (std::size_t end; (end = in.find("\r\n\r\n")) != std::string::npos;) {
        heads.push_back(in.substr(0, end));
        in.erase(0, end + 4);
        if (!answer) continue;
        const std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\n\r\nok";
        co_await boost::asio::async_write(socket, boost::asio::buffer(response), kNoThrow);
      }
    }
  }

  boost::asio::io_context& io_;
  TcpAcceptor acceptor_;
  uint16_t port_ = acceptor_.local_endpoint().port();
  std::vector<std::unique_ptr<TcpSocket>> sockets_;
};

// A port nobody listens on (bound, then closed).
uint16_t ClosedPort(boost::asio::io_context& io) {
  TcpAcceptor a(io.get_executor(), {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

config::HealthCheck HttpCheck() {
  config::HealthCheck c;
  c.kind = config::HealthCheck::Kind::kHttp;
  c.timeout = 200ms;
  c.interval = 20ms;
  c.unhealthy_interval = 20ms;
  c.no_traffic_interval = 20ms;
  c.unhealthy_threshold = 3;
  c.healthy_threshold = 2;
  c.path = "/healthz";
  c.expected_statuses = {{200, 201}};
  return c;
}

class HealthCheckerTest : public ::testing::Test {
 protected:
  config::Cluster Cluster(std::vector<config::Host> hosts, config::HealthCheck check) {
    config::Cluster c;
    c.name = "web";
    c.hosts = std::move(hosts);
    c.health_checks = {std::move(check)};
    return c;
  }
  // The host's flags as the workers see them.
  bool Failed(const config::Host& h) { return resources_->health().Host(h.Key())->Has(HealthFlag::kFailedActiveHc); }
  uint64_t Stat(const std::string& name) { return store_.CounterFor("cluster.health_check." + name, Tags()).Value(); }
  int64_t Healthy() { return store_.GaugeFor("cluster.health_check.healthy", Tags()).Value(); }
  static stats::Tags Tags() { return {{"cluster_name", "web"}}; }
  std::unique_ptr<HealthChecker> Start(const config::Cluster& c) {
    resources_->health().SetHosts(c.hosts);
    return std::make_unique<HealthChecker>(io_.get_executor(), store_, resources_, c, 1);
  }

  boost::asio::io_context io_;
  stats::Store store_;
  ClusterResourcesRegistry registry_{store_};
  std::shared_ptr<ClusterResources> resources_ = registry_.For("web");
};

TEST_F(HealthCheckerTest, NewHostIsFailedUntilItsFirstPassThenFailsAfterThresholdNetworkFailures) {
  ScriptedUpstream up(io_);
  auto checker = Start(Cluster({up.host()}, HttpCheck()));
  EXPECT_TRUE(Failed(up.host()));  // before any probe
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(up.host()); }));
  EXPECT_EQ(Healthy(), 1);
  EXPECT_EQ(Stat("success"), 1u);  // the first pass marks a never-checked host healthy
  ASSERT_FALSE(up.heads.empty());
  EXPECT_NE(up.heads[0].find("GET /healthz HTTP/1.1"), std::string::npos) << up.heads[0];
  EXPECT_NE(up.heads[0].find("user-agent: Envoy/HC"), std::string::npos) << up.heads[0];
  EXPECT_NE(up.heads[0].find("Host: web"), std::string::npos) << up.heads[0];

  up.Close();  // refused from now on: network failures, counted toward unhealthy_threshold
  const uint64_t failures_before = Stat("network_failure");
  ASSERT_TRUE(RunUntil(io_, [&] { return Failed(up.host()); }));
  EXPECT_EQ(Stat("network_failure") - failures_before, 3u);  // exactly unhealthy_threshold
  EXPECT_EQ(Healthy(), 0);
  EXPECT_EQ(Stat("failure"), Stat("network_failure"));
  EXPECT_EQ(Stat("attempt"), Stat("success") + Stat("failure"));
}

TEST_F(HealthCheckerTest, UnhealthyHostNeedsHealthyThresholdPasses) {
  ScriptedUpstream up(io_);
  up.status = 503;
  auto checker = Start(Cluster({up.host()}, HttpCheck()));
  ASSERT_TRUE(RunUntil(io_, [&] { return Stat("failure") >= 2; }));
  EXPECT_TRUE(Failed(up.host()));
  EXPECT_EQ(Stat("network_failure"), 0u);  // answered: an active failure
  up.status = 200;
  const uint64_t passes_before = Stat("success");
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(up.host()); }));
  EXPECT_EQ(Stat("success") - passes_before, 2u);  // healthy_threshold, not the first-check shortcut
  // Envoy: an answer that is not expected fails a healthy host at once, whatever the threshold.
  up.status = 500;
  const uint64_t failures_before = Stat("failure");
  ASSERT_TRUE(RunUntil(io_, [&] { return Failed(up.host()); }));
  EXPECT_EQ(Stat("failure") - failures_before, 1u);
}

TEST_F(HealthCheckerTest, ExpectedStatusesAreHonoured) {
  ScriptedUpstream up(io_);
  up.status = 204;
  config::HealthCheck check = HttpCheck();
  check.expected_statuses = {{200, 201}, {204, 205}};
  check.host = "probe.local";
  check.request_headers_to_add = {{"x-probe", "1", config::v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD}};
  auto checker = Start(Cluster({up.host()}, check));
  ASSERT_TRUE(RunUntil(io_, [&] { return Stat("success") >= 2; }));
  EXPECT_FALSE(Failed(up.host()));
  EXPECT_EQ(Stat("failure"), 0u);
  EXPECT_NE(up.heads[0].find("Host: probe.local"), std::string::npos) << up.heads[0];
  EXPECT_NE(up.heads[0].find("x-probe: 1"), std::string::npos) << up.heads[0];
  up.status = 200;
  check.expected_statuses = {{204, 205}};  // 200 no longer passes: changed live
  checker->Update(Cluster({up.host()}, check));
  ASSERT_TRUE(RunUntil(io_, [&] { return Failed(up.host()); }));
}

TEST_F(HealthCheckerTest, ProbeTimesOutAgainstAnUpstreamThatNeverAnswers) {
  ScriptedUpstream up(io_);
  up.answer = false;
  config::HealthCheck check = HttpCheck();
  check.timeout = 50ms;
  check.unhealthy_threshold = 1;
  auto checker = Start(Cluster({up.host()}, check));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunUntil(io_, [&] { return Stat("network_failure") >= 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2 * check.timeout);  // each probe waited its timeout
  EXPECT_EQ(Stat("success"), 0u);
  EXPECT_TRUE(Failed(up.host()));
}

TEST_F(HealthCheckerTest, TcpCheckAgainstAClosedPortFails) {
  ScriptedUpstream up(io_);
  const config::Host closed{"127.0.0.1", ClosedPort(io_), 1};
  config::HealthCheck check = HttpCheck();
  check.kind = config::HealthCheck::Kind::kTcp;
  auto checker = Start(Cluster({up.host(), closed}, check));
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(up.host()) && Stat("network_failure") >= 2; }));
  EXPECT_TRUE(Failed(closed));
  EXPECT_TRUE(up.heads.empty());  // a TCP check sends nothing
  EXPECT_EQ(Healthy(), 1);
}

TEST_F(HealthCheckerTest, HostsThatStayKeepTheirStateNewOnesStartFailedAndLeaversStop) {
  ScriptedUpstream a(io_);
  ScriptedUpstream b(io_);
  auto checker = Start(Cluster({a.host()}, HttpCheck()));
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(a.host()); }));
  config::Cluster both = Cluster({a.host(), b.host()}, HttpCheck());
  resources_->health().SetHosts(both.hosts);
  checker->Update(both);
  EXPECT_FALSE(Failed(a.host()));  // kept
  EXPECT_TRUE(Failed(b.host()));   // new: until its first pass
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(b.host()); }));
  EXPECT_EQ(Healthy(), 2);
  config::Cluster only_b = Cluster({b.host()}, HttpCheck());
  resources_->health().SetHosts(only_b.hosts);
  checker->Update(only_b);
  EXPECT_EQ(checker->Find(a.host().Key()), nullptr);
  EXPECT_EQ(Healthy(), 1);
  const std::size_t a_probes = a.heads.size();
  RunUntil(io_, [] { return false; }, 150ms);  // several intervals: a is probed no more
  EXPECT_EQ(a.heads.size(), a_probes);
  checker.reset();  // the checks go: no host is held out by them
  EXPECT_FALSE(Failed(b.host()));
  // The probe connections close after their checker went, reading into buffers they still hold;
  // a probe already written may still land, none starts.
  RunUntil(io_, [] { return false; }, 50ms);
  const std::size_t b_probes = b.heads.size();
  RunUntil(io_, [] { return false; }, 100ms);
  EXPECT_EQ(b.heads.size(), b_probes);
}

TEST_F(HealthCheckerTest, NoTrafficIntervalUntilTheClusterHasTraffic) {
  ScriptedUpstream up(io_);
  config::HealthCheck check = HttpCheck();
  check.no_traffic_interval = 10s;
  auto checker = Start(Cluster({up.host()}, check));
  ASSERT_TRUE(RunUntil(io_, [&] { return Stat("attempt") >= 1; }));
  RunUntil(io_, [] { return false; }, 200ms);  // ten intervals without traffic: no second probe
  EXPECT_EQ(Stat("attempt"), 1u);
  store_.CounterFor("cluster.upstream_cx_total", Tags()).Inc();  // the workers' first connection
  ASSERT_TRUE(RunUntil(io_, [&] { return Stat("attempt") >= 3; }, 2s));
}

TEST_F(HealthCheckerTest, ManagerAppliesEdsHealthAndStartsAndStopsCheckers) {
  ScriptedUpstream up(io_);
  HealthCheckManager manager(io_.get_executor(), store_, registry_);
  auto snapshot = std::make_shared<config::Snapshot>();
  config::Host drained = {"127.0.0.1", ClosedPort(io_), 1};
  drained.eds_unhealthy = true;
  snapshot->clusters["web"] = std::make_shared<config::Cluster>(Cluster({up.host(), drained}, HttpCheck()));
  manager.Update(*snapshot);
  ASSERT_NE(manager.Find("web"), nullptr);
  ASSERT_TRUE(RunUntil(io_, [&] { return !Failed(up.host()); }));
  auto flags = manager.HostFlags("web");
  EXPECT_EQ(flags[up.host().Key()], 0u);
  EXPECT_EQ(flags[drained.Key()], static_cast<uint32_t>(HealthFlag::kFailedEdsHealth) |
                                      static_cast<uint32_t>(HealthFlag::kFailedActiveHc));
  auto without_checks = std::make_shared<config::Snapshot>();
  config::Cluster plain = Cluster({up.host(), drained}, HttpCheck());
  plain.health_checks.clear();
  without_checks->clusters["web"] = std::make_shared<config::Cluster>(plain);
  manager.Update(*without_checks);
  EXPECT_EQ(manager.Find("web"), nullptr);
  flags = manager.HostFlags("web");
  EXPECT_EQ(flags[drained.Key()], static_cast<uint32_t>(HealthFlag::kFailedEdsHealth));  // EDS only now
  manager.Update(config::Snapshot{});
  EXPECT_TRUE(manager.HostFlags("web").empty());
}

}  // namespace
}  // namespace tether::upstream
