#include "src/config/loader.h"
#include "src/config/limits.h"
#include "src/config/yaml_documents.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

namespace tether::config {
namespace {

std::string TestData(const std::string& name) {
  return std::string(TETHER_SOURCE_DIR) + "/test/config/testdata/" + name;
}

// The error message of loading `yaml`, or a note that it loaded.
std::string YamlError(const std::string& yaml) {
  auto r = ParseBootstrap(yaml, "f.yaml");
  return r.ok() ? "(loaded)" : std::string(r.status().message());
}

TEST(LoaderTest, YamlAndJsonFilesLoadTheSameMessage) {
  auto yaml = LoadBootstrapFile(TestData("full.yaml"));
  auto json = LoadBootstrapFile(TestData("full.json"));
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  ASSERT_TRUE(json.ok()) << json.status();
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(*yaml, *json)) << diff;

  const auto& web = yaml->static_resources().clusters(0);
  EXPECT_EQ(web.connect_timeout().nanos(), 250000000);
  EXPECT_EQ(web.lb_policy(), v1::Cluster::LEAST_REQUEST);
  EXPECT_TRUE(web.has_max_idle_connections_per_host());  // an explicit 0 is kept
  EXPECT_EQ(web.load_assignment().endpoints(0).lb_endpoints(0).load_balancing_weight().value(), 3u);
  EXPECT_EQ(web.load_assignment().endpoints(0).lb_endpoints(1).endpoint().address().socket_address().address(), "::1");
  EXPECT_EQ(yaml->static_resources().clusters(1).type(), v1::Cluster::STRICT_DNS);
  const auto& hcm = yaml->static_resources().listeners(0).http_connection_manager();
  EXPECT_TRUE(hcm.use_remote_address());
  EXPECT_EQ(hcm.request_headers_timeout().seconds(), 2);
  EXPECT_EQ(hcm.request_headers_timeout().nanos(), 500000000);
  EXPECT_EQ(hcm.access_log(0).format(), "%RESPONSE_CODE%\n");
  const auto& vh = hcm.route_config().virtual_hosts(0);
  EXPECT_EQ(vh.routes(0).match().headers(0).exact_match(), "1");  // quoted "1" stays a string
  EXPECT_EQ(vh.routes(0).route().weighted_clusters().clusters(1).weight(), 10u);
  EXPECT_EQ(vh.routes(1).redirect().response_code(), v1::RedirectAction::FOUND);
  EXPECT_EQ(vh.routes(2).direct_response().body().inline_string(), "ok");
  EXPECT_EQ(yaml->node().metadata().at("version"), "2");
}

TEST(LoaderTest, BadDurationNamesFileFieldAndValue) {
  const std::string path = TestData("bad_duration.yaml");
  auto r = LoadBootstrapFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // The place is the value's: line 9 of the file, where "5 seconds" starts.
  EXPECT_EQ(r.status().message(), path + ":5:22: static_resources.clusters[1].connect_timeout: invalid duration "
                                         "\"5 seconds\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
}

TEST(LoaderTest, DurationMustBeAString) {
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, connect_timeout: 5}]}"),
            "f.yaml:1:58: static_resources.clusters[0].connect_timeout: invalid duration 5 "
            "(want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, connect_timeout: 0.0000000001s}]}"),
            "f.yaml:1:58: static_resources.clusters[0].connect_timeout: invalid duration \"0.0000000001s\" "
            "(finer than a nanosecond)");
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, connect_timeout: 0.005s}]}"), "(loaded)");
  // 0 alone is zero in every unit.
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, idle_timeout: 0}]}"), "(loaded)");
}

