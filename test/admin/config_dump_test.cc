#include "src/admin/config_dump.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "test/admin/fake_admin_context.h"

namespace tether::admin {
namespace {

using testing::TwoHostSnapshot;

TEST(ConfigDumpTest, WrapsTheBootstrapWithProtoFieldNames) {
  auto snap = TwoHostSnapshot();
  snap->bootstrap.mutable_admin()->mutable_address()->mutable_socket_address()->set_port_value(15000);
  const std::string dump = ConfigDumpJson(*snap);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(dump, &parsed).ok()) << dump;
  EXPECT_EQ(parsed.fields().at("version").number_value(), 3);
  const auto& bootstrap = parsed.fields().at("bootstrap").struct_value().fields();
  EXPECT_EQ(bootstrap.at("node").struct_value().fields().at("id").string_value(), "n1");
  // proto names (port_value), not lowerCamelCase (portValue)
  EXPECT_NE(dump.find("\"port_value\""), std::string::npos) << dump;
  EXPECT_EQ(dump.find("portValue"), std::string::npos) << dump;
}

TEST(ConfigDumpTest, EmptyBootstrapIsStillValidJson) {
  config::Snapshot snap;
  const std::string dump = ConfigDumpJson(snap);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(dump, &parsed).ok()) << dump;
  EXPECT_EQ(parsed.fields().at("version").number_value(), 0);
  EXPECT_TRUE(parsed.fields().at("bootstrap").has_struct_value());
}

TEST(ConfigDumpTest, ListenersOnePerLine) {
  auto snap = TwoHostSnapshot();
  auto v6 = std::make_shared<config::Listener>();
  v6->name = "inbound";
  v6->address = "::1";
  v6->port = 15006;
  snap->listeners.push_back(v6);
  EXPECT_EQ(ListenersText(*snap), "outbound::127.0.0.1:15001\ninbound::[::1]:15006\n");
  EXPECT_EQ(ListenersJson(*snap),
            "{\"listeners\": [\n"
            "  {\"name\": \"outbound\", \"address\": \"127.0.0.1\", \"port\": 15001},\n"
            "  {\"name\": \"inbound\", \"address\": \"::1\", \"port\": 15006}\n"
            "]}\n");
}

}  // namespace
}  // namespace tether::admin
