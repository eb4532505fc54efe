#include "src/config/snapshot_builder.h"

#include <gtest/gtest.h>

#include "src/config/access_log_format.h"
#include "src/config/loader.h"

namespace tether::config {
namespace {

std::shared_ptr<const Snapshot> Build(const std::string& yaml, const ResolvedHosts& resolved = {}) {
  auto b = ParseBootstrapYaml(yaml, "test");
  EXPECT_TRUE(b.ok()) << b.status();
  auto s = BuildSnapshot(*b, resolved, 7);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

constexpr char kConfig[] = R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    http_connection_manager:
      access_log: [{path: /tmp/x.log}]
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*", Example.COM]
          routes:
          - match: {safe_regex: {regex: "/API/[0-9]+"}, case_sensitive: false}
            route: {weighted_clusters: {clusters: [{name: a, weight: 3}, {name: b, weight: 1}]}, timeout: 0s}
          - match: {prefix: /Old, case_sensitive: false}
            redirect: {https_redirect: true, prefix_rewrite: /new, response_code: PERMANENT_REDIRECT}
          - match: {path: /teapot, headers: [{name: X-Tea, present_match: true}]}
            direct_response: {status: 418, body: {inline_string: short and stout}}
            response_headers_to_add: [{header: {key: X-Brew, value: "1"}, append_action: OVERWRITE_IF_EXISTS_OR_ADD}]
  clusters:
  - name: a
    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 10.0.0.1, port_value: 80}}}, load_balancing_weight: 5}]}]}
  - name: b
    type: STRICT_DNS
    dns_refresh_rate: 2s
    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: b.local, port_value: 81}}}}]}]}
)";

TEST(SnapshotBuilderTest, ListenerDefaults) {
  auto s = Build(kConfig);
  ASSERT_EQ(s->version, 7u);
  ASSERT_EQ(s->listeners.size(), 1u);
  const Listener& l = *s->listeners[0];
  EXPECT_EQ(l.stat_prefix, "out");  // defaults to the name
  EXPECT_EQ(l.max_request_headers_bytes, 60u * 1024);
  EXPECT_EQ(l.max_headers_count, 100u);
  EXPECT_EQ(l.request_headers_timeout, std::chrono::seconds(10));
  EXPECT_EQ(l.forwarded_proto, "http");
  ASSERT_EQ(l.access_logs.size(), 1u);
  EXPECT_EQ(l.access_logs[0].format, kDefaultAccessLogFormat);
}

TEST(SnapshotBuilderTest, RoutesAreCompiled) {
  auto s = Build(kConfig);
  const VirtualHost& vh = s->listeners[0]->routes->virtual_hosts[0];
  EXPECT_EQ(vh.domains[1], "example.com");
  const Route& weighted = vh.routes[0];
  EXPECT_EQ(weighted.path_kind, Route::PathKind::kRegex);
  EXPECT_TRUE(re2::RE2::FullMatch("/api/12", *weighted.regex));  // case-insensitive
  EXPECT_EQ(weighted.total_weight, 4u);
  EXPECT_EQ(weighted.clusters.size(), 2u);
  EXPECT_EQ(weighted.timeout, Duration::zero());
  const Route& redirect = vh.routes[1];
  EXPECT_EQ(redirect.path, "/old");  // lowered for case-insensitive matching
  EXPECT_EQ(redirect.redirect.scheme, "https");
  EXPECT_EQ(redirect.redirect.status, 308u);
  EXPECT_TRUE(redirect.redirect.has_prefix_rewrite);
  const Route& direct = vh.routes[2];
  EXPECT_EQ(direct.direct_status, 418u);
  EXPECT_EQ(direct.direct_body, "short and stout");
  ASSERT_EQ(direct.headers.size(), 1u);
  EXPECT_EQ(direct.headers[0].name, "x-tea");
  ASSERT_EQ(direct.response_headers.add.size(), 1u);
  EXPECT_EQ(direct.response_headers.add[0].key, "x-brew");
  EXPECT_EQ(direct.response_headers.add[0].action, v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  EXPECT_EQ(direct.timeout, std::chrono::seconds(15));  // unused for direct responses, still the default
}

TEST(SnapshotBuilderTest, ClustersStaticAndDns) {
  auto unresolved = Build(kConfig);
  const Cluster* a = unresolved->FindCluster("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->hosts.size(), 1u);
  EXPECT_EQ(a->hosts[0].Key(), "10.0.0.1:80");
  EXPECT_EQ(a->hosts[0].weight, 5u);
  EXPECT_EQ(a->connect_timeout, std::chrono::seconds(5));
  const Cluster* b = unresolved->FindCluster("b");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->hosts.empty());
  ASSERT_EQ(b->dns_names.size(), 1u);
  EXPECT_EQ(b->dns_names[0].hostname, "b.local");
  EXPECT_EQ(b->dns_refresh_rate, std::chrono::seconds(2));

  auto resolved = Build(kConfig, {{"b", {{"10.1.1.1", 81, 1}, {"10.1.1.2", 81, 1}}}});
  EXPECT_EQ(resolved->FindCluster("b")->hosts.size(), 2u);
  EXPECT_EQ(resolved->FindCluster("nope"), nullptr);
}

}  // namespace
}  // namespace tether::config
