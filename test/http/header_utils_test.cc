#include "src/http/header_utils.h"

#include <gtest/gtest.h>

#include "test/http/test_routes.h"

namespace tether::http {
namespace {

using boost::beast::http::fields;

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

TEST(HeaderUtilsTest, ForwardedHeaders) {
  fields edge;
  edge.set("x-forwarded-for", "10.0.0.1");
  SetForwardedHeaders(edge, "192.0.2.7", true, "http");
  EXPECT_EQ(edge["x-forwarded-for"], "10.0.0.1, 192.0.2.7");
  EXPECT_EQ(edge["x-forwarded-proto"], "http");

  fields inner;
  inner.set("x-forwarded-for", "10.0.0.1");
  inner.set("x-forwarded-proto", "https");
  SetForwardedHeaders(inner, "192.0.2.7", false, "http");
  EXPECT_EQ(inner["x-forwarded-for"], "10.0.0.1");  // trusted as is
  EXPECT_EQ(inner["x-forwarded-proto"], "https");

  fields fresh;
  SetForwardedHeaders(fresh, "192.0.2.7", true, "http");
  EXPECT_EQ(fresh["x-forwarded-for"], "192.0.2.7");
}

TEST(HeaderUtilsTest, PrefixRewriteKeepsTheQuery) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [{name: a, domains: ["*"], routes: [
      {match: {prefix: /api/}, route: {cluster: c, prefix_rewrite: /v2/}},
      {match: {prefix: /old}, route: {cluster: c, prefix_rewrite: /}}]}]})");
  ASSERT_NE(s, nullptr);
  const auto& routes = s->listeners[0]->routes->virtual_hosts[0].routes;
  EXPECT_EQ(RewriteTarget(routes[0], "/api/users?id=1"), "/v2/users?id=1");
  EXPECT_EQ(RewriteTarget(routes[1], "/old"), "/");
  EXPECT_EQ(RewriteTarget(routes[1], "/oldpage"), "/page");
}

TEST(HeaderUtilsTest, RedirectLocations) {
  auto s = testing::SnapshotWithRoutes(R"({virtual_hosts: [{name: a, domains: ["*"], routes: [
      {match: {prefix: /}, redirect: {https_redirect: true}},
      {match: {prefix: /old/}, redirect: {host_redirect: new.example.com, port_redirect: 8443, prefix_rewrite: /new/, strip_query: true}},
      {match: {prefix: /x}, redirect: {path_redirect: /y}}]}]})");
  ASSERT_NE(s, nullptr);
  const auto& routes = s->listeners[0]->routes->virtual_hosts[0].routes;
  EXPECT_EQ(RedirectLocation(routes[0], "http", "a.com:8080", "/p?q=1"), "https://a.com:8080/p?q=1");
  EXPECT_EQ(RedirectLocation(routes[1], "http", "a.com", "/old/page?q=1"), "http://new.example.com:8443/new/page");
  EXPECT_EQ(RedirectLocation(routes[2], "http", "a.com", "/x?q=1"), "http://a.com/y?q=1");
}

}  // namespace
}  // namespace tether::http
