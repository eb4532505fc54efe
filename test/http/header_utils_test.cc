#include "src/http/header_utils.h"

#include <gtest/gtest.h>

#include "test/http/test_routes.h"

namespace tether::http {
namespace {

TEST(HeaderUtilsTest, PrefixRewriteKeepsTheQuery) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [{name: a, domains: ["*"], routes: [
      {match: {prefix: /api/}, route: {cluster: c, prefix_rewrite: /v2/}},
      {match: {prefix: /old}, route: {cluster: c, prefix_rewrite: /}},
      {match: {prefix: /NoCase/, case_sensitive: false}, route: {cluster: c, prefix_rewrite: /x/}},
      {match: {path: /exact}, route: {cluster: c, prefix_rewrite: /other}},
      {match: {prefix: /plain}, route: {cluster: c}}]}]})");
  ASSERT_NE(s, nullptr);
  const auto& routes = s->listeners[0]->routes->virtual_hosts[0].routes;
  EXPECT_EQ(RewriteTarget(routes[0], "/api/users?id=1&b=/api/"), "/v2/users?id=1&b=/api/");
  EXPECT_EQ(RewriteTarget(routes[0], "/api/"), "/v2/");
  EXPECT_EQ(RewriteTarget(routes[1], "/old"), "/");
  EXPECT_EQ(RewriteTarget(routes[1], "/oldpage"), "/page");
  EXPECT_EQ(RewriteTarget(routes[1], "/old/page"), "//page");  // Envoy: mind the trailing slashes
  EXPECT_EQ(RewriteTarget(routes[2], "/NOCASE/Keep?Q=1"), "/x/Keep?Q=1");
  EXPECT_EQ(RewriteTarget(routes[3], "/exact?q"), "/other?q");
  EXPECT_EQ(RewriteTarget(routes[4], "/plain/x?y"), "/plain/x?y");
}

TEST(HeaderUtilsTest, RedirectLocations) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [{name: a, domains: ["*"], routes: [
      {match: {prefix: /}, redirect: {https_redirect: true}},
      {match: {prefix: /old/}, redirect: {host_redirect: new.example.com, port_redirect: 8443, prefix_rewrite: /new/, strip_query: true}},
      {match: {prefix: /x}, redirect: {path_redirect: /y}},
      {match: {prefix: /p}, redirect: {port_redirect: 9000}},
      {match: {prefix: /h}, redirect: {host_redirect: h.example.com}},
      {match: {prefix: /q}, redirect: {path_redirect: "/z?fixed=1", strip_query: true}}]}]})");
  ASSERT_NE(s, nullptr);
  const auto& routes = s->listeners[0]->routes->virtual_hosts[0].routes;
  EXPECT_EQ(RedirectLocation(routes[0], "http", "a.com:8080", "/p?q=1"), "https://a.com:8080/p?q=1");
  EXPECT_EQ(RedirectLocation(routes[0], "http", "a.com:80", "/p"), "https://a.com/p");  // default port dropped
  EXPECT_EQ(RedirectLocation(routes[0], "", "a.com", "/p"), "https://a.com/p");
  EXPECT_EQ(RedirectLocation(routes[1], "http", "a.com", "/old/page?q=1"), "http://new.example.com:8443/new/page");
  EXPECT_EQ(RedirectLocation(routes[2], "http", "a.com", "/x?q=1"), "http://a.com/y?q=1");
  EXPECT_EQ(RedirectLocation(routes[2], "", "a.com", "/x"), "http://a.com/y");  // scheme defaults to http
  EXPECT_EQ(RedirectLocation(routes[3], "http", "a.com:8080", "/p/1?q"), "http://a.com:9000/p/1?q");
  EXPECT_EQ(RedirectLocation(routes[3], "http", "[::1]:8080", "/p"), "http://[::1]:9000/p");
  EXPECT_EQ(RedirectLocation(routes[3], "http", "[::1]", "/p"), "http://[::1]:9000/p");
  EXPECT_EQ(RedirectLocation(routes[4], "http", "a.com:8080", "/h"), "http://h.example.com/h");
  EXPECT_EQ(RedirectLocation(routes[5], "http", "a.com", "/q?drop=1"), "http://a.com/z?fixed=1");
}

}  // namespace
}  // namespace tether::http
