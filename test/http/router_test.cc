#include "src/http/router.h"

#include <gtest/gtest.h>

#include <map>

#include "test/http/test_routes.h"

namespace tether::http {
namespace {

using boost::beast::http::fields;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snapshot_ = testing::SnapshotWithRoutes(R"({virtual_hosts: [
      {name: exact, domains: [api.example.com], routes: [{name: api, match: {prefix: /}, route: {cluster: c}}]},
      {name: suffix, domains: ["*.example.com"], routes: [{name: suffix, match: {prefix: /}, route: {cluster: c}}]},
      {name: longer, domains: ["*.eu.example.com"], routes: [{name: longer, match: {prefix: /}, route: {cluster: c}}]},
      {name: prefix, domains: ["internal.*"], routes: [{name: prefix, match: {prefix: /}, route: {cluster: c}}]},
      {name: any, domains: ["*"], routes: [
        {name: exact-path, match: {path: /exact}, route: {cluster: c}},
        {name: regex, match: {safe_regex: {regex: "/users/[0-9]+"}}, route: {cluster: c}},
        {name: nocase, match: {prefix: /CaSe, case_sensitive: false}, route: {cluster: c}},
        {name: canary, match: {prefix: /app, headers: [{name: x-canary, exact_match: "yes"}]}, route: {cluster: c}},
        {name: not-beta, match: {prefix: /app, headers: [{name: x-beta, present_match: true, invert_match: true}]}, route: {cluster: c}},
        {name: ua, match: {prefix: /app, headers: [{name: user-agent, safe_regex_match: {regex: "curl/.*"}}]}, route: {cluster: c}},
        {name: split, match: {prefix: /split}, route: {weighted_clusters: {clusters: [{name: c, weight: 3}, {name: d, weight: 1}]}}}
      ]}]})");
    ASSERT_NE(snapshot_, nullptr);
  }

  std::string VirtualHostFor(std::string_view host) {
    const auto* vh = SelectVirtualHost(*snapshot_->listeners[0]->routes, host);
    return vh == nullptr ? "none" : vh->name;
  }

  std::string RouteFor(std::string_view target, const fields& headers = {}) {
    auto r = Route(*snapshot_->listeners[0]->routes, "x", target, headers);
    return r.route == nullptr ? "none" : r.route->name;
  }

  std::shared_ptr<const config::Snapshot> snapshot_;
};

TEST_F(RouterTest, VirtualHostOrder) {
  EXPECT_EQ(VirtualHostFor("api.example.com"), "exact");
  EXPECT_EQ(VirtualHostFor("API.Example.com:8443"), "exact");  // case and port ignored
  EXPECT_EQ(VirtualHostFor("www.example.com"), "suffix");
  EXPECT_EQ(VirtualHostFor("a.eu.example.com"), "longer");  // longest suffix wins
  EXPECT_EQ(VirtualHostFor("internal.corp"), "prefix");
  EXPECT_EQ(VirtualHostFor("example.com"), "any");  // "*.example.com" needs a label before it
  EXPECT_EQ(VirtualHostFor("[::1]:80"), "any");
  EXPECT_EQ(VirtualHostFor(""), "any");
}

TEST_F(RouterTest, PathMatchers) {
  EXPECT_EQ(RouteFor("/exact"), "exact-path");
  EXPECT_EQ(RouteFor("/exact?query=1"), "exact-path");  // the query is not part of the path
  EXPECT_EQ(RouteFor("/exactly"), "none");
  EXPECT_EQ(RouteFor("/users/42"), "regex");
  EXPECT_EQ(RouteFor("/users/42/x"), "none");  // regexes match the whole path
  EXPECT_EQ(RouteFor("/case/x"), "nocase");
  EXPECT_EQ(RouteFor("/CASE"), "nocase");
}

TEST_F(RouterTest, HeaderMatchers) {
  fields canary;
  canary.set("x-canary", "yes");
  EXPECT_EQ(RouteFor("/app", canary), "canary");
  EXPECT_EQ(RouteFor("/app"), "not-beta");
  fields beta;
  beta.set("x-beta", "1");
  EXPECT_EQ(RouteFor("/app", beta), "none");
  beta.set("user-agent", "curl/8.0");
  EXPECT_EQ(RouteFor("/app", beta), "ua");
  beta.set("user-agent", "wget curl/8.0");
  EXPECT_EQ(RouteFor("/app", beta), "none");
}

TEST_F(RouterTest, WeightedPickFollowsTheRoll) {
  auto r = Route(*snapshot_->listeners[0]->routes, "x", "/split", {});
  ASSERT_NE(r.route, nullptr);
  std::map<std::string, int> picks;
  for (uint64_t roll = 0; roll < 400; ++roll) ++picks[PickCluster(*r.route, roll)];
  EXPECT_EQ(picks["c"], 300);
  EXPECT_EQ(picks["d"], 100);
}

}  // namespace
}  // namespace tether::http
