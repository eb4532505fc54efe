#include "src/config/snapshot_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "src/config/access_log_format.h"
#include "src/config/loader.h"
#include "src/config/validator.h"
#include "test/config/bootstrap_text.h"

namespace tether::config {
namespace {

v1::Bootstrap Parse(const std::string& yaml) {
  auto b = ParseBootstrap(yaml, "test");
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : v1::Bootstrap();
}

std::shared_ptr<const Snapshot> Build(const v1::Bootstrap& b, const ResolvedHosts& resolved = {}) {
  auto s = BuildSnapshot(b, resolved, 7);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::make_shared<const Snapshot>();
}

constexpr char kConfig[] = R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    http_connection_manager:
      access_log: [{path: /tmp/x.log}, {path: "", format: "%DURATION%\n"}]
      route_config:
        request_headers_to_add: [{header: {key: X-Table, value: t}}]
        response_headers_to_remove: [X-Internal]
        virtual_hosts:
        - name: all
          domains: ["*", Example.COM]
          request_headers_to_remove: [X-Drop]
          routes:
          - match: {safe_regex: {regex: "/API/[0-9]+"}, case_sensitive: false}
            route: {weighted_clusters: {clusters: [{name: a, weight: 3}, {name: b, weight: 1}]}, timeout: 0s}
          - match: {prefix: /Old, case_sensitive: false}
            redirect: {https_redirect: true, prefix_rewrite: /new, response_code: PERMANENT_REDIRECT}
          - match: {path: /teapot, headers: [{name: X-Tea, present_match: true}]}
            direct_response: {status: 418, body: {inline_string: short and stout}}
            response_headers_to_add: [{header: {key: X-Brew, value: "1"}, append_action: OVERWRITE_IF_EXISTS_OR_ADD}]
          - match: {safe_regex: {regex: "/Case/[a-z]+"}}
            route: {cluster: a, host_rewrite_literal: up.internal, prefix_rewrite: /v2}
          - match: {prefix: /moved}
            redirect: {host_redirect: new.example, port_redirect: 8443, path_redirect: /x, response_code: FOUND,
                       strip_query: true, scheme_redirect: ftp}
  clusters:
  - name: a
    load_assignment: {endpoints: [{lb_endpoints: [
        {endpoint: {address: {socket_address: {address: 10.0.0.1, port_value: 80}}}, load_balancing_weight: 5},
        {endpoint: {address: {socket_address: {address: 10.0.0.2, port_value: 80}}}, load_balancing_weight: 0}]}]}
  - name: b
    type: STRICT_DNS
    dns_refresh_rate: 2s
    connect_timeout: 0.25s
    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: b.local, port_value: 81}}}}]}]}
)";

const Route& RouteAt(const Snapshot& s, size_t i) { return s.listeners[0]->routes->virtual_hosts[0].routes[i]; }

TEST(SnapshotBuilderTest, ListenerDefaults) {
  auto s = Build(Parse(kConfig));
  ASSERT_EQ(s->version, 7u);
  ASSERT_EQ(s->listeners.size(), 1u);
  const Listener& l = *s->listeners[0];
  EXPECT_EQ(l.stat_prefix, "out");  // defaults to the name
  EXPECT_EQ(l.port, 15001);
  EXPECT_EQ(l.max_request_headers_bytes, 60u * 1024);
  EXPECT_EQ(l.max_headers_count, 100u);
  EXPECT_EQ(l.request_headers_timeout, std::chrono::seconds(10));
  EXPECT_EQ(l.idle_timeout, std::chrono::hours(1));
  EXPECT_EQ(l.drain_timeout, std::chrono::seconds(5));
  EXPECT_EQ(l.stream_idle_timeout, std::chrono::minutes(5));  // Envoy's defaults
  EXPECT_EQ(l.request_timeout, Duration::zero());
  EXPECT_EQ(l.forwarded_proto, "http");
  ASSERT_EQ(l.access_logs.size(), 2u);
  EXPECT_EQ(l.access_logs[0].path, "/tmp/x.log");
  EXPECT_EQ(l.access_logs[0].format, kDefaultAccessLogFormat);
  EXPECT_EQ(l.access_logs[1].path, "");  // stdout
  EXPECT_EQ(l.access_logs[1].format, "%DURATION%\n");
  EXPECT_EQ(s->bootstrap.static_resources().clusters_size(), 2);  // kept for /config_dump
}