// docs/config.md gives reconnect_base's default as 250ms: every form the
// flags take loads, in YAML and JSON, bootstrap-wide (issue 10, item 13).
TEST(LoaderTest, DurationsTakeUnitForms) {
  auto b = ParseBootstrap(R"(
node: {id: a}
dynamic_resources:
  ads: {address: "127.0.0.1:15010", reconnect_base: 250ms, reconnect_max: 1m30s, initial_fetch_timeout: 0.25s}
static_resources:
  clusters: [{name: a, connect_timeout: 1.5s, dns_refresh_rate: 2h, idle_timeout: 100us}]
)", "f.yaml");
  ASSERT_TRUE(b.ok()) << b.status();
  const auto& ads = b->dynamic_resources().ads();
  EXPECT_EQ(ads.reconnect_base().seconds(), 0);
  EXPECT_EQ(ads.reconnect_base().nanos(), 250'000'000);
  EXPECT_EQ(ads.reconnect_max().seconds(), 90);
  EXPECT_EQ(ads.initial_fetch_timeout().nanos(), 250'000'000);
  const auto& c = b->static_resources().clusters(0);
  EXPECT_EQ(c.connect_timeout().seconds(), 1);
  EXPECT_EQ(c.connect_timeout().nanos(), 500'000'000);
  EXPECT_EQ(c.dns_refresh_rate().seconds(), 7200);
  EXPECT_EQ(c.idle_timeout().nanos(), 100'000);

  auto json = ParseBootstrap(R"({"staticResources": {"clusters": [{"name": "a", "connectTimeout": "250ms"}]}})",
                                 "f.json");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->static_resources().clusters(0).connect_timeout().nanos(), 250'000'000);
  // Inside lists and deep in routes too.
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {route_config: "
                      "{virtual_hosts: [{name: v, routes: [{route: {timeout: 2m}}]}]}}}]}"),
            "(loaded)");
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {route_config: "
                      "{virtual_hosts: [{name: v, routes: [{route: {timeout: 2 minutes}}]}]}}}]}"),
            "f.yaml:1:136: static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0]"
            ".route.timeout: invalid duration \"2 minutes\" (want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  // A negative one loads; the validator refuses it, naming the field.
  auto negative = ParseBootstrap("static_resources: {clusters: [{name: a, connect_timeout: -250ms}]}", "f.yaml");
  ASSERT_TRUE(negative.ok()) << negative.status();
  EXPECT_EQ(negative->static_resources().clusters(0).connect_timeout().nanos(), -250'000'000);
}

TEST(LoaderTest, UnknownFieldIsNamed) {
  auto r = ParseBootstrap(R"({"static_resources":{"clusters":[{"name":"a","colour":"blue"}]}})", "f.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "f.json:1:46: static_resources.clusters[0].colour: unknown field \"colour\"");
  auto top = ParseBootstrap(R"({"nodes":{}})", "f.json");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(), "f.json:1:2: nodes: unknown field \"nodes\" (did you mean \"node\"?)");
  EXPECT_EQ(YamlError("node: {<<: {id: a}}"),
            "f.yaml:1:8: node.<<: unknown field \"<<\" (YAML merge keys are not supported)");
}

TEST(LoaderTest, CamelCaseNamesLoadButErrorsUseSnakeCase) {
  EXPECT_EQ(YamlError("staticResources: {clusters: [{name: a, connectTimeout: 1s}]}"), "(loaded)");
  EXPECT_EQ(YamlError("staticResources: {clusters: [{name: a, connectTimeout: soon}]}"),
            "f.yaml:1:56: static_resources.clusters[0].connect_timeout: invalid duration \"soon\" "
            "(want a duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
}

TEST(LoaderTest, EnumsTakeNamesOrKnownNumbers) {
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, lb_policy: FASTEST}]}"),
            "f.yaml:1:52: static_resources.clusters[0].lb_policy: invalid value \"FASTEST\" "
            "(want one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV)");
  // Protobuf would keep 7 as an unknown enum value.
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, lb_policy: 7}]}"),
            "f.yaml:1:52: static_resources.clusters[0].lb_policy: invalid value 7 "
            "(want one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV)");
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, lb_policy: 3}]}"), "(loaded)");
}

