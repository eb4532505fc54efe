#include "src/config/field_hints.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "src/config/loader.h"

namespace tether::config {
namespace {

std::string YamlError(const std::string& yaml) {
  auto r = ParseBootstrap(yaml, "f.yaml");
  return r.ok() ? "(loaded)" : std::string(r.status().message());
}

TEST(FieldHintsTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("conect_timeout", "connect_timeout"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("lb_polcy", "lb_policy"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba"), 2u);
}

// An Envoy user's first error (issue 10, item 15): the Tether spelling and
// the section of docs/envoy-differences.md that explains it.
TEST(FieldHintsTest, EnvoyListenerFieldsPointAtTheDocs) {
  EXPECT_EQ(YamlError(R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
)"),
            "f.yaml:6:5: static_resources.listeners[0].filter_chains: unknown field \"filter_chains\": Tether listeners "
            "take http_connection_manager directly (docs/envoy-differences.md#listeners)");
}

TEST(FieldHintsTest, EnvoyFieldsElsewhere) {
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {route_config: "
                      "{virtual_hosts: [{name: v, routes: [{match: {prefix: /, headers: [{name: x, string_match: "
                      "{exact: a}}]}}]}]}}}]}"),
            "f.yaml:1:158: static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0]"
            ".match.headers[0].string_match: unknown field \"string_match\": Tether header matchers take exact_match, "
            "prefix_match, suffix_match, contains_match or safe_regex_match directly "
            "(docs/envoy-differences.md#header-matchers)");
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {route_config: "
                      "{request_headers_to_add: [{header: {key: a, value: b}, append: false}]}}}]}"),
            "f.yaml:1:137: static_resources.listeners[0].http_connection_manager.route_config.request_headers_to_add[0]"
            ".append: unknown field \"append\": Tether takes append_action: APPEND_IF_EXISTS_OR_ADD (append: true) "
            "or OVERWRITE_IF_EXISTS_OR_ADD (append: false) (docs/envoy-differences.md#header-mutations)");
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, outlier_detection: {consecutive_5xxx: 1}}]}"),
            "f.yaml:1:61: static_resources.clusters[0].outlier_detection.consecutive_5xxx: unknown field "
            "\"consecutive_5xxx\" (did you mean \"consecutive_5xx\"?)");
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {typed_config: {}}}]}"),
            "f.yaml:1:68: static_resources.listeners[0].http_connection_manager.typed_config: unknown field "
            "\"typed_config\": Tether takes the message's fields directly, without typed_config and @type "
            "(docs/envoy-differences.md#typed-config)");
  EXPECT_EQ(YamlError("dynamic_resources: {ads_config: {}}"),
            "f.yaml:1:21: dynamic_resources.ads_config: unknown field \"ads_config\": Tether takes ads: "
            "{address: HOST:PORT} or ads: {cluster_name: NAME} (docs/envoy-differences.md#dynamic-resources)");
  // The table is per message: "append" is only Envoy's on HeaderValueOption.
  EXPECT_EQ(YamlError("node: {append: true}"), "f.yaml:1:8: node.append: unknown field \"append\"");
}

TEST(FieldHintsTest, EnvoyPercentages) {
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {tracing: "
                      "{random_sampling: {value: 50}}}}]}"),
            "f.yaml:1:95: static_resources.listeners[0].http_connection_manager.tracing.random_sampling: expected a "
            "number, got an object: Tether takes a plain percentage (random_sampling: 50), not Envoy's "
            "{value: 50} (docs/envoy-differences.md#percentages)");
  EXPECT_EQ(YamlError("static_resources: {listeners: [{name: l, http_connection_manager: {tracing: "
                      "{random_sampling: 50}}}]}"),
            "(loaded)");
}

TEST(FieldHintsTest, DidYouMean) {
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, conect_timeout: 1s}]}"),
            "f.yaml:1:41: static_resources.clusters[0].conect_timeout: unknown field \"conect_timeout\" "
            "(did you mean \"connect_timeout\"?)");
  // camelCase keys are compared with camelCase names, the hint is snake_case.
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, connectTimout: 1s}]}"),
            "f.yaml:1:41: static_resources.clusters[0].connectTimout: unknown field \"connectTimout\" "
            "(did you mean \"connect_timeout\"?)");
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, lb_polcy: RANDOM}]}"),
            "f.yaml:1:41: static_resources.clusters[0].lb_polcy: unknown field \"lb_polcy\" (did you mean \"lb_policy\"?)");
  // Too far from anything: no guess.
  EXPECT_EQ(YamlError("static_resources: {clusters: [{name: a, colour: blue}]}"),
            "f.yaml:1:41: static_resources.clusters[0].colour: unknown field \"colour\"");
  // Short keys need to be closer: "ab" is two edits from "id" but no guess.
  EXPECT_EQ(YamlError("node: {ab: x}"), "f.yaml:1:8: node.ab: unknown field \"ab\"");
  EXPECT_EQ(YamlError("node: {idd: x}"), "f.yaml:1:8: node.idd: unknown field \"idd\" (did you mean \"id\"?)");
}

// GitHub's anchor for a heading: lower case, spaces to '-', other punctuation dropped.
std::string Slug(const std::string& heading) {
  std::string out;
  for (char c : heading) {
    if (c == ' ') {
      out += '-';
    } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

TEST(FieldHintsTest, EveryLinkedSectionExists) {
  std::ifstream in(std::string(TETHER_SOURCE_DIR) + "/docs/envoy-differences.md");
  ASSERT_TRUE(in) << "docs/envoy-differences.md is missing";
  std::set<std::string> anchors;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) anchors.insert(Slug(line.substr(line.find_first_not_of('#') + 1)));
  }
  for (const std::string& anchor : EnvoyDifferencesAnchors()) {
    EXPECT_TRUE(anchors.contains(anchor)) << "docs/envoy-differences.md#" << anchor << " is not a heading";
  }
}

}  // namespace
}  // namespace tether::config
