#include "src/http/stream_headers.h"

#include <gtest/gtest.h>

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

TEST_F(StreamHeadersTest, EdgeAppendsThePeerToXForwardedFor) {
  codec::HeaderMap h = Request("/");
  h.Add("x-forwarded-for", "10.0.0.1");
  SetForwardedHeaders(h, "192.0.2.7", true, "https");
  EXPECT_EQ(h.Get("x-forwarded-for"), "10.0.0.1,192.0.2.7");
  EXPECT_EQ(h.Get("x-forwarded-proto"), "https");
}

}  // namespace
}  // namespace tether::http