TEST(LoaderTest, BooleansMustBeBooleans) {
  // Protobuf 3.21 reads the string "yes" (and "no") as true.
  EXPECT_EQ(YamlError("static_resources: {listeners: [{http_connection_manager: {use_remote_address: no}}]}"),
            "f.yaml:1:79: static_resources.listeners[0].http_connection_manager.use_remote_address: "
            "expected true or false, got \"no\"");
  EXPECT_EQ(YamlError("static_resources: {listeners: [{http_connection_manager: {use_remote_address: 1}}]}"),
            "f.yaml:1:79: static_resources.listeners[0].http_connection_manager.use_remote_address: "
            "expected true or false, got 1");
}

TEST(LoaderTest, StringsAndNumbersAreChecked) {
  EXPECT_EQ(YamlError("node: {id: 123}"), "f.yaml:1:12: node.id: expected a string, got 123 (quote it: \"123\")");
  EXPECT_EQ(YamlError("admin: {address: {socket_address: {port_value: 70000000000}}}"),
            "f.yaml:1:48: admin.address.socket_address.port_value: 70000000000 is out of range for uint32 (0-4294967295)");
  EXPECT_EQ(YamlError("admin: {address: {socket_address: {port_value: 1.5}}}"),
            "f.yaml:1:48: admin.address.socket_address.port_value: 1.5 is not an integer");
  EXPECT_EQ(YamlError("admin: {address: {socket_address: {port_value: \"80\"}}}"), "(loaded)");
  // A wrapper's path is the field's, without protobuf's ".value".
  EXPECT_EQ(YamlError("static_resources: {listeners: [{http_connection_manager: {max_headers_count: lots}}]}"),
            "f.yaml:1:78: static_resources.listeners[0].http_connection_manager.max_headers_count: "
            "expected an integer, got \"lots\"");
}

TEST(LoaderTest, ContainersAreChecked) {
  EXPECT_EQ(YamlError("static_resources: {clusters: {name: a}}"),
            "f.yaml:1:30: static_resources.clusters: expected a list, got an object");
  EXPECT_EQ(YamlError("static_resources: {clusters: [a]}"),
            "f.yaml:1:31: static_resources.clusters[0]: expected an object, got \"a\"");
  EXPECT_EQ(YamlError("static_resources:\n  clusters:\n  - name: a\n  -\n"),
            "f.yaml:5:1: static_resources.clusters[1]: empty list item (null)");
  // Protobuf says only "JSON transcoder produced invalid protobuf output." here.
  EXPECT_EQ(YamlError("node: {metadata: {zone: {a: b}}}"),
            "f.yaml:1:25: node.metadata[\"zone\"]: expected a string, got an object");
  EXPECT_EQ(YamlError("- a\n"), "f.yaml:1:1: the top level must be an object (a YAML mapping), got a list");
}

TEST(LoaderTest, OneofMembersAreExclusive) {
  EXPECT_EQ(YamlError(R"(
static_resources:
  listeners:
  - http_connection_manager:
      route_config:
        virtual_hosts:
        - routes:
          - match: {prefix: /, path: /a}
)"),
            "f.yaml:8:32: static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0]"
            ".match.path: cannot be set together with prefix (only one of prefix, path, safe_regex)");
}

TEST(LoaderTest, YamlSyntaxErrorHasLineAndColumn) {
  const std::string path = TestData("syntax_error.yaml");
  auto r = LoadBootstrapFile(path);
  ASSERT_FALSE(r.ok());
  // The unclosed "[" on line 3 is noticed at the start of line 4.
  EXPECT_EQ(std::string(r.status().message()).rfind(path + ":4:", 0), 0u) << r.status();
}

TEST(LoaderTest, YamlStructureErrorsHaveLineAndColumn) {
  EXPECT_EQ(YamlError("node: {id: a}\nadmin: {}\nnode: {id: b}\n"), "f.yaml:3:1: node: duplicate key \"node\"");
  EXPECT_EQ(YamlError(""), "f.yaml: the file has no configuration (it is empty)");
  EXPECT_EQ(YamlError("node: {id: a}\n---\nnode: {id: b}\n"),
            "f.yaml:3:1: a second YAML document (---); a bootstrap is one document");
}

