#include "src/tracing/zipkin_json.h"

#include <gtest/gtest.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

namespace tether::tracing {
namespace {

using google::protobuf::Value;

Span Sample() {
  Span s;
  s.trace_id = *ParseTraceId("463ac35c9f6413ad48485a3953bb6124");
  s.id = 0xa2fb4a1d1a96d312;
  s.parent_id = 0x0020000000000001;
  s.name = "Egress";
  s.kind = Span::Kind::kClient;
  s.timestamp_us = 1764064800123456;
  s.duration_us = 2500;
  s.local_service = "Frontend";
  s.remote_ip = "127.0.0.1";
  s.remote_port = 8080;
  s.tags = {{"http.method", "GET"}, {"http.url", "http://a/\"quoted\"\n"}};
  return s;
}

Value Parse(const std::string& json) {
  Value v;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &v).ok()) << json;
  return v;
}

TEST(ZipkinJsonTest, V2) {
  const std::vector<Span> spans = {Sample()};
  const Value list = Parse(EncodeZipkinV2(spans));
  ASSERT_EQ(list.list_value().values_size(), 1);
  const auto& f = list.list_value().values(0).struct_value().fields();
  EXPECT_EQ(f.at("traceId").string_value(), "463ac35c9f6413ad48485a3953bb6124");
  EXPECT_EQ(f.at("id").string_value(), "a2fb4a1d1a96d312");
  EXPECT_EQ(f.at("parentId").string_value(), "0020000000000001");
  EXPECT_EQ(f.at("name").string_value(), "egress");  // lower case, as Zipkin wants
  EXPECT_EQ(f.at("kind").string_value(), "CLIENT");
  EXPECT_EQ(f.at("timestamp").number_value(), 1764064800123456.0);
  EXPECT_EQ(f.at("duration").number_value(), 2500.0);
  EXPECT_EQ(f.at("localEndpoint").struct_value().fields().at("serviceName").string_value(), "frontend");
  const auto& remote = f.at("remoteEndpoint").struct_value().fields();
  EXPECT_EQ(remote.at("ipv4").string_value(), "127.0.0.1");
  EXPECT_EQ(remote.at("port").number_value(), 8080.0);
  EXPECT_EQ(f.at("tags").struct_value().fields().at("http.url").string_value(), "http://a/\"quoted\"\n");
  EXPECT_FALSE(f.contains("debug"));
}

TEST(ZipkinJsonTest, V1UsesAnnotations) {
  Span server = Sample();
  server.kind = Span::Kind::kServer;
  server.shared = true;
  const std::vector<Span> spans = {Sample(), server};
  const Value list = Parse(EncodeZipkinV1(spans));
  ASSERT_EQ(list.list_value().values_size(), 2);
  const auto& client = list.list_value().values(0).struct_value().fields();
  const auto& annotations = client.at("annotations").list_value();
  ASSERT_EQ(annotations.values_size(), 2);
  EXPECT_EQ(annotations.values(0).struct_value().fields().at("value").string_value(), "cs");
  EXPECT_EQ(annotations.values(1).struct_value().fields().at("value").string_value(), "cr");
  EXPECT_EQ(annotations.values(1).struct_value().fields().at("timestamp").number_value(), 1764064800123456.0 + 2500);
  const auto& binary = client.at("binaryAnnotations").list_value();
  EXPECT_EQ(binary.values(binary.values_size() - 1).struct_value().fields().at("key").string_value(), "sa");
  const auto& shared = list.list_value().values(1).struct_value().fields();
  EXPECT_FALSE(shared.contains("timestamp"));  // a shared span's timing belongs to the client
  EXPECT_EQ(shared.at("annotations").list_value().values(0).struct_value().fields().at("value").string_value(), "sr");
}

TEST(ZipkinJsonTest, EmptyBatchIsAnEmptyList) {
  EXPECT_EQ(EncodeZipkinV2({}), "[]");
  EXPECT_EQ(EncodeZipkinV1({}), "[]");
}

}  // namespace
}  // namespace tether::tracing

