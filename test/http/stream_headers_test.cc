#include "src/http/stream_headers.h"

#include <gtest/gtest.h>

#include <string>

#include "src/http/router.h"
#include "test/http/test_routes.h"

namespace tether::http {
namespace {

class StreamHeadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snapshot_ = testing::SnapshotWithRoutes(R"({
      request_headers_to_add: [{header: {key: x-table, value: t}}],
      virtual_hosts: [{name: vh, domains: ["*"],
        request_headers_to_remove: [x-secret],
        routes: [
          {name: rw, match: {prefix: /old}, route: {cluster: c, prefix_rewrite: /new, host_rewrite_literal: up.local},
           request_headers_to_add: [{header: {key: x-route, value: r}, append_action: OVERWRITE_IF_EXISTS_OR_ADD}]},
          {name: canary, match: {prefix: /, headers: [{name: x-canary, exact_match: "yes"}]}, route: {cluster: c}},
          {name: any, match: {prefix: /}, route: {cluster: c}}]}]})");
    ASSERT_NE(snapshot_, nullptr);
  }
  const config::Listener& listener() { return *snapshot_->listeners[0]; }

  static codec::HeaderMap Request(std::string_view path) {
    codec::HeaderMap h;
    h.Set(codec::PseudoHeader::kMethod, "GET");
    h.Set(codec::PseudoHeader::kPath, path);
    return h;
  }

  std::shared_ptr<const config::Snapshot> snapshot_;
};

TEST_F(StreamHeadersTest, RoutesOnTheCodecHeaderMap) {
  const config::RouteTable& table = *listener().routes;
  codec::HeaderMap h = Request("/x");
  h.Set(codec::PseudoHeader::kAuthority, "svc");
  EXPECT_EQ(Route(table, h).route->name, "any");
  h.Add("X-Canary", "yes");  // any case
  EXPECT_EQ(Route(table, h).route->name, "canary");
  codec::HeaderMap host_only = Request("/old/a");
  host_only.Add("host", "svc");  // HTTP/1's Host when there is no :authority
  EXPECT_EQ(Route(table, host_only).route->name, "rw");
}

TEST_F(StreamHeadersTest, UpstreamHeadersAsTheHttp1Path) {
  const config::RouteTable& table = *listener().routes;
  codec::HeaderMap h = Request("/old/a?q=1");
  h.Add("host", "svc.local");
  h.Add("connection", "keep-alive, x-hop");
  h.Add("x-hop", "1");
  h.Add("te", "gzip");
  h.Add("expect", "100-continue");
  h.Add("x-secret", "s");
  h.Add("x-route", "client");
  const RouteMatchResult match = Route(table, h);
  ASSERT_NE(match.route, nullptr);
  PrepareUpstreamHeaders(h, {listener(), match.vhost, *match.route, "192.0.2.7:1234", codec::Protocol::kHttp1,
                             codec::Protocol::kHttp2});
  EXPECT_EQ(h.Get(codec::PseudoHeader::kPath), "/new/a?q=1");
  EXPECT_EQ(h.Get("x-envoy-original-path"), "/old/a?q=1");
  EXPECT_EQ(h.Get(codec::PseudoHeader::kAuthority), "up.local");
  EXPECT_FALSE(h.Has("host"));
  EXPECT_FALSE(h.Has("connection"));
  EXPECT_FALSE(h.Has("x-hop"));
  EXPECT_FALSE(h.Has("te"));
  EXPECT_FALSE(h.Has("expect"));
  EXPECT_FALSE(h.Has("x-secret"));
  EXPECT_EQ(h.GetAll("x-route"), std::vector<std::string_view>{"r"});
  EXPECT_EQ(h.Get("x-table"), "t");
  EXPECT_EQ(h.Get("x-forwarded-proto"), "http");
  EXPECT_FALSE(h.Has("x-forwarded-for"));  // not the edge: use_remote_address is off
}

std::string All(const codec::HeaderMap& h, std::string_view name) {
  std::string out;
  for (const std::string_view v : h.GetAll(name)) {
    if (!out.empty()) out += "|";
    out += v;
  }
  return out;
}

TEST(StreamHeaderMutationTest, AppendActions) {
  config::HeaderMutation m;
  m.remove = {"x-drop"};
  m.add = {{"x-append", "2", config::v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD},
           {"x-absent", "new", config::v1::HeaderValueOption::ADD_IF_ABSENT},
           {"x-present", "new", config::v1::HeaderValueOption::ADD_IF_ABSENT},
           {"x-over", "new", config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD}};
  codec::HeaderMap h;
  h.Add("x-append", "1");
  h.Add("x-present", "old");
  h.Add("x-over", "old1");
  h.Add("x-over", "old2");
  h.Add("x-drop", "bye");
  ApplyHeaderMutation(h, m);
  EXPECT_EQ(All(h, "x-append"), "1|2");
  EXPECT_EQ(All(h, "x-absent"), "new");
  EXPECT_EQ(All(h, "x-present"), "old");
  EXPECT_EQ(All(h, "x-over"), "new");
  EXPECT_FALSE(h.Has("x-drop"));
}

TEST(StreamHeaderMutationTest, RemovesBeforeAdding) {
  config::HeaderMutation m;
  m.remove = {"x-a"};
  m.add = {{"x-a", "new", config::v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD}};
  codec::HeaderMap h;
  h.Add("X-A", "old");
  ApplyHeaderMutation(h, m);
  EXPECT_EQ(All(h, "x-a"), "new");
}

TEST(StreamForwardedHeadersTest, AtTheEdge) {
  codec::HeaderMap edge;
  edge.Set("x-forwarded-for", "10.0.0.1");
  edge.Set("x-forwarded-proto", "https");  // the client's claim is not trusted
  SetForwardedHeaders(edge, "192.0.2.7", true, "http");
  EXPECT_EQ(All(edge, "x-forwarded-for"), "10.0.0.1,192.0.2.7");  // Envoy's delimiter
  EXPECT_EQ(All(edge, "x-forwarded-proto"), "http");

  codec::HeaderMap repeated;
  repeated.Add("x-forwarded-for", "10.0.0.1");
  repeated.Add("x-forwarded-for", "10.0.0.2");
  SetForwardedHeaders(repeated, "192.0.2.7", true, "http");
  EXPECT_EQ(All(repeated, "x-forwarded-for"), "10.0.0.1,10.0.0.2,192.0.2.7");  // joined into one

  codec::HeaderMap fresh;
  SetForwardedHeaders(fresh, "192.0.2.7", true, "https");
  EXPECT_EQ(All(fresh, "x-forwarded-for"), "192.0.2.7");
  EXPECT_EQ(All(fresh, "x-forwarded-proto"), "https");
}

TEST(StreamForwardedHeadersTest, BehindTrustedEdge) {
  codec::HeaderMap inner;
  inner.Set("x-forwarded-for", "10.0.0.1");
  inner.Set("x-forwarded-proto", "https");
  SetForwardedHeaders(inner, "192.0.2.7", false, "http");
  EXPECT_EQ(All(inner, "x-forwarded-for"), "10.0.0.1");  // trusted as is
  EXPECT_EQ(All(inner, "x-forwarded-proto"), "https");

  codec::HeaderMap bare;
  SetForwardedHeaders(bare, "192.0.2.7", false, "http");
  EXPECT_FALSE(bare.Has("x-forwarded-for"));
  EXPECT_EQ(All(bare, "x-forwarded-proto"), "http");  // set when absent
}

}  // namespace
}  // namespace tether::http