TEST(SnapshotBuilderTest, ListenerLimitsConfigured) {
  v1::Bootstrap b = Parse(kConfig);
  auto* hcm = b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager();
  hcm->set_stat_prefix("egress");
  hcm->mutable_max_request_headers_kb()->set_value(4);
  hcm->mutable_max_headers_count()->set_value(7);
  hcm->mutable_request_headers_timeout()->set_nanos(500'000);  // below 1ms still is not "none"
  hcm->mutable_idle_timeout()->set_seconds(0);                 // explicit zero = none
  hcm->set_forwarded_proto("https");
  hcm->mutable_stream_idle_timeout()->set_seconds(0);  // explicit zero = off
  hcm->mutable_request_timeout()->set_seconds(30);
  auto s = Build(b);
  const Listener& l = *s->listeners[0];
  EXPECT_EQ(l.stat_prefix, "egress");
  EXPECT_EQ(l.max_request_headers_bytes, 4096u);
  EXPECT_EQ(l.max_headers_count, 7u);
  EXPECT_EQ(l.request_headers_timeout, std::chrono::milliseconds(1));
  EXPECT_EQ(l.idle_timeout, Duration::zero());
  EXPECT_EQ(l.stream_idle_timeout, Duration::zero());
  EXPECT_EQ(l.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(l.forwarded_proto, "https");
}

TEST(SnapshotBuilderTest, ClusterHttpProtocolOptions) {
  v1::Bootstrap b = Parse(kConfig);
  EXPECT_EQ(Build(b)->FindCluster("a")->max_response_headers_count, 100u);  // Envoy's default
  auto* options = b.mutable_static_resources()->mutable_clusters(0)->mutable_common_http_protocol_options();
  options->mutable_max_headers_count()->set_value(20);
  options->mutable_max_requests_per_connection()->set_value(3);  // the same limit as the cluster's own field
  auto s = Build(b);
  EXPECT_EQ(s->FindCluster("a")->max_response_headers_count, 20u);
  EXPECT_EQ(s->FindCluster("a")->max_requests_per_connection, 3u);
}

// Issue 12: validation compiles each route regex and the snapshot takes that
// RE2, with the route's case sensitivity, instead of compiling it again.
TEST(SnapshotBuilderTest, RegexesAreCompiledOnceByValidation) {
  const v1::Bootstrap b = Parse(testing::OneListenerBootstrap(R"(          - match: {safe_regex: {regex: "/API/[0-9]+"}, case_sensitive: false}
            route: {cluster: a}
          - match: {prefix: /x}
            route: {cluster: a}
          - match: {prefix: /y}
            route: {cluster: a}
          - match: {safe_regex: {regex: "/Case/[a-z]+"}}
            route: {cluster: a}
)",
                                                              R"(  - name: a
    connect_timeout: 1s
    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 10.0.0.1, port_value: 80}}}}]}]}
)"));
  CompiledRegexes regexes;
  const absl::Status valid = ValidateBootstrap(b, &regexes);
  ASSERT_TRUE(valid.ok()) << valid;
  auto insensitive = regexes.Compile("/API/[0-9]+", false, "unused");
  auto sensitive = regexes.Compile("/Case/[a-z]+", true, "unused");
  ASSERT_TRUE(insensitive.ok() && sensitive.ok());
  auto s = BuildSnapshot(b, {}, 7, &regexes);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(RouteAt(**s, 0).regex, *insensitive);  // the same object, not an equal one
  EXPECT_EQ(RouteAt(**s, 3).regex, *sensitive);
  // Without validation's map, the builder compiles its own.
  EXPECT_NE(RouteAt(*Build(b), 0).regex, *insensitive);
}

TEST(CompiledRegexesTest, AnInvalidPatternNamesThePath) {
  CompiledRegexes regexes;
  auto bad = regexes.Compile("(", true, "routes[0].match.safe_regex");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("routes[0].match.safe_regex: invalid regex \"(\": missing )", 0), 0u)
      << bad.status();
  auto a = regexes.Compile("a+", true, "p");
  auto b = regexes.Compile("a+", false, "p");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // case sensitivity is part of the key
  EXPECT_EQ(*a, *regexes.Compile("a+", true, "q"));
}

TEST(SnapshotBuilderTest, RegexIsCompiledFullMatchAndCaseAware) {
  auto s = Build(Parse(kConfig));
  const Route& insensitive = RouteAt(*s, 0);
  ASSERT_EQ(insensitive.path_kind, Route::PathKind::kRegex);
  ASSERT_NE(insensitive.regex, nullptr);
  EXPECT_TRUE(re2::RE2::FullMatch("/api/12", *insensitive.regex));
  EXPECT_FALSE(re2::RE2::FullMatch("/api/12/x", *insensitive.regex));
  const Route& sensitive = RouteAt(*s, 3);
  ASSERT_NE(sensitive.regex, nullptr);
  EXPECT_TRUE(re2::RE2::FullMatch("/Case/abc", *sensitive.regex));
  EXPECT_FALSE(re2::RE2::FullMatch("/case/abc", *sensitive.regex));
}