namespace tether::tracing {
namespace {

TEST(ZipkinJsonTest, PreEncodedLocalEndpointGivesTheSameJson) {
  Span s = Sample();
  const std::string plain = EncodeZipkinV2(std::vector<Span>{s}) + EncodeZipkinV1(std::vector<Span>{s});
  const std::string endpoint = EncodeEndpoint(ZipkinVersion::kV2, s.local_service, s.local_ip, 0);
  EXPECT_EQ(endpoint, "{\"serviceName\":\"frontend\"}");
  s.local_endpoint_json = endpoint;
  EXPECT_EQ(EncodeZipkinV2(std::vector<Span>{s}) + EncodeZipkinV1(std::vector<Span>{s}), plain);
  // Without a service name the two versions differ: each is pre-encoded for its own.
  Span unnamed = Sample();
  unnamed.local_service = "";
  const std::string v2 = EncodeZipkinV2(std::vector<Span>{unnamed});
  const std::string v1 = EncodeZipkinV1(std::vector<Span>{unnamed});
  const std::string endpoint_v2 = EncodeEndpoint(ZipkinVersion::kV2, "", "", 0);
  const std::string endpoint_v1 = EncodeEndpoint(ZipkinVersion::kV1, "", "", 0);
  unnamed.local_endpoint_json = endpoint_v2;
  EXPECT_EQ(EncodeZipkinV2(std::vector<Span>{unnamed}), v2);
  unnamed.local_endpoint_json = endpoint_v1;
  EXPECT_EQ(EncodeZipkinV1(std::vector<Span>{unnamed}), v1);
}

TEST(ZipkinJsonTest, EndpointNamesTheAddressFamily) {
  EXPECT_EQ(EncodeEndpoint(ZipkinVersion::kV2, "A", "10.0.0.1", 80),
            "{\"serviceName\":\"a\",\"ipv4\":\"10.0.0.1\",\"port\":80}");
  EXPECT_EQ(EncodeEndpoint(ZipkinVersion::kV2, "A", "::1", 0), "{\"serviceName\":\"a\",\"ipv6\":\"::1\"}");
}

// Issue 10 item 6: v2's Endpoint says "leave absent if unknown" for
// serviceName; v1's requires the field ("" if unknown).
TEST(ZipkinJsonTest, AnUnknownServiceNameIsAbsentInV2AndEmptyInV1) {
  EXPECT_EQ(EncodeEndpoint(ZipkinVersion::kV2, "", "10.0.0.1", 80), "{\"ipv4\":\"10.0.0.1\",\"port\":80}");
  EXPECT_EQ(EncodeEndpoint(ZipkinVersion::kV2, "", "", 0), "{}");
  EXPECT_EQ(EncodeEndpoint(ZipkinVersion::kV1, "", "10.0.0.1", 80),
            "{\"serviceName\":\"\",\"ipv4\":\"10.0.0.1\",\"port\":80}");
  // The remote endpoint of a span has no service name: none is written in v2.
  const std::string v2 = EncodeZipkinV2(std::vector<Span>{Sample()});
  EXPECT_NE(v2.find("\"remoteEndpoint\":{\"ipv4\":\"127.0.0.1\",\"port\":8080}"), std::string::npos) << v2;
  EXPECT_EQ(v2.find("\"serviceName\":\"\""), std::string::npos) << v2;
  const std::string v1 = EncodeZipkinV1(std::vector<Span>{Sample()});
  EXPECT_NE(v1.find("\"endpoint\":{\"serviceName\":\"\",\"ipv4\":\"127.0.0.1\",\"port\":8080}"), std::string::npos)
      << v1;
}

TEST(ZipkinJsonTest, RemoteAddressFromHostPortText) {
  Span s;
  SetRemoteAddress(s, "10.1.2.3:8080");
  EXPECT_EQ(s.remote_ip, "10.1.2.3");
  EXPECT_EQ(s.remote_port, 8080);
  SetRemoteAddress(s, "[::1]:9411");
  EXPECT_EQ(s.remote_ip, "::1");
  EXPECT_EQ(s.remote_port, 9411);
  SetRemoteAddress(s, "::1:80");  // a bare IPv6 host:port splits at the last colon
  EXPECT_EQ(s.remote_ip, "::1");
  EXPECT_EQ(s.remote_port, 80);
  Span none;
  SetRemoteAddress(none, "");
  SetRemoteAddress(none, "10.0.0.1");
  SetRemoteAddress(none, "10.0.0.1:http");
  EXPECT_TRUE(none.remote_ip.empty());
}

}  // namespace
}  // namespace tether::tracing
