#include "src/upstream/dns_refresher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace tether::upstream {
namespace {

// Only "localhost" is resolved: it comes from /etc/hosts, never the network.
std::shared_ptr<config::Cluster> LocalhostCluster() {
  auto c = std::make_shared<config::Cluster>();
  c->name = "local";
  c->type = config::v1::Cluster::STRICT_DNS;
  c->dns_lookup_family = config::v1::Cluster::V4_ONLY;
  c->dns_refresh_rate = std::chrono::milliseconds(50);
  c->dns_names = {{"localhost", 8080, 2}};
  return c;
}

TEST(DnsRefresherTest, ResolveClusterOnce) {
  auto hosts = ResolveCluster(*LocalhostCluster());
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].address, "127.0.0.1");
  EXPECT_EQ((*hosts)[0].port, 8080);
  EXPECT_EQ((*hosts)[0].weight, 2u);
}

TEST(DnsRefresherTest, ReportsAChangedAnswer) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<config::ResolvedHosts> seen;
  // Start from a stale answer so the first refresh differs.
  config::ResolvedHosts initial = {{"local", {{"10.9.9.9", 8080, 2}}}};
  DnsRefresher refresher(initial, [&](const config::ResolvedHosts& hosts) {
    std::lock_guard lock(mu);
    seen = hosts;
    cv.notify_all();
  });
  auto snapshot = std::make_shared<config::Snapshot>();
  snapshot->clusters["local"] = LocalhostCluster();
  refresher.Watch(snapshot);
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen.has_value(); }));
  ASSERT_EQ(seen->at("local").size(), 1u);
  EXPECT_EQ(seen->at("local")[0].address, "127.0.0.1");
}

TEST(DnsRefresherTest, StopIsIdempotent) {
  DnsRefresher refresher({}, [](const config::ResolvedHosts&) {});
  refresher.Stop();
  refresher.Stop();
}

}  // namespace
}  // namespace tether::upstream
