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

// Issue 11, item 8: credentials in the config stay out of /config_dump.
TEST(ConfigDumpTest, ListedHeaderValuesAreRedacted) {
  auto snap = TwoHostSnapshot();
  auto* vh = snap->bootstrap.mutable_static_resources()
                 ->add_listeners()
                 ->mutable_http_connection_manager()
                 ->mutable_route_config()
                 ->add_virtual_hosts();
  auto* add = vh->add_request_headers_to_add()->mutable_header();
  add->set_key("Authorization");
  add->set_value("Bearer upstream-secret");
  auto* kept = vh->add_request_headers_to_add()->mutable_header();
  kept->set_key("x-team");
  kept->set_value("payments");
  auto* route = vh->add_routes();
  auto* cookie = route->add_response_headers_to_add()->mutable_header();
  cookie->set_key("set-cookie");
  cookie->set_value("session=abc");
  auto* match = route->mutable_match()->add_headers();
  match->set_name("cookie");
  match->set_exact_match("session=s3cret");
  std::string dump = ConfigDumpJson(*snap);
  EXPECT_EQ(dump.find("upstream-secret"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("s3cret"), std::string::npos) << dump;
  EXPECT_NE(dump.find("[redacted]"), std::string::npos) << dump;
  EXPECT_NE(dump.find("payments"), std::string::npos) << dump;    // not listed
  EXPECT_NE(dump.find("session=abc"), std::string::npos) << dump;  // set-cookie is not in the default list
  EXPECT_NE(dump.find("Authorization"), std::string::npos) << dump;  // the name stays

  snap->bootstrap.mutable_admin()->add_redact_headers("Set-Cookie");  // the list replaces the default
  dump = ConfigDumpJson(*snap);
  EXPECT_EQ(dump.find("session=abc"), std::string::npos) << dump;
  EXPECT_NE(dump.find("upstream-secret"), std::string::npos) << dump;
  EXPECT_EQ(snap->bootstrap.static_resources().listeners(0).http_connection_manager().route_config().virtual_hosts(0)
                .request_headers_to_add(0).header().value(),
            "Bearer upstream-secret");  // the running config is untouched
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
