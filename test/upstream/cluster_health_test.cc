#include "src/upstream/cluster_health.h"

#include <gtest/gtest.h>

namespace tether::upstream {
namespace {

std::vector<config::Host> Hosts(std::initializer_list<const char*> addresses) {
  std::vector<config::Host> hosts;
  for (const char* a : addresses) hosts.push_back({a, 80, 1});
  return hosts;
}

TEST(ClusterHealthTest, FlagsCountAHostOnceAndFollowTheGauge) {
  stats::Gauge healthy;
  ClusterHealth health;
  health.BindHealthyGauge(&healthy);
  health.SetHosts(Hosts({"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(healthy.Value(), 2);
  HostHealth& a = *health.Host("10.0.0.1:80");
  EXPECT_TRUE(health.SetFlag(a, HealthFlag::kFailedOutlierCheck, true));
  EXPECT_FALSE(health.SetFlag(a, HealthFlag::kFailedOutlierCheck, true));  // no change
  EXPECT_TRUE(health.SetFlag(a, HealthFlag::kFailedActiveHc, true));
  EXPECT_EQ(health.unhealthy(), 1u);
  EXPECT_EQ(healthy.Value(), 1);
  EXPECT_TRUE(health.SetFlag(a, HealthFlag::kFailedOutlierCheck, false));
  EXPECT_FALSE(a.healthy());
  EXPECT_TRUE(health.SetFlag(a, HealthFlag::kFailedActiveHc, false));
  EXPECT_TRUE(a.healthy());
  EXPECT_EQ(health.unhealthy(), 0u);
  EXPECT_EQ(healthy.Value(), 2);
}

TEST(ClusterHealthTest, SetHostsAppliesEdsHealthAndDropsHostsThatLeft) {
  ClusterHealth health;
  auto hosts = Hosts({"10.0.0.1", "10.0.0.2"});
  hosts[1].eds_unhealthy = true;
  health.SetHosts(hosts);
  std::shared_ptr<HostHealth> second = health.Host("10.0.0.2:80");
  EXPECT_TRUE(second->Has(HealthFlag::kFailedEdsHealth));
  EXPECT_EQ(health.unhealthy(), 1u);
  // The same host stays the same record; one that left is no longer counted nor flagged.
  std::shared_ptr<HostHealth> first = health.Host("10.0.0.1:80");
  health.SetHosts(Hosts({"10.0.0.1"}));
  EXPECT_EQ(health.Host("10.0.0.1:80"), first);
  EXPECT_EQ(health.unhealthy(), 0u);
  EXPECT_TRUE(second->healthy());
  EXPECT_FALSE(health.SetFlag(*second, HealthFlag::kFailedActiveHc, true));
  EXPECT_EQ(health.size(), 1u);
}

}  // namespace
}  // namespace tether::upstream
