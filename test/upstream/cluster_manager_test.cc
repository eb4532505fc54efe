#include "src/upstream/cluster_manager.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "test/upstream/test_upstreams.h"

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

// No I/O happens here (but in LeastRequestAvoidsTheBusyHost): ChoosePool only picks a pool, it never
// connects.
class ClusterManagerTest : public ::testing::Test {
 protected:
  // The store outlives the io_context: what its end destroys (connections, their circuit breaker
  // places) may still count into it.
  stats::Store store_;
  boost::asio::io_context io_;
  ClusterManager manager_{io_.get_executor(), store_, 1};

  ClusterManager::PoolPick Choose(const std::string& cluster) {
    return manager_.ChoosePool(cluster, codec::Protocol::kHttp1);
  }
};

TEST_F(ClusterManagerTest, UnknownClusterHasNoStats) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}})}));
  const auto pick = Choose("nope");
  EXPECT_EQ(pick.stats, nullptr);
  EXPECT_EQ(pick.pool, nullptr);
}

TEST_F(ClusterManagerTest, EmptyClusterHasStatsButNoPool) {
  manager_.Update(SnapshotOf({MakeCluster("empty", {})}));
  const auto pick = Choose("empty");
  EXPECT_NE(pick.stats, nullptr);
  EXPECT_EQ(pick.pool, nullptr);
  EXPECT_EQ(store_.GaugeFor("cluster.membership_total", {{"cluster_name", "empty"}}).Value(), 0);
}

TEST_F(ClusterManagerTest, RoundRobinVisitsEveryHost) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 1}})}));
  const auto a = Choose("web");
  const auto b = Choose("web");
  const auto c = Choose("web");
  ASSERT_TRUE(a.pool && b.pool && c.pool);
  EXPECT_NE(a.pool->host_address(), b.pool->host_address());
  EXPECT_NE(a.host_stats, b.host_stats);
  EXPECT_EQ(a.pool, c.pool);
  EXPECT_EQ(store_.GaugeFor("cluster.membership_total", {{"cluster_name", "web"}}).Value(), 2);
}

TEST_F(ClusterManagerTest, UpdateKeepsThePoolOfASurvivingHost) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}, {"10.0.0.2", 80, 1}})}));
  std::shared_ptr<ConnPool> survivor, removed;
  HostStats* survivor_stats = nullptr;
  for (int i = 0; i < 2; ++i) {
    auto pick = Choose("web");
    const bool first = pick.pool->host_address() == "10.0.0.1:80";
    (first ? survivor : removed) = pick.pool;
    if (first) survivor_stats = pick.host_stats;
  }
  ASSERT_TRUE(survivor && removed);

  // A new snapshot: 10.0.0.2 leaves, 10.0.0.3 joins, 10.0.0.1 stays.
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.3", 80, 1}, {"10.0.0.1", 80, 1}})}));
  bool saw_survivor = false, saw_new = false;
  for (int i = 0; i < 4; ++i) {
    auto pick = Choose("web");
    auto pool = pick.pool;
    ASSERT_NE(pool, nullptr);
    EXPECT_NE(pool, removed);
    if (pool->host_address() == "10.0.0.1:80") {
      EXPECT_EQ(pool, survivor);  // same object: its idle connections survive
      EXPECT_EQ(pick.host_stats, survivor_stats);
      saw_survivor = true;
    } else {
      EXPECT_EQ(pool->host_address(), "10.0.0.3:80");
      saw_new = true;
    }
  }
  EXPECT_TRUE(saw_survivor);
  EXPECT_TRUE(saw_new);
  // The removed host's pool lives on while someone holds it.
  EXPECT_EQ(removed->host_address(), "10.0.0.2:80");
}

