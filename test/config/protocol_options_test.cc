#include "src/config/protocol_options.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "src/common/http2_limits.h"
#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/bootstrap_text.h"

namespace tether::config {
namespace {

using std::chrono::milliseconds;

// One listener, one route to cluster "grpc"; `hcm`, `route` and `cluster` are extra YAML lines
// for the http_connection_manager (6 spaces), the route action (flow map entries) and the cluster
// (4 spaces).
absl::StatusOr<v1::Bootstrap> Parse(std::string_view hcm, std::string_view route, std::string_view cluster) {
  std::string text = R"(
static_resources:
  listeners:
  - name: in
    address: {socket_address: {address: 127.0.0.1, port_value: 15006}}
    http_connection_manager:
)";
  text.append(hcm).append(R"(      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: /}
            route: {cluster: grpc)").append(route).append(R"(}
  clusters:
  - name: grpc
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 50051}}}
)").append(cluster);
  return ParseBootstrap(text, "test.yaml");
}

v1::Bootstrap Valid(std::string_view hcm, std::string_view route, std::string_view cluster) {
  auto b = Parse(hcm, route, cluster);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? *b : v1::Bootstrap();
}

std::string Error(const v1::Bootstrap& b) {
  const absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  return std::string(s.message());
}

std::shared_ptr<const Snapshot> Build(const v1::Bootstrap& b) {
  EXPECT_TRUE(ValidateBootstrap(b).ok()) << ValidateBootstrap(b);
  auto s = BuildSnapshot(b, {}, 1);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::make_shared<const Snapshot>();
}

v1::HttpConnectionManager* Hcm(v1::Bootstrap& b) {
  return b.mutable_static_resources()->mutable_listeners(0)->mutable_http_connection_manager();
}
v1::Cluster* FirstCluster(v1::Bootstrap& b) { return b.mutable_static_resources()->mutable_clusters(0); }

constexpr char kHcm[] = "static_resources.listeners[0].http_connection_manager";
constexpr char kRoute[] =
    "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0].route";

TEST(ProtocolOptionsTest, DefaultsAreTheSnapshotDefaults) {
  const auto s = Build(Valid("", "", ""));
  ASSERT_EQ(s->listeners.size(), 1u);
  const Listener& l = *s->listeners[0];
  EXPECT_EQ(l.codec_type, CodecType::kAuto);
  EXPECT_EQ(l.http2.max_concurrent_streams, 100u);
  EXPECT_EQ(l.http2.initial_stream_window_size, 65536u);
  EXPECT_EQ(l.http2.initial_connection_window_size, 1048576u);
  const Cluster& c = *s->FindCluster("grpc");
  EXPECT_EQ(c.protocol, UpstreamProtocol::kHttp1);
  EXPECT_EQ(c.http2.max_outbound_frames, 10000u);
  EXPECT_FALSE(l.routes->virtual_hosts[0].routes[0].max_grpc_timeout.has_value());
}

TEST(ProtocolOptionsTest, EveryFieldReachesTheSnapshot) {
  const auto s = Build(Valid(R"(      codec_type: HTTP2
      http2_protocol_options:
        max_concurrent_streams: 250
        initial_stream_window_size: 131072
        initial_connection_window_size: 2097152
        max_outbound_frames: 20000
        max_outbound_control_frames: 2000
        max_consecutive_inbound_frames_with_empty_payload: 3
        max_inbound_window_update_frames_per_data_frame_sent: 12
)",
                             ", max_grpc_timeout: 30s", R"(    protocol: USE_DOWNSTREAM
    http2_protocol_options: {max_concurrent_streams: 7, initial_stream_window_size: 65535}
)"));
  const Listener& l = *s->listeners[0];
  EXPECT_EQ(l.codec_type, CodecType::kHttp2);
  EXPECT_EQ(l.http2.max_concurrent_streams, 250u);
  EXPECT_EQ(l.http2.initial_stream_window_size, 131072u);
  EXPECT_EQ(l.http2.initial_connection_window_size, 2097152u);
  EXPECT_EQ(l.http2.max_outbound_frames, 20000u);
  EXPECT_EQ(l.http2.max_outbound_control_frames, 2000u);
  EXPECT_EQ(l.http2.max_consecutive_inbound_frames_with_empty_payload, 3u);
  EXPECT_EQ(l.http2.max_inbound_window_update_frames_per_data_frame_sent, 12u);
  EXPECT_EQ(l.routes->virtual_hosts[0].routes[0].max_grpc_timeout, milliseconds(30000));
  const Cluster& c = *s->FindCluster("grpc");
  EXPECT_EQ(c.protocol, UpstreamProtocol::kUseDownstream);
  EXPECT_EQ(c.http2.max_concurrent_streams, 7u);
  EXPECT_EQ(c.http2.initial_stream_window_size, 65535u);
  EXPECT_EQ(c.http2.initial_connection_window_size, 1048576u);  // unset: the default
}