TEST(SnapshotBuilderTest, ClusterActions) {
  auto s = Build(Parse(kConfig));
  EXPECT_EQ(s->listeners[0]->routes->virtual_hosts[0].domains[1], "example.com");
  const Route& weighted = RouteAt(*s, 0);
  EXPECT_EQ(weighted.action, Route::Action::kCluster);
  ASSERT_EQ(weighted.clusters.size(), 2u);
  EXPECT_EQ(weighted.clusters[0].cluster, "a");
  EXPECT_EQ(weighted.clusters[0].weight, 3u);
  EXPECT_EQ(weighted.total_weight, 4u);
  EXPECT_EQ(weighted.timeout, Duration::zero());  // 0s = none
  const Route& plain = RouteAt(*s, 3);
  ASSERT_EQ(plain.clusters.size(), 1u);
  EXPECT_EQ(plain.clusters[0].cluster, "a");
  EXPECT_EQ(plain.total_weight, 1u);
  EXPECT_EQ(plain.host_rewrite, "up.internal");
  EXPECT_TRUE(plain.has_prefix_rewrite);
  EXPECT_EQ(plain.prefix_rewrite, "/v2");
  EXPECT_EQ(plain.timeout, std::chrono::seconds(15));  // default
}

TEST(SnapshotBuilderTest, Redirects) {
  auto s = Build(Parse(kConfig));
  const Route& https = RouteAt(*s, 1);
  EXPECT_EQ(https.action, Route::Action::kRedirect);
  EXPECT_EQ(https.path, "/old");  // lowered for case-insensitive matching
  EXPECT_EQ(https.redirect.scheme, "https");
  EXPECT_EQ(https.redirect.status, 308u);
  EXPECT_TRUE(https.redirect.has_prefix_rewrite);
  EXPECT_EQ(https.redirect.prefix_rewrite, "/new");
  const Route& moved = RouteAt(*s, 4);
  EXPECT_EQ(moved.redirect.status, 302u);
  EXPECT_EQ(moved.redirect.scheme, "ftp");
  EXPECT_EQ(moved.redirect.host, "new.example");
  EXPECT_EQ(moved.redirect.port, 8443u);
  EXPECT_EQ(moved.redirect.path, "/x");
  EXPECT_FALSE(moved.redirect.has_prefix_rewrite);
  EXPECT_TRUE(moved.redirect.strip_query);
}

