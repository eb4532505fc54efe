#include "src/http/router.h"

#include <gtest/gtest.h>

#include <map>

#include "test/http/test_routes.h"

namespace tether::http {
namespace {

using fields = codec::HeaderMap;

// A request for `target` at `host`, with `headers` as its regular fields.
codec::HeaderMap Request(std::string_view host, std::string_view target, codec::HeaderMap headers = {}) {
  headers.Set(codec::PseudoHeader::kAuthority, host);
  headers.Set(codec::PseudoHeader::kPath, target);
  return headers;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snapshot_ = testing::SnapshotWithRoutes(R"({virtual_hosts: [
      {name: exact, domains: [api.example.com], routes: [{name: api, match: {prefix: /}, route: {cluster: c}}]},
      {name: suffix, domains: ["*.example.com"], routes: [{name: suffix, match: {prefix: /}, route: {cluster: c}}]},
      {name: longer, domains: ["*.eu.example.com"], routes: [{name: longer, match: {prefix: /}, route: {cluster: c}}]},
      {name: dash, domains: ["*-bar.example.com"], routes: [{name: dash, match: {prefix: /}, route: {cluster: c}}]},
      {name: prefix, domains: ["internal.*"], routes: [{name: prefix, match: {prefix: /}, route: {cluster: c}}]},
      {name: longer-prefix, domains: ["internal.corp.*"], routes: [{name: lp, match: {prefix: /}, route: {cluster: c}}]},
      {name: v6, domains: ["[::1]"], routes: [{name: v6, match: {prefix: /}, route: {cluster: c}}]},
      {name: any, domains: ["*"], routes: [
        {name: exact-path, match: {path: /exact}, route: {cluster: c}},
        {name: regex, match: {safe_regex: {regex: "/users/[0-9]+"}}, route: {cluster: c}},
        {name: nocase, match: {prefix: /CaSe, case_sensitive: false}, route: {cluster: c}},
        {name: canary, match: {prefix: /app, headers: [{name: x-canary, exact_match: "yes"}]}, route: {cluster: c}},
        {name: not-beta, match: {prefix: /app, headers: [{name: x-beta, present_match: true, invert_match: true}]}, route: {cluster: c}},
        {name: ua, match: {prefix: /app, headers: [{name: user-agent, safe_regex_match: {regex: "curl/.*"}}]}, route: {cluster: c}},
        {name: not-v2, match: {prefix: /inv, headers: [{name: x-version, exact_match: "2", invert_match: true}]}, route: {cluster: c}},
        {name: joined, match: {prefix: /multi, headers: [{name: x-tag, exact_match: "a,b"}]}, route: {cluster: c}},
        {name: kinds, match: {prefix: /kinds, headers: [
            {name: x-p, prefix_match: "pre"}, {name: x-s, suffix_match: "suf"}, {name: x-c, contains_match: "mid"}]}, route: {cluster: c}},
        {name: absent, match: {prefix: /absent, headers: [{name: x-gone, present_match: false}]}, route: {cluster: c}},
        {name: split, match: {prefix: /split}, route: {weighted_clusters: {clusters: [{name: c, weight: 3}, {name: d, weight: 1}]}}}
      ]}]})");
    ASSERT_NE(snapshot_, nullptr);
  }

  std::string VirtualHostFor(std::string_view host) {
    const auto* vh = SelectVirtualHost(*snapshot_->listeners[0]->routes, host);
    return vh == nullptr ? "none" : vh->name;
  }

  std::string RouteFor(std::string_view target, const fields& headers = {}) {
    auto r = Route(*snapshot_->listeners[0]->routes, Request("x", target, headers));
    return r.route == nullptr ? "none" : r.route->name;
  }

  std::shared_ptr<const config::Snapshot> snapshot_;
};

TEST_F(RouterTest, VirtualHostOrder) {
  EXPECT_EQ(VirtualHostFor("api.example.com"), "exact");
  EXPECT_EQ(VirtualHostFor("API.Example.com:8443"), "exact");  // case and port ignored
  EXPECT_EQ(VirtualHostFor("www.example.com"), "suffix");
  EXPECT_EQ(VirtualHostFor("WWW.EXAMPLE.COM:80"), "suffix");
  EXPECT_EQ(VirtualHostFor("a.eu.example.com"), "longer");  // longest suffix wins
  EXPECT_EQ(VirtualHostFor("foo-bar.example.com"), "dash");  // longer than "*.example.com"
  EXPECT_EQ(VirtualHostFor("internal.corp"), "prefix");
  EXPECT_EQ(VirtualHostFor("internal.corp.x:9"), "longer-prefix");  // longest prefix wins
  EXPECT_EQ(VirtualHostFor("internal.example.com"), "suffix");  // suffix beats prefix
  EXPECT_EQ(VirtualHostFor("example.com"), "any");  // "*.example.com" needs a label before it
  EXPECT_EQ(VirtualHostFor("internal."), "any");     // "internal.*" needs something after it
  EXPECT_EQ(VirtualHostFor("[::1]:80"), "v6");
  EXPECT_EQ(VirtualHostFor("[::1]"), "v6");
  EXPECT_EQ(VirtualHostFor("api.example.com:"), "any");  // no numeric port: not stripped
  EXPECT_EQ(VirtualHostFor(""), "any");
}

