#include "src/config/hash_policy.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using testing::Accepted;
using testing::Refusal;

// One route to cluster "web" with `route` fields in its action, and "web" with `cluster` fields.
v1::Bootstrap Parse(const std::string& route, const std::string& cluster = "") {
  return testing::RouteToWeb(route, cluster);
}

constexpr char kRoute[] =
    "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0].route";
constexpr char kCluster[] = "static_resources.clusters[0]";

TEST(HashPolicyTest, DefaultsAreEnvoys) {
  std::shared_ptr<const Snapshot> keep;
  const Snapshot& s = Accepted(Parse(""), keep);
  const Cluster& c = *s.FindCluster("web");
  EXPECT_EQ(c.hash_lb.minimum_ring_size, 1024u);
  EXPECT_EQ(c.hash_lb.maximum_ring_size, 8u * 1024 * 1024);
  EXPECT_EQ(c.hash_lb.maglev_table_size, 65537u);
  EXPECT_TRUE(s.listeners[0]->routes->virtual_hosts[0].routes[0].hash_policy.empty());
}

TEST(HashPolicyTest, EveryFieldReachesTheSnapshot) {
  std::shared_ptr<const Snapshot> keep;
  const Snapshot& s = Accepted(Parse(R"(              hash_policy:
              - header: {header_name: X-User}
              - cookie: {name: session}
                terminal: true
              - connection_properties: {source_ip: true}
              - header: {header_name: ":authority"}
)",
                                     R"(    lb_policy: RING_HASH
    ring_hash_lb_config: {minimum_ring_size: 64, maximum_ring_size: 4096}
    maglev_lb_config: {table_size: 5000011}
)"),
                               keep);
  const Cluster& c = *s.FindCluster("web");
  EXPECT_EQ(c.lb_policy, v1::Cluster::RING_HASH);
  EXPECT_EQ(c.hash_lb.minimum_ring_size, 64u);
  EXPECT_EQ(c.hash_lb.maximum_ring_size, 4096u);
  EXPECT_EQ(c.hash_lb.maglev_table_size, 5000011u);
  const auto& p = s.listeners[0]->routes->virtual_hosts[0].routes[0].hash_policy;
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].kind, HashPolicy::Kind::kHeader);
  EXPECT_EQ(p[0].name, "x-user");  // header names are matched lower-case
  EXPECT_FALSE(p[0].terminal);
  EXPECT_EQ(p[1].kind, HashPolicy::Kind::kCookie);
  EXPECT_EQ(p[1].name, "session");
  EXPECT_TRUE(p[1].terminal);
  EXPECT_EQ(p[2].kind, HashPolicy::Kind::kSourceIp);
  EXPECT_EQ(p[3].name, ":authority");
}

TEST(HashPolicyTest, MaglevIsAPolicy) {
  std::shared_ptr<const Snapshot> keep;
  EXPECT_EQ(Accepted(Parse("", "    lb_policy: MAGLEV\n"), keep).FindCluster("web")->lb_policy, v1::Cluster::MAGLEV);
}

TEST(HashPolicyTest, RouteMistakesAreRefusedNamingTheField) {
  const std::string p = std::string(kRoute) + ".hash_policy[1]";
  const auto with = [](const std::string& second) {
    return Parse("              hash_policy:\n              - header: {header_name: x-user}\n              - " + second +
                 "\n");
  };
  EXPECT_EQ(Refusal(with("terminal: true")), p + ": needs one of header, cookie or connection_properties");
  EXPECT_EQ(Refusal(with("header: {}")), p + ".header.header_name: required");
  EXPECT_EQ(Refusal(with("header: {header_name: \"x user\"}")),
            p + ".header.header_name: \"x user\" is not a header name (a token, or :authority, :path, :method, "
                ":scheme)");
  EXPECT_EQ(Refusal(with("header: {header_name: \":status\"}")),
            p + ".header.header_name: \":status\" is not a header name (a token, or :authority, :path, :method, "
                ":scheme)");
  EXPECT_EQ(Refusal(with("cookie: {}")), p + ".cookie.name: required");
  EXPECT_EQ(Refusal(with("cookie: {name: \"a;b\"}")), p + ".cookie.name: \"a;b\" is not a cookie name (a token)");
  EXPECT_EQ(Refusal(with("connection_properties: {source_ip: false}")),
            p + ".connection_properties.source_ip: must be true (the only connection property)");
}

