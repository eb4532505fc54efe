#include "src/http/header_utils.h"

#include <gtest/gtest.h>

#include "test/http/test_routes.h"

namespace tether::http {
namespace {

using fields = tether::HeaderMap;

std::string All(const fields& f, std::string_view name) {
  std::string out;
  auto range = f.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    if (!out.empty()) out += "|";
    out += std::string(it->value());
  }
  return out;
}

TEST(HeaderUtilsTest, RemovesHopByHopIncludingConnectionListed) {
  fields f;
  f.set("Connection", "keep-alive, X-Secret");
  f.set("X-Secret", "1");
  f.set("Keep-Alive", "timeout=5");
  f.set("Transfer-Encoding", "chunked");
  f.set("Upgrade", "websocket");
  f.set("Proxy-Connection", "keep-alive");
  f.set("TE", "trailers");
  f.set("Content-Length", "5");
  f.set("X-Keep", "1");
  RemoveHopByHopHeaders(f);
  for (const char* gone : {"connection", "x-secret", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"}) {
    EXPECT_EQ(f.count(gone), 0u) << gone;
  }
  EXPECT_EQ(f["content-length"], "5");
  EXPECT_EQ(f["x-keep"], "1");
}

TEST(HeaderUtilsTest, MutationAppendActions) {
  config::HeaderMutation m;
  m.remove = {"x-drop"};
  m.add = {{"x-append", "2", config::v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD},
           {"x-absent", "new", config::v1::HeaderValueOption::ADD_IF_ABSENT},
           {"x-present", "new", config::v1::HeaderValueOption::ADD_IF_ABSENT},
           {"x-over", "new", config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD}};
  fields f;
  f.insert("x-append", "1");
  f.insert("x-present", "old");
  f.insert("x-over", "old1");
  f.insert("x-over", "old2");
  f.insert("x-drop", "bye");
  ApplyHeaderMutation(f, m);
  EXPECT_EQ(All(f, "x-append"), "1|2");
  EXPECT_EQ(All(f, "x-absent"), "new");
  EXPECT_EQ(All(f, "x-present"), "old");
  EXPECT_EQ(All(f, "x-over"), "new");
  EXPECT_EQ(f.count("x-drop"), 0u);
}

TEST(HeaderUtilsTest, ConnectionCannotNominateHostOrLength) {
  fields f;
  f.insert("Connection", "Host");
  f.insert("Connection", "content-length, x-a");
  f.set("Host", "a");
  f.set("Content-Length", "5");
  f.set("X-A", "1");
  RemoveHopByHopHeaders(f);
  EXPECT_EQ(f["host"], "a");
  EXPECT_EQ(f["content-length"], "5");
  EXPECT_EQ(f.count("x-a"), 0u);  // named in the second Connection field
  EXPECT_EQ(f.count("connection"), 0u);
}

TEST(HeaderUtilsTest, MutationRemovesBeforeAdding) {
  config::HeaderMutation m;
  m.remove = {"x-a"};
  m.add = {{"x-a", "new", config::v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD}};
  fields f;
  f.insert("X-A", "old");
  ApplyHeaderMutation(f, m);
  EXPECT_EQ(All(f, "x-a"), "new");
}

TEST(HeaderUtilsTest, ForwardedForAtTheEdge) {
  fields edge;
  edge.set("x-forwarded-for", "10.0.0.1");
  edge.set("x-forwarded-proto", "https");  // the client's claim is not trusted
  SetForwardedHeaders(edge, "192.0.2.7", true, "http");
  EXPECT_EQ(edge["x-forwarded-for"], "10.0.0.1,192.0.2.7");  // Envoy's delimiter
  EXPECT_EQ(edge["x-forwarded-proto"], "http");

  fields repeated;
  repeated.insert("x-forwarded-for", "10.0.0.1");
  repeated.insert("x-forwarded-for", "10.0.0.2");
  SetForwardedHeaders(repeated, "192.0.2.7", true, "http");
  EXPECT_EQ(All(repeated, "x-forwarded-for"), "10.0.0.1,10.0.0.2,192.0.2.7");

  fields fresh;
  SetForwardedHeaders(fresh, "192.0.2.7", true, "https");
  EXPECT_EQ(fresh["x-forwarded-for"], "192.0.2.7");
  EXPECT_EQ(fresh["x-forwarded-proto"], "https");
}

TEST(HeaderUtilsTest, ForwardedForBehindTrustedEdge) {
  fields inner;
  inner.set("x-forwarded-for", "10.0.0.1");
  inner.set("x-forwarded-proto", "https");
  SetForwardedHeaders(inner, "192.0.2.7", false, "http");
  EXPECT_EQ(inner["x-forwarded-for"], "10.0.0.1");  // trusted as is
  EXPECT_EQ(inner["x-forwarded-proto"], "https");

  fields bare;
  SetForwardedHeaders(bare, "192.0.2.7", false, "http");
  EXPECT_EQ(bare.count("x-forwarded-for"), 0u);
  EXPECT_EQ(bare["x-forwarded-proto"], "http");  // set when absent
}

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