TEST(SnapshotBuilderTest, DirectResponseAndHeaderMutations) {
  auto s = Build(Parse(kConfig));
  const Route& direct = RouteAt(*s, 2);
  EXPECT_EQ(direct.action, Route::Action::kDirectResponse);
  EXPECT_EQ(direct.direct_status, 418u);
  EXPECT_EQ(direct.direct_body, "short and stout");
  ASSERT_EQ(direct.headers.size(), 1u);
  EXPECT_EQ(direct.headers[0].name, "x-tea");
  EXPECT_EQ(direct.headers[0].kind, HeaderMatch::Kind::kPresent);
  ASSERT_EQ(direct.response_headers.add.size(), 1u);
  EXPECT_EQ(direct.response_headers.add[0].key, "x-brew");
  EXPECT_EQ(direct.response_headers.add[0].action, v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  const RouteTable& table = *s->listeners[0]->routes;
  ASSERT_EQ(table.request_headers.add.size(), 1u);
  EXPECT_EQ(table.request_headers.add[0].key, "x-table");
  EXPECT_EQ(table.request_headers.add[0].action, v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD);
  EXPECT_EQ(table.response_headers.remove, std::vector<std::string>{"x-internal"});
  EXPECT_EQ(table.virtual_hosts[0].request_headers.remove, std::vector<std::string>{"x-drop"});
}

TEST(SnapshotBuilderTest, DirectResponseBodyFromFile) {
  const auto path = std::filesystem::temp_directory_path() / ("tether_body_" + std::to_string(::getpid()));
  std::ofstream(path) << "from a file\n";
  v1::Bootstrap b = Parse(kConfig);
  auto* body = b.mutable_static_resources()
                   ->mutable_listeners(0)
                   ->mutable_http_connection_manager()
                   ->mutable_route_config()
                   ->mutable_virtual_hosts(0)
                   ->mutable_routes(2)
                   ->mutable_direct_response()
                   ->mutable_body();
  body->set_filename(path.string());
  EXPECT_EQ(RouteAt(*Build(b), 2).direct_body, "from a file\n");
  std::filesystem::remove(path);
  auto missing = BuildSnapshot(b, {}, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(missing.status().message()).find(path.string()), std::string::npos);
}

TEST(SnapshotBuilderTest, ClusterDefaultsStaticAndDns) {
  auto unresolved = Build(Parse(kConfig));
  const Cluster* a = unresolved->FindCluster("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->hosts.size(), 2u);
  EXPECT_EQ(a->hosts[0].Key(), "10.0.0.1:80");
  EXPECT_EQ(a->hosts[0].weight, 5u);
  EXPECT_EQ(a->hosts[1].weight, 1u);  // 0 means 1
  EXPECT_EQ(a->connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(a->dns_refresh_rate, std::chrono::seconds(5));
  EXPECT_EQ(a->idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(a->max_idle_connections_per_host, 1024u);
  EXPECT_EQ(a->max_requests_per_connection, 0u);
  const Cluster* b = unresolved->FindCluster("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->type, v1::Cluster::STRICT_DNS);
  EXPECT_TRUE(b->hosts.empty());  // not resolved yet
  ASSERT_EQ(b->dns_names.size(), 1u);
  EXPECT_EQ(b->dns_names[0].hostname, "b.local");
  EXPECT_EQ(b->dns_names[0].port, 81);
  EXPECT_EQ(b->dns_refresh_rate, std::chrono::seconds(2));
  EXPECT_EQ(b->connect_timeout, std::chrono::milliseconds(250));

  auto resolved = Build(Parse(kConfig), {{"b", {{"10.1.1.1", 81, 1}, {"10.1.1.2", 81, 1}}}});
  ASSERT_EQ(resolved->FindCluster("b")->hosts.size(), 2u);
  EXPECT_EQ(resolved->FindCluster("b")->hosts[1].Key(), "10.1.1.2:81");
  EXPECT_EQ(resolved->FindCluster("nope"), nullptr);
}

// %UPSTREAM_HOST%, stats tags and /clusters print Key(): an IPv6 host keeps
// its brackets, as downstream addresses do ("::1:80" was ambiguous).
TEST(SnapshotBuilderTest, HostKeyBracketsIpv6) {
  EXPECT_EQ((Host{"::1", 80, 1}).Key(), "[::1]:80");
  EXPECT_EQ((Host{"fd00::a:1", 8080, 1}).Key(), "[fd00::a:1]:8080");
  EXPECT_EQ((Host{"10.0.0.1", 80, 1}).Key(), "10.0.0.1:80");
}

// Each mutation makes an otherwise good bootstrap odd; the builder refuses it.
TEST(SnapshotBuilderTest, OddInputIsAnErrorNotACrash) {
  const v1::Bootstrap good = Parse(kConfig);
  const auto route = [](v1::Bootstrap& b, int i) {
    return b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager()
        ->mutable_route_config()->mutable_virtual_hosts(0)->mutable_routes(i);
  };
  const std::vector<std::pair<std::string, std::function<void(v1::Bootstrap&)>>> cases = {
      {"invalid regex", [&](v1::Bootstrap& b) { route(b, 0)->mutable_match()->mutable_safe_regex()->set_regex("(");}},
      {"total weight 0", [&](v1::Bootstrap& b) {
         for (auto& c : *route(b, 0)->mutable_route()->mutable_weighted_clusters()->mutable_clusters()) c.set_weight(0);
       }},
      {"no action", [&](v1::Bootstrap& b) { route(b, 3)->clear_route(); }},
      {"unknown redirect code", [&](v1::Bootstrap& b) {
         route(b, 1)->mutable_redirect()->set_response_code(static_cast<v1::RedirectAction::RedirectResponseCode>(9));
       }},
      {"invalid status", [&](v1::Bootstrap& b) { route(b, 2)->mutable_direct_response()->set_status(1000); }},
      {"negative duration", [&](v1::Bootstrap& b) {
         b.mutable_static_resources()->mutable_clusters(0)->mutable_idle_timeout()->set_seconds(-1);
       }},
      {"duplicate cluster", [&](v1::Bootstrap& b) {
         *b.mutable_static_resources()->add_clusters() = b.static_resources().clusters(0);
       }},
      {"listener port out of range", [&](v1::Bootstrap& b) {
         b.mutable_static_resources()->mutable_listeners(0)->mutable_address()->mutable_socket_address()
             ->set_port_value(70000);
       }},
  };
  for (const auto& [what, mutate] : cases) {
    v1::Bootstrap b = good;
    mutate(b);
    auto s = BuildSnapshot(b, {}, 1);
    ASSERT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_NE(std::string(s.status().message()).find("static_resources."), std::string::npos) << s.status();
  }
}

}  // namespace
}  // namespace tether::config