TEST(ProtocolOptionsTest, EnumValuesByName) {
  EXPECT_EQ(Build(Valid("      codec_type: HTTP1\n", "", ""))->listeners[0]->codec_type, CodecType::kHttp1);
  EXPECT_EQ(Build(Valid("      codec_type: AUTO\n", "", ""))->listeners[0]->codec_type, CodecType::kAuto);
  EXPECT_EQ(Build(Valid("", "", "    protocol: HTTP2\n"))->FindCluster("grpc")->protocol, UpstreamProtocol::kHttp2);
  EXPECT_EQ(Build(Valid("", "", "    protocol: HTTP1\n"))->FindCluster("grpc")->protocol, UpstreamProtocol::kHttp1);
  // Unknown names are refused by the decoder, naming the field.
  const auto bad = Parse("      codec_type: HTTP3\n", "", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("http_connection_manager.codec_type"), std::string::npos) << bad.status();
  const auto bad_protocol = Parse("", "", "    protocol: H2C\n");
  ASSERT_FALSE(bad_protocol.ok());
  EXPECT_NE(bad_protocol.status().message().find("clusters[0].protocol"), std::string::npos) << bad_protocol.status();
}

// JSON may number an enum; proto3 keeps unknown numbers.
TEST(ProtocolOptionsTest, UnknownEnumNumbersAreRefusedByName) {
  auto b = Valid("", "", "");
  Hcm(b)->set_codec_type(static_cast<v1::HttpConnectionManager::CodecType>(3));
  EXPECT_EQ(Error(b), std::string(kHcm) + ".codec_type: 3 is not AUTO, HTTP1 or HTTP2");
  b = Valid("", "", "");
  FirstCluster(b)->set_protocol(static_cast<v1::Cluster::UpstreamProtocol>(7));
  EXPECT_EQ(Error(b), "static_resources.clusters[0].protocol: 7 is not HTTP1, HTTP2 or USE_DOWNSTREAM");
}

TEST(ProtocolOptionsTest, RangesAreEnvoys) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"max_concurrent_streams: 0", "max_concurrent_streams: 0 is out of range (1-2147483647)"},
      {"max_concurrent_streams: 2147483648", "max_concurrent_streams: 2147483648 is out of range (1-2147483647)"},
      {"initial_stream_window_size: 65534", "initial_stream_window_size: 65534 is out of range (65535-2147483647)"},
      {"initial_connection_window_size: 1000",
       "initial_connection_window_size: 1000 is out of range (65535-2147483647)"},
      {"max_outbound_frames: 0", "max_outbound_frames: 0 is out of range (1-2147483647)"},
      {"max_outbound_control_frames: 0", "max_outbound_control_frames: 0 is out of range (1-2147483647)"},
      {"max_inbound_window_update_frames_per_data_frame_sent: 0",
       "max_inbound_window_update_frames_per_data_frame_sent: 0 is out of range (1-2147483647)"},
  };
  for (const Case& c : cases) {
    const auto listener = Valid(absl::StrCat("      http2_protocol_options: {", c.yaml, "}\n"), "", "");
    EXPECT_EQ(Error(listener), absl::StrCat(kHcm, ".http2_protocol_options.", c.error));
    const auto cluster = Valid("", "", absl::StrCat("    protocol: HTTP2\n    http2_protocol_options: {", c.yaml, "}\n"));
    EXPECT_EQ(Error(cluster), absl::StrCat("static_resources.clusters[0].http2_protocol_options.", c.error));
  }
  // The edges are in.
  EXPECT_TRUE(ValidateBootstrap(Valid(R"(      http2_protocol_options:
        max_concurrent_streams: 2147483647
        initial_stream_window_size: 65535
        initial_connection_window_size: 2147483647
        max_consecutive_inbound_frames_with_empty_payload: 0
)",
                                      "", ""))
                  .ok());
}

// The bounds live in one table, which the codec checks too; every entry names a config field.
TEST(ProtocolOptionsTest, EveryLimitIsAConfigField) {
  const auto* descriptor = v1::Http2ProtocolOptions::descriptor();
  for (const Http2Limit* limit : {&kHttp2MaxConcurrentStreams, &kHttp2InitialStreamWindowSize,
                                  &kHttp2InitialConnectionWindowSize, &kHttp2MaxOutboundFrames,
                                  &kHttp2MaxOutboundControlFrames, &kHttp2MaxConsecutiveInboundFramesWithEmptyPayload,
                                  &kHttp2MaxInboundWindowUpdateFramesPerDataFrameSent}) {
    EXPECT_NE(descriptor->FindFieldByName(limit->field), nullptr) << limit->field;
  }
  EXPECT_EQ(descriptor->field_count(), 7);  // a new field needs its limit (and the snapshot's member)
}

