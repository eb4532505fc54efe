#include "src/config/validator.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "test/config/bootstrap_text.h"

namespace tether::config {
namespace {

// A valid bootstrap to break one field at a time.
v1::Bootstrap Valid() {
  auto b = ParseBootstrap(testing::OneListenerBootstrap(R"(          - match: {prefix: /}
            route: {cluster: web}
)",
                                                         R"(  - name: web
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
)"),
                          "test");
  EXPECT_TRUE(b.ok()) << b.status();
  return *b;
}

std::string Error(const v1::Bootstrap& b) {
  absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  return std::string(s.message());
}

v1::Listener* FirstListener(v1::Bootstrap& b) { return b.mutable_static_resources()->mutable_listeners(0); }
v1::HttpConnectionManager* Hcm(v1::Bootstrap& b) { return FirstListener(b)->mutable_http_connection_manager(); }
v1::VirtualHost* FirstVhost(v1::Bootstrap& b) { return Hcm(b)->mutable_route_config()->mutable_virtual_hosts(0); }
v1::Cluster* FirstCluster(v1::Bootstrap& b) { return b.mutable_static_resources()->mutable_clusters(0); }
v1::SocketAddress* FirstEndpoint(v1::Bootstrap& b) {
  return FirstCluster(b)->mutable_load_assignment()->mutable_endpoints(0)->mutable_lb_endpoints(0)
      ->mutable_endpoint()->mutable_address()->mutable_socket_address();
}

constexpr char kRoute0[] =
    "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0]";

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
  EXPECT_NE(Error(s).find("clusters[0].type: EDS needs dynamic_resources.ads"), std::string::npos);
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

TEST(ValidatorTest, ExamplesAreValid) {
  for (const char* name : {"quickstart/sidecar.yaml", "tracing/ingress.yaml", "tracing/egress.yaml"}) {
    auto b = LoadBootstrapFile(std::string(TETHER_SOURCE_DIR) + "/examples/" + name);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_TRUE(ValidateBootstrap(*b).ok()) << name << ": " << ValidateBootstrap(*b);
  }
}

TEST(ValidatorTest, AdminAddressAndPort) {
  auto b = Valid();
  b.mutable_admin()->mutable_address()->mutable_socket_address()->set_port_value(65536);
  EXPECT_EQ(Error(b), "admin.address.socket_address.port_value: 65536 is not a port (1-65535)");
  b.mutable_admin()->mutable_address()->mutable_socket_address()->set_port_value(0);  // unset: 15000
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  b.mutable_admin()->mutable_address()->mutable_socket_address()->set_address("admin.local");
  EXPECT_EQ(Error(b), "admin.address.socket_address.address: \"admin.local\" is not an IP address");
}

TEST(ValidatorTest, ListenerNameRequiredAndUnique) {
  auto b = Valid();
  FirstListener(b)->clear_name();
  EXPECT_EQ(Error(b), "static_resources.listeners[0].name: required");
  auto d = Valid();
  auto* copy = d.mutable_static_resources()->add_listeners();
  *copy = d.static_resources().listeners(0);
  copy->mutable_address()->mutable_socket_address()->set_port_value(15002);
  EXPECT_EQ(Error(d), "static_resources.listeners[1].name: duplicate listener \"out\"");
}

TEST(ValidatorTest, WildcardAndEquivalentAddressesCollide) {
  auto b = Valid();
  auto* second = b.mutable_static_resources()->add_listeners();
  *second = b.static_resources().listeners(0);
  second->set_name("all");
  second->mutable_address()->mutable_socket_address()->set_address("0.0.0.0");
  EXPECT_EQ(Error(b), "static_resources.listeners[1].address: 0.0.0.0:15001 is already used by listener \"out\" "
                      "(127.0.0.1:15001)");
  second->mutable_address()->mutable_socket_address()->set_port_value(15006);
  EXPECT_TRUE(ValidateBootstrap(b).ok());

  auto v6 = Valid();
  FirstListener(v6)->mutable_address()->mutable_socket_address()->set_address("::1");
  auto* other = v6.mutable_static_resources()->add_listeners();
  *other = v6.static_resources().listeners(0);
  other->set_name("other");
  other->mutable_address()->mutable_socket_address()->set_address("0:0::0001");
  // IPv6 addresses with brackets (HostPort): "::1:15001" would be ambiguous.
  EXPECT_NE(Error(v6).find("listeners[1].address: [0:0::0001]:15001 is already used by listener \"out\" ([::1]:15001)"),
            std::string::npos)
      << Error(v6);
}

TEST(ValidatorTest, ConnectionManagerAndRouteConfigRequired) {
  auto b = Valid();
  FirstListener(b)->clear_http_connection_manager();
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager: required");
  auto r = Valid();
  Hcm(r)->clear_route_config();
  EXPECT_EQ(Error(r), "static_resources.listeners[0].http_connection_manager.route_config: required");
  Hcm(r)->set_rds_route_config_name("routes");
  EXPECT_EQ(Error(r), "static_resources.listeners[0].http_connection_manager.rds_route_config_name: "
                      "dynamic routes (rds) need dynamic_resources.ads in the bootstrap");
}

TEST(ValidatorTest, HeaderLimitsAndTimeouts) {
  auto b = Valid();
  Hcm(b)->mutable_max_headers_count()->set_value(0);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager.max_headers_count: 0 is out of range (1-1000)");
  Hcm(b)->mutable_max_headers_count()->set_value(1000);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  Hcm(b)->mutable_idle_timeout()->set_seconds(-1);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager.idle_timeout: must not be negative");
  Hcm(b)->clear_idle_timeout();
  Hcm(b)->mutable_request_headers_timeout()->set_seconds(0);  // 0s disables: allowed
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  FirstListener(b)->mutable_drain_timeout()->set_nanos(-5);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].drain_timeout: must not be negative");
  auto p = Valid();
  Hcm(p)->set_forwarded_proto("ftp");
  EXPECT_EQ(Error(p), "static_resources.listeners[0].http_connection_manager.forwarded_proto: \"ftp\" is not http or https");
}

