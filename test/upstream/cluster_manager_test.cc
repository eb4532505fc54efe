#include "src/upstream/cluster_manager.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace tether::upstream {
namespace {

using config::v1::Cluster;

std::shared_ptr<const config::Cluster> MakeCluster(const std::string& name, std::vector<config::Host> hosts,
                                                   Cluster::LbPolicy policy = Cluster::ROUND_ROBIN) {
  auto c = std::make_shared<config::Cluster>();
  c->name = name;
  c->lb_policy = policy;
  c->hosts = std::move(hosts);
  return c;
}

config::Snapshot SnapshotOf(std::vector<std::shared_ptr<const config::Cluster>> clusters) {
  config::Snapshot s;
  for (auto& c : clusters) s.clusters[c->name] = c;
  return s;
}

// No I/O happens here: Choose only picks a pool, it never connects.
class ClusterManagerTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  stats::Store store_;
  ClusterManager manager_{io_.get_executor(), store_, 1};
};

TEST_F(ClusterManagerTest, UnknownClusterHasNoStats) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}})}));
  const auto pick = manager_.Choose("nope");
  EXPECT_EQ(pick.stats, nullptr);
  EXPECT_EQ(pick.pool, nullptr);
}

TEST_F(ClusterManagerTest, EmptyClusterHasStatsButNoPool) {
  manager_.Update(SnapshotOf({MakeCluster("empty", {})}));
  const auto pick = manager_.Choose("empty");
  EXPECT_NE(pick.stats, nullptr);
  EXPECT_EQ(pick.pool, nullptr);
  EXPECT_EQ(store_.GaugeFor("cluster.membership_total", {{"cluster_name", "empty"}}).Value(), 0);
}

TEST_F(ClusterManagerTest, RoundRobinVisitsEveryHost) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 1}})}));
  const auto a = manager_.Choose("web");
  const auto b = manager_.Choose("web");
  const auto c = manager_.Choose("web");
  ASSERT_TRUE(a.pool && b.pool && c.pool);
  EXPECT_NE(a.pool->host().address, b.pool->host().address);
  EXPECT_EQ(a.pool, c.pool);
  EXPECT_EQ(store_.GaugeFor("cluster.membership_total", {{"cluster_name", "web"}}).Value(), 2);
}

TEST_F(ClusterManagerTest, UpdateKeepsThePoolOfASurvivingHost) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 1}})}));
  std::shared_ptr<HostPool> survivor, removed;
  for (int i = 0; i < 2; ++i) {
    auto pool = manager_.Choose("web").pool;
    (pool->host().address == "10.0.0.1" ? survivor : removed) = pool;
  }
  ASSERT_TRUE(survivor && removed);

  // A new snapshot: 10.0.0.2 leaves, 10.0.0.3 joins, 10.0.0.1 stays.
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.3", 80, 1}, {"10.0.0.1", 80, 1}})}));
  bool saw_survivor = false, saw_new = false;
  for (int i = 0; i < 4; ++i) {
    auto pool = manager_.Choose("web").pool;
    ASSERT_NE(pool, nullptr);
    EXPECT_NE(pool, removed);
    if (pool->host().address == "10.0.0.1") {
      EXPECT_EQ(pool, survivor);  // same object: its idle connections survive
      saw_survivor = true;
    } else {
      EXPECT_EQ(pool->host().address, "10.0.0.3");
      saw_new = true;
    }
  }
  EXPECT_TRUE(saw_survivor);
  EXPECT_TRUE(saw_new);
  // The removed host's pool lives on while someone holds it.
  EXPECT_EQ(removed->host().address, "10.0.0.2");
}

TEST_F(ClusterManagerTest, RemovedClusterBecomesUnknown) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}}), MakeCluster("api", {})}));
  ASSERT_NE(manager_.Choose("web").stats, nullptr);
  manager_.Update(SnapshotOf({MakeCluster("api", {})}));
  EXPECT_EQ(manager_.Choose("web").stats, nullptr);
  EXPECT_NE(manager_.Choose("api").stats, nullptr);
}

TEST_F(ClusterManagerTest, LeastRequestAvoidsTheBusyHost) {
  manager_.Update(SnapshotOf(
      {MakeCluster("web", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 1}}, Cluster::LEAST_REQUEST)}));
  std::shared_ptr<HostPool> busy = manager_.Choose("web").pool;
  ASSERT_NE(busy, nullptr);
  for (int i = 0; i < 3; ++i) busy->RequestStarted();
  // With two hosts both are always the candidates, so the idle one wins.
  for (int i = 0; i < 20; ++i) EXPECT_NE(manager_.Choose("web").pool, busy);
  for (int i = 0; i < 3; ++i) busy->RequestFinished();
}

}  // namespace
}  // namespace tether::upstream

