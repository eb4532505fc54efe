#include "src/config/validator.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"

namespace tether::config {
namespace {

// A valid bootstrap to break one field at a time.
v1::Bootstrap Valid() {
  auto b = ParseBootstrapYaml(R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    http_connection_manager:
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: /}
            route: {cluster: web}
  clusters:
  - name: web
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
)", "test");
  EXPECT_TRUE(b.ok()) << b.status();
  return *b;
}

std::string Error(const v1::Bootstrap& b) {
  absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  return std::string(s.message());
}

v1::Route* FirstRoute(v1::Bootstrap& b) {
  return b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager()
      ->mutable_route_config()->mutable_virtual_hosts(0)->mutable_routes(0);
}

TEST(ValidatorTest, AcceptsTheValidConfig) { EXPECT_TRUE(ValidateBootstrap(Valid()).ok()); }

TEST(ValidatorTest, UnknownCluster) {
  auto b = Valid();
  FirstRoute(b)->mutable_route()->set_cluster("nope");
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0]"
                      ".routes[0].route.cluster: unknown cluster \"nope\"");
}

TEST(ValidatorTest, PortRange) {
  auto b = Valid();
  b.mutable_static_resources()->mutable_listeners(0)->mutable_address()->mutable_socket_address()->set_port_value(70000);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].address.socket_address.port_value: 70000 is not a port (1-65535)");
}

TEST(ValidatorTest, ListenerAddressMustBeAnIp) {
  auto b = Valid();
  b.mutable_static_resources()->mutable_listeners(0)->mutable_address()->mutable_socket_address()->set_address("localhost");
  EXPECT_NE(Error(b).find("listeners[0].address.socket_address.address: \"localhost\" is not an IP address"),
            std::string::npos);
}

TEST(ValidatorTest, DuplicateNamesAndAddresses) {
  auto b = Valid();
  *b.mutable_static_resources()->add_clusters() = b.static_resources().clusters(0);
  EXPECT_EQ(Error(b), "static_resources.clusters[1].name: duplicate cluster \"web\"");

  auto l = Valid();
  auto* copy = l.mutable_static_resources()->add_listeners();
  *copy = l.static_resources().listeners(0);
  copy->set_name("other");
  EXPECT_NE(Error(l).find("static_resources.listeners[1].address: 127.0.0.1:15001 is already used"), std::string::npos);

  auto admin = Valid();
  admin.mutable_static_resources()->mutable_listeners(0)->mutable_address()->mutable_socket_address()->set_port_value(15000);
  EXPECT_NE(Error(admin).find("is already used by the admin"), std::string::npos);
}

TEST(ValidatorTest, BadRegexQuotesRe2) {
  auto b = Valid();
  FirstRoute(b)->mutable_match()->mutable_safe_regex()->set_regex("/a(");
  EXPECT_NE(Error(b).find("routes[0].match.safe_regex.regex: invalid regex \"/a(\""), std::string::npos);
}

TEST(ValidatorTest, RouteNeedsAPathMatcherAndAnAction) {
  auto b = Valid();
  FirstRoute(b)->mutable_match()->clear_prefix();
  EXPECT_NE(Error(b).find("routes[0].match: needs one of prefix, path, safe_regex"), std::string::npos);
  auto c = Valid();
  FirstRoute(c)->clear_route();
  EXPECT_NE(Error(c).find("routes[0]: needs one of route, redirect, direct_response"), std::string::npos);
  auto d = Valid();
  FirstRoute(d)->mutable_match()->set_prefix("api");
  EXPECT_NE(Error(d).find("routes[0].match.prefix: must start with \"/\""), std::string::npos);
}

TEST(ValidatorTest, WeightedClustersNeedWeight) {
  auto b = Valid();
  auto* wc = FirstRoute(b)->mutable_route()->mutable_weighted_clusters()->add_clusters();
  wc->set_name("web");
  EXPECT_NE(Error(b).find("route.weighted_clusters: total weight must be greater than 0"), std::string::npos);
}

TEST(ValidatorTest, DirectResponseStatus) {
  auto b = Valid();
  FirstRoute(b)->mutable_direct_response()->set_status(99);
  EXPECT_NE(Error(b).find("routes[0].direct_response.status: 99 is not a status code"), std::string::npos);
}

TEST(ValidatorTest, DomainsAndWildcards) {
  auto b = Valid();
  auto* vh = b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager()
                 ->mutable_route_config()->mutable_virtual_hosts(0);
  vh->add_domains("a.*.com");
  EXPECT_NE(Error(b).find("virtual_hosts[0].domains[1]: \"a.*.com\": a wildcard is only allowed"), std::string::npos);
  vh->mutable_domains()->RemoveLast();
  auto* other = b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager()
                    ->mutable_route_config()->add_virtual_hosts();
  *other = *vh;
  other->set_name("second");
  EXPECT_NE(Error(b).find("virtual_hosts[1].domains[0]: domain \"*\" is also in virtual host \"all\""), std::string::npos);
}

TEST(ValidatorTest, ClusterChecks) {
  auto b = Valid();
  b.mutable_static_resources()->mutable_clusters(0)->mutable_connect_timeout()->set_seconds(0);
  EXPECT_EQ(Error(b), "static_resources.clusters[0].connect_timeout: must be greater than 0s");
  auto s = Valid();
  s.mutable_static_resources()->mutable_clusters(0)->mutable_load_assignment()->mutable_endpoints(0)
      ->mutable_lb_endpoints(0)->mutable_endpoint()->mutable_address()->mutable_socket_address()->set_address("web.local");
  EXPECT_NE(Error(s).find("\"web.local\" is not an IP address"), std::string::npos);
  s.mutable_static_resources()->mutable_clusters(0)->set_type(v1::Cluster::STRICT_DNS);
  EXPECT_TRUE(ValidateBootstrap(s).ok());
  s.mutable_static_resources()->mutable_clusters(0)->set_type(v1::Cluster::EDS);
  EXPECT_NE(Error(s).find("clusters[0].type: EDS needs the control plane"), std::string::npos);
}

TEST(ValidatorTest, LimitsAndAccessLogFormat) {
  auto b = Valid();
  auto* hcm = b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager();
  hcm->mutable_max_request_headers_kb()->set_value(200);
  EXPECT_NE(Error(b).find("http_connection_manager.max_request_headers_kb: 200 is out of range (1-96)"), std::string::npos);
  hcm->clear_max_request_headers_kb();
  hcm->add_access_log()->set_format("%NOPE%");
  EXPECT_NE(Error(b).find("http_connection_manager.access_log[0].format: "), std::string::npos);
  EXPECT_NE(Error(b).find("NOPE"), std::string::npos);
}

}  // namespace
}  // namespace tether::config