TEST(ProtocolOptionsTest, OptionsThatCannotApplyAreRefused) {
  EXPECT_EQ(Error(Valid("      codec_type: HTTP1\n      http2_protocol_options: {max_concurrent_streams: 10}\n", "", "")),
            std::string(kHcm) +
                ".http2_protocol_options: has no effect with codec_type HTTP1 (set codec_type to AUTO or HTTP2, or "
                "leave the options out)");
  // Envoy's "options present = HTTP/2" is spelt with protocol here.
  EXPECT_EQ(Error(Valid("", "", "    http2_protocol_options: {}\n")),
            "static_resources.clusters[0].http2_protocol_options: has no effect with protocol HTTP1, the default (set "
            "protocol: HTTP2 or USE_DOWNSTREAM)");
  EXPECT_TRUE(ValidateBootstrap(Valid("", "", "    protocol: HTTP2\n    http2_protocol_options: {}\n")).ok());
}

// A route duration field: a negative value (the bootstrap's and an xDS route configuration's path
// to it) and text that is no duration are refused naming the field.
void ExpectRouteDurationChecked(const std::string& field,
                                google::protobuf::Duration* (v1::RouteAction::*mutable_field)()) {
  auto b = Valid("", absl::StrCat(", ", field, ": 1s"), "");
  (Hcm(b)->mutable_route_config()->mutable_virtual_hosts(0)->mutable_routes(0)->mutable_route()->*mutable_field)()
      ->set_seconds(-1);
  EXPECT_EQ(Error(b), absl::StrCat(kRoute, ".", field, ": must not be negative"));
  v1::RouteConfiguration rc = Hcm(b)->route_config();
  rc.set_name("r");
  EXPECT_EQ(ValidateRouteConfigurationResource(rc).message(),
            absl::StrCat("virtual_hosts[0].routes[0].route.", field, ": must not be negative"));
  const auto bad = Parse("", absl::StrCat(", ", field, ": soon"), "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(field), std::string::npos) << bad.status();
}

TEST(ProtocolOptionsTest, MaxGrpcTimeout) {
  const auto zero = Build(Valid("", ", max_grpc_timeout: 0s", ""));
  EXPECT_EQ(zero->listeners[0]->routes->virtual_hosts[0].routes[0].max_grpc_timeout, milliseconds(0));  // no cap
  ExpectRouteDurationChecked("max_grpc_timeout", &v1::RouteAction::mutable_max_grpc_timeout);
}

TEST(ProtocolOptionsTest, GrpcTimeoutOffset) {
  const auto none = Build(Valid("", "", ""));
  EXPECT_EQ(none->listeners[0]->routes->virtual_hosts[0].routes[0].grpc_timeout_offset, milliseconds(0));
  const auto set = Build(Valid("", ", max_grpc_timeout: 10s, grpc_timeout_offset: 0.25s", ""));
  EXPECT_EQ(set->listeners[0]->routes->virtual_hosts[0].routes[0].grpc_timeout_offset, milliseconds(250));
  ExpectRouteDurationChecked("grpc_timeout_offset", &v1::RouteAction::mutable_grpc_timeout_offset);
}

// xDS resources are checked by the same code; the NACK names the field from the resource's top.
TEST(ProtocolOptionsTest, XdsResourcesAreCheckedTheSameWay) {
  auto b = Valid("      http2_protocol_options: {max_concurrent_streams: 0}\n", "", "");
  EXPECT_EQ(ValidateListenerResource(b.static_resources().listeners(0)).message(),
            "http_connection_manager.http2_protocol_options.max_concurrent_streams: 0 is out of range (1-2147483647)");
  b = Valid("", "", "    http2_protocol_options: {initial_stream_window_size: 1}\n");
  FirstCluster(b)->set_protocol(v1::Cluster::HTTP2);
  EXPECT_EQ(ValidateClusterResource(b.static_resources().clusters(0)).message(),
            "http2_protocol_options.initial_stream_window_size: 1 is out of range (65535-2147483647)");
  FirstCluster(b)->set_protocol(v1::Cluster::HTTP1);
  EXPECT_EQ(ValidateClusterResource(b.static_resources().clusters(0)).message(),
            "http2_protocol_options: has no effect with protocol HTTP1, the default (set protocol: HTTP2 or "
            "USE_DOWNSTREAM)");
  v1::RouteConfiguration rc = Hcm(b)->route_config();
  rc.set_name("r");
  rc.mutable_virtual_hosts(0)->mutable_routes(0)->mutable_route()->mutable_max_grpc_timeout()->set_nanos(-5);
  EXPECT_EQ(ValidateRouteConfigurationResource(rc).message(),
            "virtual_hosts[0].routes[0].route.max_grpc_timeout: must not be negative");
}

// The snapshot builder refuses what the validator would, so an unchecked path cannot crash or
// fall back to a default.
TEST(ProtocolOptionsTest, BuilderRefusesTooWithoutTheValidator) {
  auto b = Valid("", "", "    protocol: HTTP2\n    http2_protocol_options: {max_outbound_frames: 0}\n");
  const auto s = BuildSnapshot(b, {}, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "static_resources.clusters[0].http2_protocol_options.max_outbound_frames: 0 is out of range (1-2147483647)");
}

}  // namespace
}  // namespace tether::config