TEST(HashPolicyTest, ACookieTetherWouldHaveToSetIsRefused) {
  const std::string p = std::string(kRoute) + ".hash_policy[0].cookie";
  EXPECT_EQ(Refusal(Parse("              hash_policy: [{cookie: {name: session, ttl: 3600s}}]\n")),
            p + ".ttl: not supported: Tether hashes an existing cookie only and never sets one "
                "(docs/envoy-differences.md#load-balancing)");
  // ttl 0s is still a ttl (Envoy makes a session cookie then).
  EXPECT_EQ(Refusal(Parse("              hash_policy: [{cookie: {name: session, ttl: 0s}}]\n")),
            p + ".ttl: not supported: Tether hashes an existing cookie only and never sets one "
                "(docs/envoy-differences.md#load-balancing)");
  EXPECT_EQ(Refusal(Parse("              hash_policy: [{cookie: {name: session, path: /}}]\n")),
            p + ".path: not supported: Tether hashes an existing cookie only and never sets one "
                "(docs/envoy-differences.md#load-balancing)");
}

TEST(HashPolicyTest, TableSizeMistakesAreRefusedNamingTheField) {
  const std::string ring = std::string(kCluster) + ".ring_hash_lb_config";
  EXPECT_EQ(Refusal(Parse("", "    ring_hash_lb_config: {minimum_ring_size: 2048, maximum_ring_size: 1024}\n")),
            ring + ".minimum_ring_size: 2048 is larger than maximum_ring_size 1024");
  EXPECT_EQ(Refusal(Parse("", "    ring_hash_lb_config: {maximum_ring_size: 8388609}\n")),
            ring + ".maximum_ring_size: 8388609 is out of range (1-8388608)");
  EXPECT_EQ(Refusal(Parse("", "    ring_hash_lb_config: {minimum_ring_size: 0}\n")),
            ring + ".minimum_ring_size: 0 is out of range (1-8388608)");
  // A minimum above the default maximum is out of range before it is compared.
  EXPECT_EQ(Refusal(Parse("", "    ring_hash_lb_config: {minimum_ring_size: 9000000}\n")),
            ring + ".minimum_ring_size: 9000000 is out of range (1-8388608)");
  const std::string table = std::string(kCluster) + ".maglev_lb_config.table_size";
  EXPECT_EQ(Refusal(Parse("", "    maglev_lb_config: {table_size: 65536}\n")),
            table + ": 65536 is not a prime (e.g. 65537, 5000011)");
  EXPECT_EQ(Refusal(Parse("", "    maglev_lb_config: {table_size: 1}\n")),
            table + ": 1 is not a prime (e.g. 65537, 5000011)");
  EXPECT_EQ(Refusal(Parse("", "    maglev_lb_config: {table_size: 5000087}\n")),
            table + ": 5000087 is out of range (a prime up to 5000011)");
}

TEST(HashPolicyTest, SizesForAnotherPolicyAreCheckedAndKept) {
  // Envoy ignores ring_hash_lb_config on a MAGLEV cluster; Tether keeps it (unused) if it is sane.
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c =
      *Accepted(Parse("", "    lb_policy: MAGLEV\n    ring_hash_lb_config: {minimum_ring_size: 16}\n"), keep)
           .FindCluster("web");
  EXPECT_EQ(c.hash_lb.minimum_ring_size, 16u);
}

}  // namespace
}  // namespace tether::config
