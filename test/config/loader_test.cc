#include "src/config/loader.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

namespace tether::config {
namespace {

constexpr char kYaml[] = R"(
node: {id: n1, cluster: web}
static_resources:
  clusters:
  - name: web
    type: STRICT_DNS
    connect_timeout: 0.25s
    lb_policy: LEAST_REQUEST
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: localhost, port_value: 8080}}}
          load_balancing_weight: 3
)";

constexpr char kJson[] = R"({"node":{"id":"n1","cluster":"web"},"static_resources":{"clusters":[{"name":"web",
  "type":"STRICT_DNS","connect_timeout":"0.25s","lb_policy":"LEAST_REQUEST","load_assignment":{"endpoints":[
  {"lb_endpoints":[{"endpoint":{"address":{"socket_address":{"address":"localhost","port_value":8080}}},
  "load_balancing_weight":3}]}]}}]}})";

TEST(LoaderTest, YamlAndJsonLoadTheSameMessage) {
  auto yaml = ParseBootstrapYaml(kYaml, "a.yaml");
  auto json = ParseBootstrapJson(kJson, "a.json");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*yaml, *json));
  const auto& c = yaml->static_resources().clusters(0);
  EXPECT_EQ(c.connect_timeout().nanos(), 250000000);
  EXPECT_EQ(c.lb_policy(), v1::Cluster::LEAST_REQUEST);
  EXPECT_EQ(c.load_assignment().endpoints(0).lb_endpoints(0).load_balancing_weight().value(), 3u);
}

TEST(LoaderTest, YamlScalarsKeepTheirTypes) {
  auto json = YamlToJson("a: 1\nb: '1'\nc: true\nd: \"true\"\ne: 1.5\nf: -2\ng: 08\nh: ~\ni: text\n");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"a":1,"b":"1","c":true,"d":"true","e":1.5,"f":-2,"g":"08","h":null,"i":"text"})");
}

TEST(LoaderTest, BadDurationNamesFileFieldAndValue) {
  auto r = ParseBootstrapYaml(
      "static_resources:\n  clusters:\n  - name: a\n  - name: b\n    connect_timeout: 5 seconds\n", "sidecar.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "sidecar.yaml: static_resources.clusters[1].connect_timeout: invalid duration \"5 seconds\" "
            "(want a duration like \"5s\" or \"0.250s\")");
}

TEST(LoaderTest, UnknownFieldIsNamed) {
  auto r = ParseBootstrapJson(R"({"static_resources":{"clusters":[{"name":"a","colour":"blue"}]}})", "f.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "f.json: static_resources.clusters[0].colour: unknown field \"colour\"");
  auto top = ParseBootstrapJson(R"({"nodes":{}})", "f.json");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(), "f.json: nodes: unknown field \"nodes\"");
}

TEST(LoaderTest, BadEnumListsTheChoices) {
  auto r = ParseBootstrapYaml("static_resources: {clusters: [{name: a, lb_policy: FASTEST}]}", "f.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "f.yaml: static_resources.clusters[0].lb_policy: invalid value \"FASTEST\" "
            "(want one of ROUND_ROBIN, LEAST_REQUEST, RANDOM)");
}

TEST(LoaderTest, YamlSyntaxErrorHasLineAndColumn) {
  auto r = ParseBootstrapYaml("node: {id: [\n", "f.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(std::string(r.status().message()).rfind("f.yaml: line ", 0), 0u) << r.status();
}

TEST(LoaderTest, MissingFile) {
  auto r = LoadBootstrapFile("/nonexistent/tether.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/tether.yaml"), std::string::npos);
}

TEST(LoaderTest, QuickstartExampleLoads) {
  auto r = LoadBootstrapFile(std::string(TETHER_SOURCE_DIR) + "/examples/quickstart/sidecar.yaml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->static_resources().listeners(0).address().socket_address().port_value(), 15001u);
}

}  // namespace
}  // namespace tether::config