TEST(ValidatorTest, StreamTimeouts) {
  auto b = Valid();
  Hcm(b)->mutable_stream_idle_timeout()->set_seconds(0);  // 0s disables: allowed
  Hcm(b)->mutable_request_timeout()->set_seconds(30);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  Hcm(b)->mutable_stream_idle_timeout()->set_seconds(-1);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager.stream_idle_timeout: must not be negative");
  Hcm(b)->clear_stream_idle_timeout();
  Hcm(b)->mutable_request_timeout()->set_nanos(-1);
  EXPECT_EQ(Error(b), "static_resources.listeners[0].http_connection_manager.request_timeout: must not be negative");
}

// Envoy's rule: one of the two max_requests_per_connection, never both.
TEST(ValidatorTest, ClusterHttpProtocolOptions) {
  auto b = Valid();
  auto* options = FirstCluster(b)->mutable_common_http_protocol_options();
  options->mutable_max_headers_count()->set_value(50);
  options->mutable_max_requests_per_connection()->set_value(10);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  FirstCluster(b)->set_max_requests_per_connection(10);
  EXPECT_EQ(Error(b),
            "static_resources.clusters[0].common_http_protocol_options.max_requests_per_connection: the same limit as "
            "static_resources.clusters[0].max_requests_per_connection: set only one of them");
  options->clear_max_requests_per_connection();
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  options->mutable_max_headers_count()->set_value(0);
  EXPECT_EQ(Error(b), "static_resources.clusters[0].common_http_protocol_options.max_headers_count: 0 is out of range (1-1000)");
}

