#include "src/server/server.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "src/admin/admin_json.h"

namespace tether::server {
namespace {

// /server_info before the server runs: tether.admin.v1.ServerInfo, with the
// numbers as JSON numbers and every key there even at its zero value.
TEST(ServerTest, ServerInfoIsTheServerInfoMessage) {
  Server server(Options{});
  const admin::v1::ServerInfo info = server.ServerInfo();
  EXPECT_EQ(info.version(), "0.1.0");
  EXPECT_EQ(info.state(), admin::v1::ServerInfo::DRAINING);  // not ready yet
  EXPECT_EQ(info.concurrency(), 0u);
  EXPECT_EQ(info.config_version(), 0);
  const std::string json = admin::AdminJson(info);
  admin::v1::ServerInfo parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  EXPECT_EQ(parsed.version(), "0.1.0");
  EXPECT_EQ(parsed.state(), admin::v1::ServerInfo::DRAINING);
  for (const char* key : {"\"state\": \"DRAINING\"", "\"concurrency\": 0", "\"config_version\": 0", "\"uptime_seconds\": "}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
}

// Without dynamic_resources there is no "dynamic" part in /config_dump.
TEST(ServerTest, NoControlPlaneNoDynamicDump) {
  Server server(Options{});
  EXPECT_FALSE(server.DynamicDump().has_value());
}

}  // namespace
}  // namespace tether::server