TEST(LoaderTest, JsonSyntaxErrorHasLineAndColumn) {
  const std::string path = TestData("syntax_error.json");
  auto r = LoadBootstrapFile(path);
  ASSERT_FALSE(r.ok());
  // yaml-cpp reads JSON as the YAML it is: the missing comma is noticed where the next key starts.
  EXPECT_EQ(std::string(r.status().message()).rfind(path + ":3:", 0), 0u) << r.status();
  auto empty = ParseBootstrap("", "f.json");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "f.json: the file has no configuration (it is empty)");
  auto dup = ParseBootstrap("{\"node\": {\"id\": \"a\"},\n \"node\": {}}", "f.json");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "f.json:2:2: node: duplicate key \"node\"");
  // A trailing comma is valid YAML flow syntax, so JSON with one loads (docs/config.md).
  EXPECT_TRUE(ParseBootstrap("{\"node\": {\"id\": \"a\",}}", "f.json").ok());
}

TEST(LoaderTest, MissingFileIsNotFound) {
  auto r = LoadBootstrapFile("/nonexistent/tether.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/tether.yaml: no such file");
  auto dir = LoadBootstrapFile(TestData(""));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
}

TEST(LoaderTest, QuickstartExampleLoads) {
  auto r = LoadBootstrapFile(std::string(TETHER_SOURCE_DIR) + "/examples/quickstart/sidecar.yaml");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->static_resources().listeners(0).address().socket_address().port_value(), 15001u);
}

// Issue 11, item 4: seven lines whose levels alias the previous one ten
// times expand to 10^7 nodes; the conversion stops at its node budget with an
// error naming the file and place, instead of growing to gigabytes.
TEST(LoaderTest, AnAliasBombIsRefusedWithinItsNodeBudget) {
  auto r = LoadBootstrapFile(TestData("alias_bomb.yaml"));
  ASSERT_FALSE(r.ok());
  const std::string message(r.status().message());
  EXPECT_NE(message.find("alias_bomb.yaml:"), std::string::npos) << message;
  EXPECT_NE(message.find("aliases re-used too often"), std::string::npos) << message;
  // The same through the multi-document path the control plane uses.
  auto docs = LoadYamlDocuments("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                                  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                                  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.status().message().find("aliases re-used too often"), std::string::npos) << docs.status();
}

TEST(LoaderTest, AliasesWithinTheBudgetStillWork) {
  EXPECT_EQ(YamlError("x: &a {id: n}\nnode: *a\n"), "f.yaml:1:1: x: unknown field \"x\"");
  EXPECT_EQ(YamlError("node: &a {id: n}\nadmin: {address: {socket_address: {address: *a}}}\n"),
            "f.yaml:1:7: admin.address.socket_address.address: expected a string, got an object");
  auto shared = ParseBootstrap("node: {id: &id n1, cluster: *id}\n", "f.yaml");
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->node().cluster(), "n1");
}

TEST(LoaderTest, DeepNestingHasItsOwnMessage) {
  std::string flow(100, '[');
  flow += std::string(100, ']');
  EXPECT_NE(YamlError("a: " + flow + "\n").find("nested deeper than 64 levels"), std::string::npos)
      << YamlError("a: " + flow + "\n");
  std::string block = "a:\n";
  for (int i = 0; i < 70; ++i) block += std::string(2 * (i + 1), ' ') + "- \n";
  EXPECT_NE(YamlError(block).find("nested deeper than 64 levels"), std::string::npos) << YamlError(block);
  // yaml-cpp's own recursion limit (far deeper) gets the same words, not "bad file".
  std::string deep(5000, '[');
  EXPECT_NE(YamlError("a: " + deep + "\n").find("nested deeper than"), std::string::npos) << YamlError("a: " + deep);
}

TEST(LoaderTest, OversizedTextIsRefusedBeforeParsing) {
  const std::string big(kMaxConfigTextBytes + 1, ' ');
  EXPECT_NE(YamlError(big).find("limited to 16777216 bytes"), std::string::npos);
  auto json = ParseBootstrap(big, "f.json");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("f.json: the file is 16777217 bytes"), std::string::npos) << json.status();
}

}  // namespace
}  // namespace tether::config
