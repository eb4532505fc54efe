#include "src/config/decoder.h"

#include <gtest/gtest.h>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/wrappers.pb.h>

#include "src/config/yaml_documents.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {
namespace {

namespace pb = google::protobuf;

// Decodes the one document of `text` into `message`: "" when it loaded,
// else the error.
std::string Decode(const std::string& text, pb::Message& message) {
  auto docs = LoadYamlDocuments(text);
  if (!docs.ok()) return std::string(docs.status().message());
  absl::Status s = DecodeMessage(docs->at(0), message);
  return s.ok() ? "" : std::string(s.message());
}

TEST(DecoderTest, YamlAndJsonDecodeAlike) {
  v1::Bootstrap yaml;
  v1::Bootstrap json;
  ASSERT_EQ(Decode("node: {id: a, metadata: {zone: z1}}\nstatic_resources:\n  clusters:\n"
                   "  - {name: c, connect_timeout: 250ms, lb_policy: RANDOM, max_idle_connections_per_host: 0}\n",
                   yaml), "");
  ASSERT_EQ(Decode(R"({"node": {"id": "a", "metadata": {"zone": "z1"}}, "staticResources": {"clusters": [)"
                   R"({"name": "c", "connectTimeout": "250ms", "lbPolicy": "RANDOM", "maxIdleConnectionsPerHost": 0}]}})",
                   json), "");
  EXPECT_EQ(yaml.SerializeAsString(), json.SerializeAsString());
  EXPECT_EQ(yaml.static_resources().clusters(0).connect_timeout().nanos(), 250'000'000);
  EXPECT_TRUE(yaml.static_resources().clusters(0).has_max_idle_connections_per_host());  // an explicit 0 is kept
  EXPECT_EQ(yaml.node().metadata().at("zone"), "z1");
}

TEST(DecoderTest, ScalarsFollowYamlCoreSchema) {
  v1::Bootstrap b;
  // A quoted "1" and a plain 08 stay strings; a plain 1 is a number.
  EXPECT_EQ(Decode("node: {id: '1', cluster: 08}", b), "");
  EXPECT_EQ(b.node().id(), "1");
  EXPECT_EQ(b.node().cluster(), "08");
  EXPECT_EQ(Decode("node: {id: 1}", b), "1:12: node.id: expected a string, got 1 (quote it: \"1\")");
  EXPECT_EQ(Decode("node: {id: !!str 5}", b), "");
  EXPECT_EQ(b.node().id(), "5");
  EXPECT_EQ(Decode("node: {id: ~}", b), "");  // null: not set
}

TEST(DecoderTest, DurationTimestampAndWrappers) {
  pb::Duration d;
  EXPECT_EQ(Decode("1m30s", d), "");
  EXPECT_EQ(d.seconds(), 90);
  EXPECT_EQ(Decode("\"-1.5s\"", d), "");
  EXPECT_EQ(d.seconds(), -1);
  EXPECT_EQ(d.nanos(), -500'000'000);
  pb::Timestamp t;
  EXPECT_EQ(Decode("2026-01-02T15:04:05.5Z", t), "");
  EXPECT_EQ(t.seconds(), 1767366245);
  EXPECT_EQ(t.nanos(), 500'000'000);
  EXPECT_EQ(Decode("yesterday", t),
            "1:1: invalid timestamp \"yesterday\" (want RFC 3339, like \"2026-01-02T15:04:05Z\")");
  pb::UInt32Value u;
  EXPECT_EQ(Decode("\"7\"", u), "");
  EXPECT_EQ(u.value(), 7u);
  pb::Int64Value i;  // 64-bit integers as numbers or strings, every digit kept
  EXPECT_EQ(Decode("\"-9223372036854775808\"", i), "");
  EXPECT_EQ(i.value(), INT64_MIN);
  pb::UInt64Value big;
  EXPECT_EQ(Decode("18446744073709551615", big), "");
  EXPECT_EQ(big.value(), UINT64_MAX);
  EXPECT_EQ(Decode("18446744073709551616", big),
            "1:1: 18446744073709551616 is out of range for uint64 (0-18446744073709551615)");
  pb::Int32Value small;
  EXPECT_EQ(Decode("-2147483649", small), "1:1: -2147483649 is out of range for int32 (-2147483648-2147483647)");
  EXPECT_EQ(Decode("1e3", small), "");
  EXPECT_EQ(small.value(), 1000);
  pb::BytesValue bytes;
  EXPECT_EQ(Decode("aGVsbG8=", bytes), "");
  EXPECT_EQ(bytes.value(), "hello");
  EXPECT_EQ(Decode("\"not base64!\"", bytes), "1:1: expected base64 text, got \"not base64!\"");
  pb::DoubleValue dbl;
  EXPECT_EQ(Decode(".inf", dbl), "");
  EXPECT_TRUE(std::isinf(dbl.value()));
  pb::BoolValue flag;
  EXPECT_EQ(Decode("\"true\"", flag), "");
  EXPECT_TRUE(flag.value());
  EXPECT_EQ(Decode("yes", flag), "1:1: expected true or false, got \"yes\"");
}

TEST(DecoderTest, StructValueAndListValue) {
  pb::Struct s;
  EXPECT_EQ(Decode("a: 1\nb: [x, true, null, {c: '2'}]\n", s), "");
  EXPECT_EQ(s.fields().at("a").number_value(), 1);
  const auto& list = s.fields().at("b").list_value();
  ASSERT_EQ(list.values_size(), 4);
  EXPECT_EQ(list.values(0).string_value(), "x");
  EXPECT_TRUE(list.values(1).bool_value());
  EXPECT_EQ(list.values(2).kind_case(), pb::Value::kNullValue);
  EXPECT_EQ(list.values(3).struct_value().fields().at("c").string_value(), "2");
  EXPECT_EQ(Decode("[1]", s), "1:1: expected an object, got a list");
  pb::ListValue l;
  EXPECT_EQ(Decode("[]", l), "");
  EXPECT_EQ(Decode("a: 1\na: 2\n", s), "2:1: [\"a\"]: duplicate key \"a\"");
}

TEST(DecoderTest, AnyTakesTypeAndFields) {
  pb::Any any;
  ASSERT_EQ(Decode("{\"@type\": type.googleapis.com/tether.config.v1.Cluster, name: c, connect_timeout: 2s}", any), "");
  v1::Cluster c;
  ASSERT_TRUE(any.UnpackTo(&c));
  EXPECT_EQ(c.name(), "c");
  EXPECT_EQ(c.connect_timeout().seconds(), 2);
  // A type with its own JSON form sits under "value".
  ASSERT_EQ(Decode("{\"@type\": type.googleapis.com/google.protobuf.Duration, value: 3s}", any), "");
  pb::Duration d;
  ASSERT_TRUE(any.UnpackTo(&d));
  EXPECT_EQ(d.seconds(), 3);
  EXPECT_EQ(Decode("{\"@type\": type.googleapis.com/tether.config.v1.Cluster, nmae: c}", any),
            "1:57: nmae: unknown field \"nmae\" (did you mean \"name\"?)");
  EXPECT_EQ(Decode("{\"@type\": type.googleapis.com/no.Such}", any), "1:11: @type: unknown type \"type.googleapis.com/no.Such\"");
  EXPECT_EQ(Decode("{name: c}", any),
            "1:1: @type: required: the type URL, like \"type.googleapis.com/tether.config.v1.Cluster\"");
}

TEST(DecoderTest, ErrorsNamePlaceAndPath) {
  v1::Bootstrap b;
  EXPECT_EQ(Decode("static_resources:\n  clusters:\n  - name: a\n    lb_policy: 9\n", b),
            "4:16: static_resources.clusters[0].lb_policy: invalid value 9 (want one of ROUND_ROBIN, LEAST_REQUEST, "
            "RANDOM, RING_HASH, MAGLEV)");
  EXPECT_EQ(Decode("node: {metadata: {zone: [a]}}", b), "1:25: node.metadata[\"zone\"]: expected a string, got a list");
  EXPECT_EQ(Decode("static_resources: {clusters: [{name: a, connect_timeout: 1s, connectTimeout: 2s}]}", b),
            "1:62: static_resources.clusters[0].connect_timeout: given twice, as \"connect_timeout\" and "
            "\"connectTimeout\"");
  EXPECT_EQ(Decode("{\"node\": {\"id\": \"a\"},\n \"nodes\": 1}", b), "2:2: nodes: unknown field \"nodes\" (did you mean \"node\"?)");
  EXPECT_EQ(Decode("[a]: 1", b), "1:1: a mapping key must be a plain string");
}

TEST(DecoderTest, MultiDocumentStreamsDecodeEachDocument) {
  auto docs = LoadYamlDocuments("id: a\n---\nid: b\n---\n{\"id\": 7}\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 3u);
  v1::Node n;
  ASSERT_TRUE(DecodeMessage((*docs)[1], n).ok());
  EXPECT_EQ(n.id(), "b");
  absl::Status third = DecodeMessage((*docs)[2], n, "spec");
  EXPECT_EQ(third.message(), "5:8: spec.id: expected a string, got 7 (quote it: \"7\")");
}

}  // namespace
}  // namespace tether::config