TEST_F(RouterTest, NoCatchAllMeansNoVirtualHost) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [
      {name: only, domains: [a.com], routes: [{match: {prefix: /}, route: {cluster: c}}]}]})");
  ASSERT_NE(s, nullptr);
  EXPECT_NE(SelectVirtualHost(*s->listeners[0]->routes, "a.com"), nullptr);
  EXPECT_EQ(SelectVirtualHost(*s->listeners[0]->routes, "b.com"), nullptr);
  EXPECT_EQ(Route(*s->listeners[0]->routes, Request("b.com", "/")).route, nullptr);
}

TEST_F(RouterTest, PathMatchers) {
  EXPECT_EQ(RouteFor("/exact"), "exact-path");
  EXPECT_EQ(RouteFor("/exact?query=1"), "exact-path");  // the query is not part of the path
  EXPECT_EQ(RouteFor("/exact#frag"), "exact-path");
  EXPECT_EQ(RouteFor("http://host:80/exact?q"), "exact-path");  // absolute-form target
  EXPECT_EQ(RouteFor("/exactly"), "none");
  EXPECT_EQ(RouteFor("/EXACT"), "none");  // case-sensitive by default
  EXPECT_EQ(RouteFor("/users/42"), "regex");
  EXPECT_EQ(RouteFor("/users/42?x=1"), "regex");
  EXPECT_EQ(RouteFor("/users/42/x"), "none");  // regexes match the whole path
  EXPECT_EQ(RouteFor("/case/x"), "nocase");
  EXPECT_EQ(RouteFor("/CASE"), "nocase");
  EXPECT_EQ(RouteFor("/cas"), "none");
}

TEST_F(RouterTest, RoutesMatchInOrder) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [{name: a, domains: ["*"], routes: [
      {name: first, match: {prefix: /a}, route: {cluster: c}},
      {name: second, match: {prefix: /ab}, route: {cluster: c}}]}]})");
  ASSERT_NE(s, nullptr);
  const auto r = Route(*s->listeners[0]->routes, Request("x", "/abc"));
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->name, "first");
}

TEST_F(RouterTest, HeaderMatchers) {
  fields canary;
  canary.Set("X-Canary", "yes");
  EXPECT_EQ(RouteFor("/app", canary), "canary");
  canary.Set("x-canary", "yes!");
  EXPECT_EQ(RouteFor("/app", canary), "not-beta");  // exact means exact
  EXPECT_EQ(RouteFor("/app"), "not-beta");
  fields beta;
  beta.Set("x-beta", "1");
  EXPECT_EQ(RouteFor("/app", beta), "none");
  beta.Set("user-agent", "curl/8.0");
  EXPECT_EQ(RouteFor("/app", beta), "ua");
  beta.Set("user-agent", "wget curl/8.0");
  EXPECT_EQ(RouteFor("/app", beta), "none");  // regex matches the whole value
}

TEST_F(RouterTest, InvertedValueMatchNeedsTheHeader) {
  fields v1;
  v1.Set("x-version", "1");
  EXPECT_EQ(RouteFor("/inv", v1), "not-v2");
  fields v2;
  v2.Set("x-version", "2");
  EXPECT_EQ(RouteFor("/inv", v2), "none");
  EXPECT_EQ(RouteFor("/inv"), "none");  // Envoy: an absent header matches no inverted value matcher
}

TEST_F(RouterTest, RepeatedHeadersAreJoinedWithComma) {
  fields f;
  f.Add("x-tag", "a");
  f.Add("x-tag", "b");
  EXPECT_EQ(RouteFor("/multi", f), "joined");
  fields one;
  one.Add("x-tag", "a");
  EXPECT_EQ(RouteFor("/multi", one), "none");
}

TEST_F(RouterTest, PrefixSuffixContainsAndAbsent) {
  fields f;
  f.Set("x-p", "prefix");
  f.Set("x-s", "a-suf");
  f.Set("x-c", "amidst");
  EXPECT_EQ(RouteFor("/kinds", f), "kinds");
  f.Set("x-c", "ami-dst");
  EXPECT_EQ(RouteFor("/kinds", f), "none");
  EXPECT_EQ(RouteFor("/absent"), "absent");
  fields gone;
  gone.Set("x-gone", "");
  EXPECT_EQ(RouteFor("/absent", gone), "none");  // present even when empty
}

TEST_F(RouterTest, WeightedPickFollowsTheRoll) {
  auto r = Route(*snapshot_->listeners[0]->routes, Request("x", "/split"));
  ASSERT_NE(r.route, nullptr);
  std::map<std::string, int> picks;
  for (uint64_t roll = 0; roll < 400; ++roll) ++picks[PickCluster(*r.route, roll)];
  EXPECT_EQ(picks["c"], 300);
  EXPECT_EQ(picks["d"], 100);
  // Intervals [0, 3) -> c, [3, 4) -> d, repeating.
  EXPECT_EQ(PickCluster(*r.route, 2), "c");
  EXPECT_EQ(PickCluster(*r.route, 3), "d");
  EXPECT_EQ(PickCluster(*r.route, 7), "d");
  EXPECT_EQ(PickCluster(*r.route, 8), "c");
}

}  // namespace
}  // namespace tether::http
