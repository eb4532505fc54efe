// The load balancer's view of host health: unhealthy hosts are skipped, and below the panic
// threshold every host is picked from.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <set>

#include "src/upstream/cluster_manager.h"

namespace tether::upstream {
namespace {

std::shared_ptr<const config::Cluster> Web(std::size_t hosts, double panic = 50) {
  auto c = std::make_shared<config::Cluster>();
  c->name = "web";
  for (std::size_t i = 0; i < hosts; ++i) c->hosts.push_back({"10.0.0." + std::to_string(i + 1), 80, 1});
  c->healthy_panic_threshold = panic;
  return c;
}

class ClusterManagerHealthTest : public ::testing::Test {
 protected:
  stats::Store store_;
  boost::asio::io_context io_;
  ClusterManager manager_{io_.get_executor(), store_, 1};

  void Use(std::shared_ptr<const config::Cluster> cluster) {
    ClusterManager::Clusters clusters;
    clusters["web"] = std::move(cluster);
    manager_.Update(clusters);
  }
  ClusterHealth& Health() { return manager_.ChoosePool("web", codec::Protocol::kHttp1).resources->health(); }
  void Mark(const std::string& host, HealthFlag flag) {
    ClusterHealth& health = Health();
    ASSERT_TRUE(health.SetFlag(*health.Host(host), flag, true));
  }
  std::set<std::string> Picked(int n) {
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
      const auto pick = manager_.ChoosePool("web", codec::Protocol::kHttp1);
      seen.insert(pick.pool ? pick.pool->host_address() : "none");
    }
    return seen;
  }
  int64_t Panics() {
    return static_cast<int64_t>(
        store_.CounterFor("cluster.upstream_rq_lb_healthy_panic", {{"cluster_name", "web"}}).Value());
  }
};

TEST_F(ClusterManagerHealthTest, AnEjectedHostIsSkippedByEveryPick) {
  Use(Web(3));
  Mark("10.0.0.2:80", HealthFlag::kFailedOutlierCheck);
  EXPECT_EQ(Picked(30), (std::set<std::string>{"10.0.0.1:80", "10.0.0.3:80"}));
  EXPECT_EQ(Panics(), 0);
  EXPECT_EQ(store_.GaugeFor("cluster.membership_healthy", {{"cluster_name", "web"}}).Value(), 2);
}

TEST_F(ClusterManagerHealthTest, TheChosenHostsHealthRecordComesWithThePick) {
  Use(Web(1));
  const auto pick = manager_.ChoosePool("web", codec::Protocol::kHttp1);
  ASSERT_NE(pick.health, nullptr);
  EXPECT_EQ(pick.health->key(), "10.0.0.1:80");
}

TEST_F(ClusterManagerHealthTest, BelowThePanicThresholdEveryHostIsPickedFrom) {
  Use(Web(2));
  Mark("10.0.0.1:80", HealthFlag::kFailedOutlierCheck);
  // One of two healthy is 50%: not below the default threshold.
  EXPECT_EQ(Picked(10), (std::set<std::string>{"10.0.0.2:80"}));
  Mark("10.0.0.2:80", HealthFlag::kFailedActiveHc);
  EXPECT_EQ(Picked(10), (std::set<std::string>{"10.0.0.1:80", "10.0.0.2:80"}));
  EXPECT_EQ(Panics(), 10);
}

TEST_F(ClusterManagerHealthTest, AZeroThresholdNeverPanics) {
  Use(Web(2, /*panic=*/0));
  Mark("10.0.0.1:80", HealthFlag::kFailedOutlierCheck);
  Mark("10.0.0.2:80", HealthFlag::kFailedOutlierCheck);
  EXPECT_EQ(Picked(3), (std::set<std::string>{"none"}));
  EXPECT_EQ(Panics(), 0);
}

TEST_F(ClusterManagerHealthTest, EdsHealthStatusKeepsAHostOut) {
  auto cluster = std::make_shared<config::Cluster>(*Web(3));
  cluster->hosts[0].eds_unhealthy = true;
  Use(cluster);
  Health().SetHosts(cluster->hosts);  // the main thread's part (OutlierSweeper::Update)
  EXPECT_EQ(Picked(30), (std::set<std::string>{"10.0.0.2:80", "10.0.0.3:80"}));
  cluster->hosts[0].eds_unhealthy = false;
  Health().SetHosts(cluster->hosts);
  EXPECT_EQ(Picked(30).size(), 3u);
}

}  // namespace
}  // namespace tether::upstream
