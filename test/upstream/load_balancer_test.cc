#include "src/upstream/load_balancer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

namespace tether::upstream {
namespace {

using config::v1::Cluster;

std::vector<config::Host> Hosts(std::vector<uint32_t> weights) {
  std::vector<config::Host> hosts;
  for (size_t i = 0; i < weights.size(); ++i) hosts.push_back({"10.0.0." + std::to_string(i + 1), 80, weights[i]});
  return hosts;
}

TEST(LoadBalancerTest, EmptyClusterHasNoPick) {
  for (auto policy : {Cluster::ROUND_ROBIN, Cluster::LEAST_REQUEST, Cluster::RANDOM}) {
    auto lb = MakeLoadBalancer(policy, 1);
    EXPECT_FALSE(lb->Pick({}, {}, {}).has_value()) << policy;
  }
}

TEST(LoadBalancerTest, RoundRobinRotates) {
  auto lb = MakeLoadBalancer(Cluster::ROUND_ROBIN, 1);
  const auto hosts = Hosts({1, 1, 1});
  std::vector<size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(*lb->Pick(hosts, {}, {}));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(LoadBalancerTest, RoundRobinHonoursWeightsExactlyAndSmoothly) {
  auto lb = MakeLoadBalancer(Cluster::ROUND_ROBIN, 1);
  const auto hosts = Hosts({3, 1});
  std::map<size_t, int> count;
  std::vector<size_t> first;
  for (int i = 0; i < 400; ++i) {
    const size_t p = *lb->Pick(hosts, {}, {});
    ++count[p];
    if (i < 4) first.push_back(p);
  }
  EXPECT_EQ(count[0], 300);
  EXPECT_EQ(count[1], 100);
  // Smooth: the light host is not starved to the end of a cycle.
  EXPECT_EQ(first, (std::vector<size_t>{0, 0, 1, 0}));
}

TEST(LoadBalancerTest, HostListChangingSizeIsSafe) {
  for (auto policy : {Cluster::ROUND_ROBIN, Cluster::LEAST_REQUEST, Cluster::RANDOM}) {
    auto lb = MakeLoadBalancer(policy, 7);
    auto three = Hosts({1, 1, 1});
    std::vector<uint32_t> active3(3, 0), active1(1, 0);
    for (int i = 0; i < 5; ++i) EXPECT_LT(*lb->Pick(three, active3, {}), 3u);
    auto one = Hosts({1});
    for (int i = 0; i < 5; ++i) EXPECT_EQ(*lb->Pick(one, active1, {}), 0u);
  }
}

TEST(LoadBalancerTest, RoundRobinRestartsAfterTheListChanges) {
  auto lb = MakeLoadBalancer(Cluster::ROUND_ROBIN, 1);
  const auto three = Hosts({1, 1, 1});
  EXPECT_EQ(*lb->Pick(three, {}, {}), 0u);
  EXPECT_EQ(*lb->Pick(three, {}, {}), 1u);
  const auto two = Hosts({1, 1});
  std::vector<size_t> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(*lb->Pick(two, {}, {}));
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 0, 1}));
}

TEST(LoadBalancerTest, LeastRequestIsDeterministicForASeed) {
  auto a = MakeLoadBalancer(Cluster::LEAST_REQUEST, 5);
  auto b = MakeLoadBalancer(Cluster::LEAST_REQUEST, 5);
  const auto hosts = Hosts({1, 2, 3, 4});
  const std::vector<uint32_t> active = {1, 1, 1, 1};
  std::map<size_t, int> count;
  for (int i = 0; i < 200; ++i) {
    const size_t p = *a->Pick(hosts, active, {});
    EXPECT_EQ(p, *b->Pick(hosts, active, {}));
    ++count[p];
  }
  EXPECT_GT(count.size(), 1u);  // not stuck on one host
}

TEST(LoadBalancerTest, LeastRequestPrefersTheIdleHost) {
  auto lb = MakeLoadBalancer(Cluster::LEAST_REQUEST, 42);
  const auto hosts = Hosts({1, 1, 1, 1, 1});
  const std::vector<uint32_t> active = {10, 10, 0, 10, 10};
  int idle = 0;
  for (int i = 0; i < 1000; ++i) idle += *lb->Pick(hosts, active, {}) == 2 ? 1 : 0;
  // Chosen whenever it is one of the two candidates (~40%), far above 1/5.
  EXPECT_GT(idle, 300);
  // And a busy host never beats it when both are drawn: with two hosts it always wins.
  const auto two = Hosts({1, 1});
  const std::vector<uint32_t> busy_idle = {5, 0};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(*lb->Pick(two, busy_idle, {}), 1u);
}

TEST(LoadBalancerTest, LeastRequestWeighsActiveByWeight) {
  auto lb = MakeLoadBalancer(Cluster::LEAST_REQUEST, 3);
  const auto hosts = Hosts({10, 1});
  const std::vector<uint32_t> active = {5, 1};  // 0.5 per weight vs 1.0
  for (int i = 0; i < 50; ++i) EXPECT_EQ(*lb->Pick(hosts, active, {}), 0u);
}

TEST(LoadBalancerTest, RandomFollowsWeightsAndSeed) {
  auto a = MakeLoadBalancer(Cluster::RANDOM, 9);
  auto b = MakeLoadBalancer(Cluster::RANDOM, 9);
  const auto hosts = Hosts({3, 1});
  std::map<size_t, int> count;
  for (int i = 0; i < 4000; ++i) {
    const size_t p = *a->Pick(hosts, {}, {});
    EXPECT_EQ(p, *b->Pick(hosts, {}, {}));  // deterministic for a seed
    ++count[p];
  }
  EXPECT_GT(count[0], 2700);
  EXPECT_LT(count[0], 3300);
}

TEST(LoadBalancerTest, ExcludedHostsAreNeverPicked) {
  const auto hosts = Hosts({1, 1, 1});
  const std::vector<uint8_t> excluded = {0, 1, 0};
  for (auto policy : {Cluster::ROUND_ROBIN, Cluster::LEAST_REQUEST, Cluster::RANDOM}) {
    auto lb = MakeLoadBalancer(policy, 3);
    const std::vector<uint32_t> active = {0, 0, 0};
    std::set<size_t> seen;
    for (int i = 0; i < 50; ++i) seen.insert(*lb->Pick(hosts, active, {.excluded = excluded}));
    EXPECT_EQ(seen, (std::set<size_t>{0, 2})) << policy;
    const std::vector<uint8_t> all = {1, 1, 1};
    EXPECT_FALSE(lb->Pick(hosts, active, {.excluded = all}).has_value()) << policy;
  }
}

}  // namespace
}  // namespace tether::upstream
