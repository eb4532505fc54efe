#include "src/admin/config_dump.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "test/admin/fake_admin_context.h"
#include "tether/admin/v1/config_dump.pb.h"
#include "tether/admin/v1/listeners.pb.h"

namespace tether::admin {
namespace {

using testing::TwoHostSnapshot;

template <typename Message>
Message Parse(const std::string& json) {
  Message m;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return m;
}

// The page is tether.admin.v1.ConfigDump: it parses back into the message.
TEST(ConfigDumpTest, IsTheConfigDumpMessage) {
  auto snap = TwoHostSnapshot();
  const auto dump = Parse<v1::ConfigDump>(ConfigDumpJson(*snap));
  EXPECT_EQ(dump.version(), 3);
  EXPECT_EQ(dump.bootstrap().node().id(), "n1");
  EXPECT_FALSE(dump.has_dynamic());  // no control plane
}

// With a control plane: the dynamic part, its false, empty and zero values
// printed too (they are `optional` in the proto), so readers find every key.
TEST(ConfigDumpTest, DynamicPartKeepsItsKeysAtDefaultValues) {
  v1::DynamicConfigDump dynamic;
  dynamic.set_connected(false);
  auto* r = dynamic.add_resources();
  r->set_kind("Listener");
  r->set_name("out");
  r->set_version_info("");
  r->mutable_last_updated()->set_seconds(1796000000);
  r->set_warming(false);
  r->set_state(v1::DynamicResource::ACTIVE);
  auto* x = dynamic.add_xds();
  x->set_type_url("type.googleapis.com/tether.config.v1.Listener");
  x->set_version_info("");
  x->set_last_nonce("");
  x->set_last_error("");
  const std::string json = ConfigDumpJson(*TwoHostSnapshot(), &dynamic);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& d = parsed.fields().at("dynamic").struct_value().fields();
  EXPECT_FALSE(d.at("connected").bool_value());
  const auto& resource = d.at("resources").list_value().values(0).struct_value().fields();
  EXPECT_EQ(resource.at("state").string_value(), "ACTIVE");
  EXPECT_FALSE(resource.at("warming").bool_value());
  EXPECT_EQ(resource.at("version_info").string_value(), "");
  EXPECT_EQ(resource.at("last_updated").string_value(), "2026-11-30T00:53:20Z");  // RFC 3339, whole seconds
  EXPECT_EQ(resource.count("missing"), 0u);  // only a warming listener lacks something
  const auto& xds = d.at("xds").list_value().values(0).struct_value().fields();
  EXPECT_EQ(xds.at("last_error").string_value(), "");
  EXPECT_EQ(xds.at("last_nonce").string_value(), "");
  EXPECT_EQ(Parse<v1::ConfigDump>(json).dynamic().xds(0).type_url(), x->type_url());
}

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
  EXPECT_EQ(parsed.fields().count("dynamic"), 0u);
}

TEST(ConfigDumpTest, ListenersOnePerLine) {
  auto snap = TwoHostSnapshot();
  auto v6 = std::make_shared<config::Listener>();
  v6->name = "inbound";
  v6->address = "::1";
  v6->port = 15006;
  snap->listeners.push_back(v6);
  EXPECT_EQ(ListenersText(*snap), "outbound::127.0.0.1:15001\ninbound::[::1]:15006\n");
  const std::string json = ListenersJson(*snap);
  const auto page = Parse<v1::Listeners>(json);
  ASSERT_EQ(page.listeners_size(), 2);
  EXPECT_EQ(page.listeners(0).name(), "outbound");
  EXPECT_EQ(page.listeners(0).address(), "127.0.0.1");
  EXPECT_EQ(page.listeners(0).port(), 15001u);
  EXPECT_EQ(page.listeners(1).name(), "inbound");
  EXPECT_EQ(page.listeners(1).address(), "::1");  // no brackets in JSON
  EXPECT_EQ(page.listeners(1).port(), 15006u);
  EXPECT_NE(json.find("\"port\": 15006"), std::string::npos) << json;  // a number, not a string
}

// Issue 13's protocol fields are in the dump as configured (Envoy's enum names, durations as text).
TEST(ConfigDumpTest, ShowsProtocolFields) {
  auto snap = TwoHostSnapshot();
  auto* listener = snap->bootstrap.mutable_static_resources()->add_listeners();
  auto* hcm = listener->mutable_http_connection_manager();
  hcm->set_codec_type(config::v1::HttpConnectionManager::HTTP2);
  hcm->mutable_http2_protocol_options()->mutable_max_concurrent_streams()->set_value(50);
  auto* route = hcm->mutable_route_config()->add_virtual_hosts()->add_routes()->mutable_route();
  route->mutable_max_grpc_timeout()->set_seconds(30);
  route->mutable_grpc_timeout_offset()->set_nanos(250'000'000);
  auto* cluster = snap->bootstrap.mutable_static_resources()->add_clusters();
  cluster->set_protocol(config::v1::Cluster::USE_DOWNSTREAM);
  cluster->mutable_http2_protocol_options()->mutable_initial_stream_window_size()->set_value(65535);
  const std::string json = ConfigDumpJson(*snap);
  EXPECT_NE(json.find("\"codec_type\": \"HTTP2\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"max_concurrent_streams\": 50"), std::string::npos) << json;
  EXPECT_NE(json.find("\"max_grpc_timeout\": \"30s\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"grpc_timeout_offset\": \"0.250s\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"protocol\": \"USE_DOWNSTREAM\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"initial_stream_window_size\": 65535"), std::string::npos) << json;
}

}  // namespace
}  // namespace tether::admin