// Envoy's enum, named or numbered in JSON; an unknown number is refused by name.
TEST(ValidatorTest, PathWithEscapedSlashesAction) {
  auto b = Valid();
  Hcm(b)->set_path_with_escaped_slashes_action(v1::HttpConnectionManager::UNESCAPE_AND_REDIRECT);
  Hcm(b)->mutable_normalize_path()->set_value(true);
  Hcm(b)->set_merge_slashes(true);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  Hcm(b)->set_path_with_escaped_slashes_action(static_cast<v1::HttpConnectionManager::PathWithEscapedSlashesAction>(9));
  EXPECT_EQ(Error(b),
            "static_resources.listeners[0].http_connection_manager.path_with_escaped_slashes_action: 9 is not "
            "KEEP_UNCHANGED, REJECT_REQUEST, UNESCAPE_AND_REDIRECT or UNESCAPE_AND_FORWARD");
}

TEST(ValidatorTest, VirtualHostNamesAndDomains) {
  auto b = Valid();
  FirstVhost(b)->clear_name();
  EXPECT_NE(Error(b).find("virtual_hosts[0].name: required"), std::string::npos);
  auto d = Valid();
  auto* second = Hcm(d)->mutable_route_config()->add_virtual_hosts();
  *second = *FirstVhost(d);
  second->set_domains(0, "api.local");
  EXPECT_NE(Error(d).find("virtual_hosts[1].name: duplicate virtual host \"all\""), std::string::npos);
  auto e = Valid();
  FirstVhost(e)->clear_domains();
  EXPECT_NE(Error(e).find("virtual_hosts[0].domains: needs at least one domain"), std::string::npos);
  // Host matching ignores case, so these two are the same domain.
  auto c = Valid();
  FirstVhost(c)->set_domains(0, "API.local");
  auto* third = Hcm(c)->mutable_route_config()->add_virtual_hosts();
  *third = *FirstVhost(c);
  third->set_name("other");
  third->set_domains(0, "api.LOCAL");
  EXPECT_NE(Error(c).find("virtual_hosts[1].domains[0]: domain \"api.local\" is also in virtual host \"all\""),
            std::string::npos);
  for (const char* ok : {"*", "*.local", "*local", "api.*", "api.local:8080"}) {
    auto v = Valid();
    FirstVhost(v)->set_domains(0, ok);
    EXPECT_TRUE(ValidateBootstrap(v).ok()) << ok;
  }
  for (const char* bad : {"**", "a*b", "*.a.*"}) {
    auto v = Valid();
    FirstVhost(v)->set_domains(0, bad);
    EXPECT_NE(Error(v).find("a wildcard is only allowed as a leading or trailing"), std::string::npos) << bad;
  }
}

TEST(ValidatorTest, PathMustStartWithSlash) {
  auto b = Valid();
  FirstRoute(b)->mutable_match()->set_path("health");
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".match.path: must start with \"/\"");
}

TEST(ValidatorTest, HeaderMatchers) {
  auto b = Valid();
  auto* h = FirstRoute(b)->mutable_match()->add_headers();
  h->set_exact_match("1");
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".match.headers[0].name: required");
  h->set_name("x-version");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  h->mutable_safe_regex_match()->set_regex("[z-a]");
  EXPECT_NE(Error(b).find(std::string(kRoute0) + ".match.headers[0].safe_regex_match.regex: invalid regex \"[z-a]\": "),
            std::string::npos);
}

TEST(ValidatorTest, WeightedClustersMustBeKnownAndNonEmpty) {
  auto b = Valid();
  FirstRoute(b)->mutable_route()->mutable_weighted_clusters();
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".route.weighted_clusters.clusters: needs at least one cluster");
  auto* wc = FirstRoute(b)->mutable_route()->mutable_weighted_clusters()->add_clusters();
  wc->set_name("gone");
  wc->set_weight(10);
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".route.weighted_clusters.clusters[0].name: unknown cluster \"gone\"");
  wc->set_name("web");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
}

TEST(ValidatorTest, RouteTimeoutNotNegative) {
  auto b = Valid();
  FirstRoute(b)->mutable_route()->mutable_timeout()->set_seconds(-3);
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".route.timeout: must not be negative");
  FirstRoute(b)->mutable_route()->mutable_timeout()->set_seconds(0);  // 0s = no timeout
  EXPECT_TRUE(ValidateBootstrap(b).ok());
}

