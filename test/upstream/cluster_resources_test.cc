#include "src/upstream/cluster_resources.h"

#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "test/support/run_until.h"

namespace tether::upstream {
namespace {

using tether::testing::RunUntil;

config::Cluster ClusterWith(uint32_t connections, uint32_t retries, bool track = false) {
  config::Cluster c;
  c.name = "c";
  c.thresholds[0].max_connections = connections;
  c.thresholds[0].max_retries = retries;
  c.thresholds[0].track_remaining = track;
  return c;
}

int64_t Gauge(stats::Store& store, const std::string& name) {
  return store.GaugeFor(name, {{"cluster_name", "c"}}).Value();
}

TEST(ResourceLimitTest, CountsUpToTheMaximumAcrossThreads) {
  ResourceLimit limit(1000);
  std::vector<std::thread> threads;
  std::atomic<int> taken{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) taken += limit.TryAcquire() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 1000);  // never more than the maximum, whatever the interleaving
  EXPECT_EQ(limit.count(), 1000u);
  EXPECT_FALSE(limit.CanAcquire());
  limit.Release();
  EXPECT_TRUE(limit.TryAcquire());
}

TEST(ClusterResourcesTest, GaugesFollowTheCounts) {
  stats::Store store;
  auto resources = std::make_shared<ClusterResources>(store, "c");
  resources->Configure(ClusterWith(2, 3, true));
  ResourceLimit& retries = resources->limits(config::Priority::kDefault).retries;
  EXPECT_EQ(Gauge(store, "cluster.circuit_breakers.default.remaining_retries"), 3);
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_FALSE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_EQ(Gauge(store, "cluster.circuit_breakers.default.rq_retry_open"), 1);
  EXPECT_EQ(Gauge(store, "cluster.circuit_breakers.default.remaining_retries"), 0);
  retries.Release();
  EXPECT_EQ(Gauge(store, "cluster.circuit_breakers.default.rq_retry_open"), 0);
  EXPECT_EQ(Gauge(store, "cluster.circuit_breakers.default.remaining_retries"), 1);
}

TEST(ClusterResourcesTest, ARetryBudgetScalesWithTheRequestsActive) {
  stats::Store store;
  auto resources = std::make_shared<ClusterResources>(store, "c");
  config::Cluster c = ClusterWith(100, 0);
  c.thresholds[0].retry_budget = config::CircuitBreakerThresholds::RetryBudget{50, 1};
  resources->Configure(c);
  auto& limits = resources->limits(config::Priority::kDefault);
  // No requests: the floor, min_retry_concurrency 1 (max_retries 0 no longer applies).
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_FALSE(resources->TryAcquireRetry(config::Priority::kDefault));
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(limits.requests.TryAcquire());
  // 50% of 6 active: three retries at once.
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_TRUE(resources->TryAcquireRetry(config::Priority::kDefault));
  EXPECT_FALSE(resources->TryAcquireRetry(config::Priority::kDefault));
}

TEST(ClusterResourcesTest, PerHostConnectionsAreLimitedToo) {
  stats::Store store;
  auto resources = std::make_shared<ClusterResources>(store, "c");
  config::Cluster c = ClusterWith(10, 3);
  c.per_host_max_connections = 1;
  resources->Configure(c);
  ConnectionSlot a = resources->TryAcquireConnection("10.0.0.1:80");
  ASSERT_TRUE(a);
  EXPECT_FALSE(resources->TryAcquireConnection("10.0.0.1:80"));
  ConnectionSlot b = resources->TryAcquireConnection("10.0.0.2:80");
  EXPECT_TRUE(b);
  EXPECT_EQ(resources->limits(config::Priority::kDefault).connections.count(), 2u);
  a.Release();
  EXPECT_TRUE(resources->TryAcquireConnection("10.0.0.1:80"));  // and released again at once
  EXPECT_EQ(resources->limits(config::Priority::kDefault).connections.count(), 1u);
}

struct User : ConnectionSlotUser {
  int freed = 0;
  int wanted = 0;
  void OnConnectionSlotFreed() override { ++freed; }
  void OnIdleConnectionWanted() override { ++wanted; }
};

TEST(ClusterResourcesTest, AReleasedSlotWakesTheWaiterOnItsOwnExecutor) {
  stats::Store store;
  auto resources = std::make_shared<ClusterResources>(store, "c");
  resources->Configure(ClusterWith(1, 3));
  boost::asio::io_context holder_io, waiter_io;
  auto holder = std::make_shared<User>();
  auto waiter = std::make_shared<User>();
  resources->AddPool(holder_io.get_executor(), holder);
  resources->AddPool(waiter_io.get_executor(), waiter);
  ConnectionSlot slot = resources->TryAcquireConnection("h:1");
  ASSERT_TRUE(slot);
  resources->WaitForConnectionSlot(waiter_io.get_executor(), waiter);
  EXPECT_TRUE(resources->slot_waited_for());
  ASSERT_TRUE(RunUntil(holder_io, [&] { return holder->wanted == 1; }));  // asked for its idle connection
  EXPECT_EQ(waiter->wanted, 0);
  slot.Release();
  ASSERT_TRUE(RunUntil(waiter_io, [&] { return waiter->freed == 1; }));
  EXPECT_FALSE(resources->slot_waited_for());
  EXPECT_EQ(holder->freed, 0);
}

TEST(ClusterResourcesTest, TheRegistryKeepsOneObjectPerClusterName) {
  stats::Store store;
  ClusterResourcesRegistry registry(store);
  EXPECT_EQ(registry.For("a"), registry.For("a"));
  EXPECT_NE(registry.For("a"), registry.For("b"));
}

}  // namespace
}  // namespace tether::upstream