TEST_F(ClusterManagerTest, RemovedClusterBecomesUnknown) {
  manager_.Update(SnapshotOf({MakeCluster("web", {{"10.0.0.1", 80, 1}}), MakeCluster("api", {})}));
  ASSERT_NE(Choose("web").stats, nullptr);
  manager_.Update(SnapshotOf({MakeCluster("api", {})}));
  EXPECT_EQ(Choose("web").stats, nullptr);
  EXPECT_NE(Choose("api").stats, nullptr);
}

// The load a host carries is its pools' open streams: three requests left unanswered on one host.
TEST_F(ClusterManagerTest, LeastRequestAvoidsTheBusyHost) {
  testing::Http1Upstream a(io_), b(io_);
  a.respond = b.respond = false;
  manager_.Update(SnapshotOf({MakeCluster(
      "web", {{"127.0.0.1", a.port(), 1}, {"127.0.0.1", b.port(), 1}}, Cluster::LEAST_REQUEST)}));
  std::shared_ptr<ConnPool> busy = Choose("web").pool;
  ASSERT_NE(busy, nullptr);
  codec::HeaderMap request;
  request.Set(codec::PseudoHeader::kMethod, "GET");
  request.Set(codec::PseudoHeader::kPath, "/");
  request.Set(codec::PseudoHeader::kAuthority, "web");
  std::vector<testing::Recorder> responses(3);
  std::vector<std::unique_ptr<UpstreamStream>> streams;
  for (auto& response : responses) {
    boost::asio::co_spawn(io_, busy->NewStream(request, true, response, std::chrono::seconds(2), nullptr),
                          [&](std::exception_ptr, absl::StatusOr<std::unique_ptr<UpstreamStream>> s) {
                            ASSERT_TRUE(s.ok()) << s.status();
                            streams.push_back(std::move(*s));
                          });
  }
  ASSERT_TRUE(testing::RunUntil(io_, [&] { return streams.size() == 3; }));
  EXPECT_EQ(busy->active_streams(), 3u);
  // With two hosts both are always the candidates, so the idle one wins.
  for (int i = 0; i < 20; ++i) EXPECT_NE(Choose("web").pool, busy);
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

namespace tether::upstream {
namespace {

// LEAST_REQUEST across retries: a retry's pick (ActiveRequest::DoRetry) comes after its failed try
// was reset (MaybeRetry). The reset stream no longer counts, every other outstanding one still does.
TEST(ClusterManagerRetryTest, LeastRequestCountsOutstandingStreamsAtARetrysPick) {
  stats::Store store;
  boost::asio::io_context io;
  ClusterManager manager(io.get_executor(), store, 1);
  testing::Http1Upstream a(io), b(io);
  a.respond = b.respond = false;
  auto cluster = std::make_shared<config::Cluster>();
  cluster->name = "web";
  cluster->lb_policy = Cluster::LEAST_REQUEST;
  cluster->hosts = {{"127.0.0.1", a.port(), 1}, {"127.0.0.1", b.port(), 1}};
  config::Snapshot snapshot;
  snapshot.clusters["web"] = cluster;
  manager.Update(snapshot.clusters);
  // Pools of both hosts (nothing in flight yet: LEAST_REQUEST picks at random). With two hosts its
  // two candidates are always both.
  std::map<std::string, std::shared_ptr<ConnPool>> pools;
  for (int i = 0; i < 50 && pools.size() < 2; ++i) {
    std::shared_ptr<ConnPool> p = manager.ChoosePool("web", codec::Protocol::kHttp1).pool;
    ASSERT_NE(p, nullptr);
    pools[p->host_address()] = p;
  }
  ASSERT_EQ(pools.size(), 2u);
  std::shared_ptr<ConnPool> first = pools.begin()->second;
  std::shared_ptr<ConnPool> second = pools.rbegin()->second;
  codec::HeaderMap request;
  request.Set(codec::PseudoHeader::kMethod, "GET");
  request.Set(codec::PseudoHeader::kPath, "/");
  request.Set(codec::PseudoHeader::kAuthority, "web");
  std::vector<testing::Recorder> responses(4);
  std::vector<std::unique_ptr<UpstreamStream>> on_first, on_second;
  const auto open = [&](std::shared_ptr<ConnPool> pool, testing::Recorder& r, auto& into) {
    boost::asio::co_spawn(io, pool->NewStream(request, true, r, std::chrono::seconds(2), nullptr),
                          [&into](std::exception_ptr, absl::StatusOr<std::unique_ptr<UpstreamStream>> s) {
                            ASSERT_TRUE(s.ok()) << s.status();
                            into.push_back(std::move(*s));
                          });
  };
  // Two requests outstanding on each host; one of `second`'s is the try about to be retried.
  open(first, responses[0], on_first);
  open(first, responses[1], on_first);
  open(second, responses[2], on_second);
  open(second, responses[3], on_second);
  ASSERT_TRUE(testing::RunUntil(io, [&] { return on_first.size() == 2 && on_second.size() == 2; }));
  on_second[0]->Reset();  // the failed try, as MaybeRetry resets it before the back-off
  EXPECT_EQ(first->active_streams(), 2u);
  EXPECT_EQ(second->active_streams(), 1u);
  // The retry's pick: 1 in flight on `second` against 2 on `first`, every time.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(manager.ChoosePool("web", codec::Protocol::kHttp1).pool, second);
  // And once `first` has fewer outstanding, the picks follow.
  on_first[0]->Reset();
  on_first[1]->Reset();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(manager.ChoosePool("web", codec::Protocol::kHttp1).pool, first);
}

// A RING_HASH cluster through the manager: the hash decides the pool, on two managers (two workers)
// alike; a changed host list is hashed anew.
TEST(ClusterManagerHashTest, RingHashAndMaglevPickByTheRequestsHash) {
  for (const auto policy : {Cluster::RING_HASH, Cluster::MAGLEV}) {
    stats::Store store;
    boost::asio::io_context io;
    ClusterManager worker1(io.get_executor(), store, 1);
    ClusterManager worker2(io.get_executor(), store, 2);
    auto cluster = std::make_shared<config::Cluster>();
    cluster->name = "web";
    cluster->lb_policy = policy;
    for (int i = 1; i <= 4; ++i) cluster->hosts.push_back({"10.0.0." + std::to_string(i), 80, 1});
    config::Snapshot snapshot;
    snapshot.clusters["web"] = cluster;
    worker1.Update(snapshot.clusters);
    worker2.Update(snapshot.clusters);
    std::set<std::string> hosts_seen;
    for (uint64_t hash = 0; hash < 200; ++hash) {
      const uint64_t h = hash * 0x9E3779B97F4A7C15ull;
      const auto pick = worker1.ChoosePool("web", codec::Protocol::kHttp1, h);
      ASSERT_NE(pick.pool, nullptr);
      EXPECT_EQ(pick.pool->host_address(), worker1.ChoosePool("web", codec::Protocol::kHttp1, h).pool->host_address());
      EXPECT_EQ(pick.pool->host_address(), worker2.ChoosePool("web", codec::Protocol::kHttp1, h).pool->host_address());
      hosts_seen.insert(pick.pool->host_address());
    }
    EXPECT_EQ(hosts_seen.size(), 4u) << policy;
    // Host 10.0.0.1 leaves: nothing goes there any more.
    auto three = std::make_shared<config::Cluster>(*cluster);
    three->hosts.erase(three->hosts.begin());
    snapshot.clusters["web"] = three;
    worker1.Update(snapshot.clusters);
    for (uint64_t hash = 0; hash < 200; ++hash) {
      EXPECT_NE(worker1.ChoosePool("web", codec::Protocol::kHttp1, hash * 0x9E3779B97F4A7C15ull).pool->host_address(),
                "10.0.0.1:80");
    }
  }
}

}  // namespace
}  // namespace tether::upstream
