#include "src/admin/admin_handler.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "test/admin/fake_admin_context.h"

namespace tether::admin {
namespace {

class AdminHandlerTest : public ::testing::Test {
 protected:
  AdminHandlerTest() { context_.snap = testing::TwoHostSnapshot(); }

  testing::FakeAdminContext context_;
  AdminHandler handler_{context_};
};

TEST(AdminTargetTest, SplitsPathAndDecodesQuery) {
  const AdminTarget t = ParseAdminTarget("/stats?filter=%5Ecluster%5C.web&format=json&flag&x=a+b&bad=%zz");
  EXPECT_EQ(t.path, "/stats");
  EXPECT_EQ(t.query.at("filter"), "^cluster\\.web");
  EXPECT_EQ(t.query.at("format"), "json");
  EXPECT_EQ(t.query.at("flag"), "");
  EXPECT_EQ(t.query.at("x"), "a+b");
  EXPECT_EQ(t.query.at("bad"), "%zz");
  EXPECT_EQ(ParseAdminTarget("/ready").query.size(), 0u);
  EXPECT_EQ(ParseAdminTarget("/x?").path, "/x");
}

TEST_F(AdminHandlerTest, ReadyFollowsTheContext) {
  AdminReply r = handler_.Handle("GET", "/ready");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "LIVE\n");
  context_.ready = false;
  r = handler_.Handle("GET", "/ready");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body, "PRE_INITIALIZING\n");
}

TEST_F(AdminHandlerTest, TheHealthListenerAnswersOnlyItsProbe) {
  AdminHandler health(context_, /*health_only=*/true);
  AdminReply r = health.Handle("GET", "/healthz/ready");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "LIVE\n");
  EXPECT_EQ(health.Handle("HEAD", "/healthz/ready").status, 200u);
  // Nothing of the admin API is reachable from the pod's address.
  for (const char* path : {"/stats", "/config_dump", "/ready", "/server_info", "/"}) {
    EXPECT_EQ(health.Handle("GET", path).status, 404u) << path;
  }
  EXPECT_EQ(health.Handle("POST", "/quitquitquit").status, 404u);
  EXPECT_FALSE(health.Handle("POST", "/quitquitquit").quit);
  EXPECT_EQ(health.Handle("POST", "/healthz/ready").status, 405u);
  context_.ready = false;  // starting or draining
  EXPECT_EQ(health.Handle("GET", "/healthz/ready").status, 503u);
}

TEST_F(AdminHandlerTest, ContentTypes) {
  EXPECT_EQ(handler_.Handle("GET", "/server_info").content_type, "application/json");
  EXPECT_EQ(handler_.Handle("GET", "/config_dump").content_type, "application/json");
  EXPECT_EQ(handler_.Handle("GET", "/stats/prometheus").content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(handler_.Handle("GET", "/stats").content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(handler_.Handle("GET", "/stats?format=json").content_type, "application/json");
  EXPECT_EQ(handler_.Handle("GET", "/clusters?format=json").content_type, "application/json");
}

// /server_info prints the context's ServerInfo message: it parses back into it.
TEST_F(AdminHandlerTest, ServerInfoIsTheServerInfoMessage) {
  context_.server_info.set_version("0.1.0");
  context_.server_info.set_state(v1::ServerInfo::DRAINING);
  context_.server_info.set_uptime_seconds(0);
  context_.server_info.set_concurrency(4);
  context_.server_info.mutable_node()->set_id("n1");
  const std::string body = handler_.Handle("GET", "/server_info").body;
  v1::ServerInfo parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) << body;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, context_.server_info)) << body;
  EXPECT_NE(body.find("\"state\": \"DRAINING\""), std::string::npos) << body;  // the enum's name
  EXPECT_NE(body.find("\"uptime_seconds\": 0"), std::string::npos) << body;  // a number, even at 0
}

// /config_dump carries the context's dynamic part when there is one.
TEST_F(AdminHandlerTest, ConfigDumpAddsTheDynamicPart) {
  v1::ConfigDump parsed;
  std::string body = handler_.Handle("GET", "/config_dump").body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) << body;
  EXPECT_FALSE(parsed.has_dynamic());
  context_.dynamic.emplace().set_connected(true);
  body = handler_.Handle("GET", "/config_dump").body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) << body;
  EXPECT_TRUE(parsed.dynamic().connected());
  EXPECT_EQ(parsed.bootstrap().node().id(), "n1");
}

TEST_F(AdminHandlerTest, StatsFilterAndBadRegex) {
  context_.store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(2);
  context_.store.CounterFor("http.downstream_rq_total", {{"listener", "out"}}).Inc(1);
  EXPECT_EQ(handler_.Handle("GET", "/stats?filter=%5Ehttp").body, "http.out.downstream_rq_total: 1\n");
  const AdminReply bad = handler_.Handle("GET", "/stats?filter=(");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("invalid filter regex"), std::string::npos) << bad.body;
}

TEST_F(AdminHandlerTest, SnapshotPagesNeedASnapshot) {
  EXPECT_EQ(handler_.Handle("GET", "/listeners").body, "outbound::127.0.0.1:15001\n");
  context_.snap = nullptr;
  EXPECT_EQ(handler_.Handle("GET", "/listeners").status, 503u);
  EXPECT_EQ(handler_.Handle("GET", "/clusters").status, 503u);
  EXPECT_EQ(handler_.Handle("GET", "/config_dump").status, 503u);
}

TEST_F(AdminHandlerTest, UnknownPathIs404WithTheList) {
  const AdminReply r = handler_.Handle("GET", "/nope");
  EXPECT_EQ(r.status, 404u);
  EXPECT_NE(r.body.find("/stats/prometheus"), std::string::npos);
  EXPECT_NE(r.body.find("/quitquitquit"), std::string::npos);
  EXPECT_EQ(handler_.Handle("GET", "/help").status, 200u);
  EXPECT_EQ(handler_.Handle("GET", "/help").body, AdminHandler::HelpText());
}

TEST_F(AdminHandlerTest, WrongMethodIs405WithAllow) {
  AdminReply r = handler_.Handle("GET", "/quitquitquit");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "POST");
  EXPECT_FALSE(r.quit);
  EXPECT_EQ(handler_.Handle("GET", "/logging?level=debug").status, 405u);
  EXPECT_TRUE(context_.levels.empty());
  r = handler_.Handle("POST", "/stats");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "GET, HEAD");
  EXPECT_EQ(handler_.Handle("DELETE", "/ready").status, 405u);
  EXPECT_EQ(handler_.Handle("HEAD", "/ready").status, 200u);
}

TEST_F(AdminHandlerTest, LoggingSetsTheLevelOrSays400) {
  AdminReply r = handler_.Handle("POST", "/logging?level=debug");
  EXPECT_EQ(r.status, 200u);
  ASSERT_EQ(context_.levels.size(), 1u);
  EXPECT_EQ(context_.levels[0], "debug");
  r = handler_.Handle("POST", "/logging?level=loud");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, "unknown log level \"loud\"\n");
  r = handler_.Handle("POST", "/logging");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(context_.levels.size(), 2u);  // the missing level never reached the context
}

TEST_F(AdminHandlerTest, QuitIsDeferredToTheServer) {
  const AdminReply r = handler_.Handle("POST", "/quitquitquit");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "OK\n");
  EXPECT_TRUE(r.quit);
  EXPECT_EQ(context_.quit_calls, 0);  // the server calls it once the reply is written
}

}  // namespace
}  // namespace tether::admin