TEST(ValidatorTest, Redirects) {
  auto b = Valid();
  auto* r = FirstRoute(b)->mutable_redirect();
  r->set_response_code(static_cast<v1::RedirectAction::RedirectResponseCode>(9));
  EXPECT_NE(Error(b).find(std::string(kRoute0) + ".redirect.response_code: 9 is not a redirect code"), std::string::npos);
  r->set_response_code(v1::RedirectAction::PERMANENT_REDIRECT);
  r->set_port_redirect(70000);
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".redirect.port_redirect: 70000 is not a port (1-65535)");
  r->set_port_redirect(8443);
  r->set_path_redirect("new");
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".redirect.path_redirect: must start with \"/\"");
  r->set_path_redirect("/new");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
}

TEST(ValidatorTest, DirectResponseStatusBounds) {
  auto b = Valid();
  FirstRoute(b)->mutable_direct_response()->set_status(600);
  EXPECT_EQ(Error(b), std::string(kRoute0) + ".direct_response.status: 600 is not a status code (200-599)");
  FirstRoute(b)->mutable_direct_response()->set_status(599);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
}

TEST(ValidatorTest, HeaderMutationsCannotInjectLines) {
  auto b = Valid();
  auto* add = FirstVhost(b)->add_response_headers_to_add();
  add->mutable_header()->set_key("x-a");
  add->mutable_header()->set_value("1\r\nset-cookie: evil");
  EXPECT_NE(Error(b).find("virtual_hosts[0].response_headers_to_add[0].header.value: must not contain a line break"),
            std::string::npos);
  add->mutable_header()->set_value("1");
  add->mutable_header()->set_key("bad name");
  EXPECT_NE(Error(b).find("response_headers_to_add[0].header.key: \"bad name\" is not a valid header name"),
            std::string::npos);
  auto r = Valid();
  Hcm(r)->mutable_route_config()->add_request_headers_to_remove("");
  EXPECT_EQ(Error(r), "static_resources.listeners[0].http_connection_manager.route_config.request_headers_to_remove[0]: "
                      "\"\" is not a valid header name");
}

TEST(ValidatorTest, ClusterNameRequiredAndConnectTimeoutPositive) {
  auto b = Valid();
  FirstCluster(b)->clear_name();
  EXPECT_EQ(Error(b), "static_resources.clusters[0].name: required");
  auto t = Valid();
  FirstCluster(t)->mutable_connect_timeout()->set_seconds(-1);
  EXPECT_EQ(Error(t), "static_resources.clusters[0].connect_timeout: must not be negative");
  FirstCluster(t)->clear_connect_timeout();  // default 5s
  EXPECT_TRUE(ValidateBootstrap(t).ok());
  FirstCluster(t)->mutable_dns_refresh_rate()->set_seconds(0);
  EXPECT_EQ(Error(t), "static_resources.clusters[0].dns_refresh_rate: must be greater than 0s");
}

TEST(ValidatorTest, EndpointsAndWeights) {
  auto b = Valid();
  FirstEndpoint(b)->set_port_value(0);
  EXPECT_EQ(Error(b), "static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address"
                      ".socket_address.port_value: 0 is not a port (1-65535)");
  auto w = Valid();
  FirstCluster(w)->mutable_load_assignment()->mutable_endpoints(0)->mutable_lb_endpoints(0)
      ->mutable_load_balancing_weight()->set_value(0);
  EXPECT_NE(Error(w).find("lb_endpoints[0].load_balancing_weight: must be at least 1"), std::string::npos);
  auto dns = Valid();
  FirstCluster(dns)->set_type(v1::Cluster::STRICT_DNS);
  FirstEndpoint(dns)->set_address("-bad-.local");
  EXPECT_NE(Error(dns).find("socket_address.address: \"-bad-.local\" is not an IP address or host name"),
            std::string::npos);
  FirstEndpoint(dns)->set_address("web.svc.cluster.local");
  EXPECT_TRUE(ValidateBootstrap(dns).ok());
  // An empty STATIC cluster is allowed: requests to it get 503 UH.
  auto empty = Valid();
  FirstCluster(empty)->clear_load_assignment();
  EXPECT_TRUE(ValidateBootstrap(empty).ok());
}