namespace tether::upstream {
namespace {

std::shared_ptr<const config::Cluster> WithProtocol(const std::string& name, config::UpstreamProtocol protocol,
                                                    std::vector<config::Host> hosts) {
  auto c = std::make_shared<config::Cluster>();
  c->name = name;
  c->protocol = protocol;
  c->hosts = std::move(hosts);
  return c;
}

config::Snapshot Only(std::shared_ptr<const config::Cluster> cluster) {
  config::Snapshot s;
  s.clusters[cluster->name] = std::move(cluster);
  return s;
}

TEST(ClusterManagerPoolTest, PoolsPerHostAndProtocol) {
  boost::asio::io_context io;
  stats::Store store;
  ClusterManager manager(io.get_executor(), store, 1);
  manager.Update(Only(WithProtocol("h1", config::UpstreamProtocol::kHttp1, {{"10.0.0.1", 80, 1}})));
  auto a = manager.ChoosePool("h1", codec::Protocol::kHttp2);  // the cluster's protocol wins
  ASSERT_NE(a.pool, nullptr);
  EXPECT_EQ(a.pool->protocol(), codec::Protocol::kHttp1);
  EXPECT_EQ(manager.ChoosePool("h1", codec::Protocol::kHttp1).pool, a.pool);  // made once, kept

  manager.Update(Only(WithProtocol("h2", config::UpstreamProtocol::kHttp2, {{"10.0.0.1", 80, 1}})));
  EXPECT_EQ(manager.ChoosePool("h2", codec::Protocol::kHttp1).pool->protocol(), codec::Protocol::kHttp2);
  EXPECT_EQ(manager.ChoosePool("h1", codec::Protocol::kHttp1).pool, nullptr);  // cluster gone
  EXPECT_EQ(manager.ChoosePool("h1", codec::Protocol::kHttp1).stats, nullptr);
}

TEST(ClusterManagerPoolTest, UseDownstreamSpeaksTheClientsProtocol) {
  boost::asio::io_context io;
  stats::Store store;
  ClusterManager manager(io.get_executor(), store, 1);
  manager.Update(Only(WithProtocol("any", config::UpstreamProtocol::kUseDownstream, {{"10.0.0.1", 80, 1}})));
  auto h1 = manager.ChoosePool("any", codec::Protocol::kHttp1);
  auto h2 = manager.ChoosePool("any", codec::Protocol::kHttp2);
  ASSERT_TRUE(h1.pool && h2.pool);
  EXPECT_EQ(h1.pool->protocol(), codec::Protocol::kHttp1);
  EXPECT_EQ(h2.pool->protocol(), codec::Protocol::kHttp2);
  EXPECT_NE(h1.pool, h2.pool);
  EXPECT_NE(h2.stats, nullptr);
  EXPECT_NE(h2.config, nullptr);
}

// Pools survive a config update for hosts that stay.
TEST(ClusterManagerPoolTest, PoolsOfKeptHostsSurviveUpdates) {
  boost::asio::io_context io;
  stats::Store store;
  ClusterManager manager(io.get_executor(), store, 1);
  manager.Update(Only(WithProtocol("web", config::UpstreamProtocol::kHttp2, {{"10.0.0.1", 80, 1}})));
  auto before = manager.ChoosePool("web", codec::Protocol::kHttp1).pool;
  auto changed = WithProtocol("web", config::UpstreamProtocol::kHttp2, {{"10.0.0.1", 80, 1}});
  std::const_pointer_cast<config::Cluster>(changed)->idle_timeout = std::chrono::seconds(5);
  manager.Update(Only(changed));
  EXPECT_EQ(manager.ChoosePool("web", codec::Protocol::kHttp1).pool, before);
}

}  // namespace
}  // namespace tether::upstream

namespace tether::upstream {
namespace {

TEST(ClusterManagerPoolTest, AProtocolChangeRetiresTheOldProtocolsPool) {
  boost::asio::io_context io;
  stats::Store store;
  ClusterManager manager(io.get_executor(), store, 1);
  manager.Update(Only(WithProtocol("web", config::UpstreamProtocol::kUseDownstream, {{"10.0.0.1", 80, 1}})));
  std::weak_ptr<ConnPool> h1 = manager.ChoosePool("web", codec::Protocol::kHttp1).pool;
  ASSERT_FALSE(h1.expired());
  manager.Update(Only(WithProtocol("web", config::UpstreamProtocol::kHttp2, {{"10.0.0.1", 80, 1}})));
  EXPECT_TRUE(h1.expired());
  EXPECT_EQ(manager.ChoosePool("web", codec::Protocol::kHttp1).pool->protocol(), codec::Protocol::kHttp2);
}

}  // namespace
}  // namespace tether::upstream