TEST(ValidatorTest, DynamicResourcesNameTheControlPlaneOnce) {
  auto b = Valid();
  b.mutable_node()->set_id("sidecar-1");
  auto* ads = b.mutable_dynamic_resources()->mutable_ads();
  EXPECT_EQ(Error(b), "dynamic_resources.ads.address: exactly one of address (host:port of the control plane) and cluster_name");
  ads->set_address("127.0.0.1");
  EXPECT_EQ(Error(b), "dynamic_resources.ads.address: \"127.0.0.1\" has no port");
  ads->set_address("127.0.0.1:15010");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  ads->clear_address();
  ads->set_cluster_name("control");
  EXPECT_EQ(Error(b), "dynamic_resources.ads.cluster_name: no static cluster \"control\"");
  ads->set_cluster_name("web");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  b.mutable_node()->clear_id();
  EXPECT_EQ(Error(b), "node.id: required with dynamic_resources (the control plane selects by it)");
}

TEST(ValidatorTest, TheHealthListenerNeedsAnAddressOfItsOwn) {
  auto b = Valid();
  auto* h = b.mutable_health()->mutable_address()->mutable_socket_address();
  h->set_address("0.0.0.0");
  h->set_port_value(15021);
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  h->set_port_value(15000);
  EXPECT_EQ(Error(b), "health.address.socket_address: 0.0.0.0:15000 is already used by the admin endpoint (127.0.0.1:15000)");
  h->set_address("pod");
  EXPECT_EQ(Error(b), "health.address.socket_address.address: \"pod\" is not an IP address");
}

TEST(ValidatorTest, WithAControlPlaneRoutesMayNameClustersItWillDeliver) {
  auto b = Valid();
  FirstVhost(b)->mutable_routes(0)->mutable_route()->set_cluster("from-xds");
  EXPECT_NE(Error(b).find("unknown cluster \"from-xds\""), std::string::npos);
  b.mutable_node()->set_id("sidecar-1");
  b.mutable_dynamic_resources()->mutable_ads()->set_address("127.0.0.1:15010");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
  Hcm(b)->set_rds_route_config_name("routes");
  EXPECT_TRUE(ValidateBootstrap(b).ok());
}

TEST(ValidatorTest, ResourcesFromTheControlPlaneHavePathsFromTheResource) {
  auto b = Valid();
  v1::Listener l = *FirstListener(b);
  l.mutable_address()->mutable_socket_address()->set_port_value(70000);
  EXPECT_EQ(ValidateListenerResource(l).message(), "address.socket_address.port_value: 70000 is not a port (1-65535)");
  v1::ClusterLoadAssignment cla;
  EXPECT_EQ(ValidateClusterLoadAssignment(cla).message(), "cluster_name: required");
  cla.set_cluster_name("web");
  cla.add_endpoints()->add_lb_endpoints()->mutable_endpoint()->mutable_address()->mutable_socket_address()->set_address(
      "web.local");
  EXPECT_EQ(ValidateClusterLoadAssignment(cla).message(),
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: \"web.local\" is not an IP address "
            "(a STATIC cluster needs IPs; use type: STRICT_DNS for host names)");
  v1::Cluster eds = *FirstCluster(b);
  eds.set_type(v1::Cluster::EDS);
  eds.clear_load_assignment();
  EXPECT_TRUE(ValidateClusterResource(eds).ok());
}

TEST(ValidatorTest, UnknownEnumNumbersFromCodeAreRefused) {
  // The loader refuses these; the control plane builds messages in code.
  auto b = Valid();
  FirstCluster(b)->set_lb_policy(static_cast<v1::Cluster::LbPolicy>(7));
  EXPECT_EQ(Error(b), "static_resources.clusters[0].lb_policy: unknown policy 7");
}
}  // namespace
}  // namespace tether::config
