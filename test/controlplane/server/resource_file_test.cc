#include "controlplane/server/resource_file.h"

#include <gtest/gtest.h>

#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"

namespace tether::controlplane {
namespace {

constexpr char kTwo[] = R"(kind: Cluster
spec:
  name: backend
  type: STATIC
  connect_timeout: 1s
---
kind: Listener
selector: {node_ids: [a], clusters: [web], labels: {app: web}}
spec:
  name: outbound
  address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
---
)";

TEST(ResourceFileTest, ParsesEveryDocument) {
  auto r = ParseResources(kTwo, "file:r.yaml", false);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);  // the empty trailing document is skipped
  EXPECT_EQ((*r)[0].type->kind(), "Cluster");
  EXPECT_EQ((*r)[0].name, "backend");
  EXPECT_EQ((*r)[0].document, 1);
  EXPECT_EQ((*r)[0].source, "file:r.yaml");
  EXPECT_EQ((*r)[1].name, "outbound");
  EXPECT_EQ((*r)[1].document, 2);
  EXPECT_EQ((*r)[1].selector.labels().at("app"), "web");
  config::v1::Listener l;
  ASSERT_TRUE((*r)[1].spec.UnpackTo(&l));
  EXPECT_EQ(l.address().socket_address().port_value(), 15001u);
}

// Resources take the bootstrap's duration forms (issue 10, item 13), in YAML
// and JSON, and Envoy's field names get the bootstrap's hints.
TEST(ResourceFileTest, DurationsInEveryFormAndEnvoyHints) {
  auto yaml = ParseResources("kind: Cluster\nspec: {name: x, connect_timeout: 250ms, idle_timeout: 1m30s}\n",
                             "file:d.yaml", false);
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  config::v1::Cluster c;
  ASSERT_TRUE((*yaml)[0].spec.UnpackTo(&c));
  EXPECT_EQ(c.connect_timeout().nanos(), 250'000'000);
  EXPECT_EQ(c.idle_timeout().seconds(), 90);
  auto json = ParseResources(R"([{"kind": "Cluster", "spec": {"name": "x", "connect_timeout": "2h"}}])", "file:d.json", true);
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_TRUE((*json)[0].spec.UnpackTo(&c));
  EXPECT_EQ(c.connect_timeout().seconds(), 7200);

  auto bad = ParseResources("kind: Cluster\nspec: {name: x, connect_timeout: 5d}\n", "file:d.yaml", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "d.yaml:2:34: document 1: spec.connect_timeout: invalid duration \"5d\" (want a "
                                    "duration like \"5s\", \"0.25s\", \"250ms\" or \"1m30s\")");
  auto envoy = ParseResources("kind: Cluster\nspec: {name: x, transport_socket: {}}\n", "file:e.yaml", false);
  ASSERT_FALSE(envoy.ok());
  EXPECT_EQ(envoy.status().message(), "e.yaml:2:17: document 1: spec.transport_socket: unknown field \"transport_socket\": "
                                      "TLS to upstreams is not supported (docs/envoy-differences.md#clusters)");
}

TEST(ResourceFileTest, ErrorsNameFileDocumentAndField) {
  // kTwo ends in "---": what follows is its third document.
  const std::string text = std::string(kTwo) + "kind: Cluster\nspec: {name: x, connect_timeout: 5 seconds}\n";
  auto r = ParseResources(text, "file:r.yaml", false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("r.yaml:14:34: document 3: spec.connect_timeout"), std::string::npos)
      << r.status();

  auto unknown = ParseResources("kind: Cluster\nspec: {name: x, conect_timeout: 1s}\n", "file:u.yaml", false);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("u.yaml:2:17: document 1: spec.conect_timeout"), std::string::npos)
      << unknown.status();

  auto kind = ParseResources("kind: Clusterr\nspec: {name: x}\n", "file:k.yaml", false);
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("k.yaml:1:7: document 1: kind: unknown kind \"Clusterr\""), std::string::npos)
      << kind.status();

  auto key = ParseResources("kind: Cluster\nspek: {name: x}\n", "file:s.yaml", false);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("s.yaml:2:1: document 1: spek: unknown field"), std::string::npos) << key.status();

  auto selector = ParseResources("kind: Cluster\nselector: {labels: [a]}\nspec: {name: x}\n", "file:s.yaml", false);
  ASSERT_FALSE(selector.ok());
  EXPECT_NE(selector.status().message().find("s.yaml:2:20: document 1: selector.labels"), std::string::npos) << selector.status();

  auto twice = ParseResources("kind: Cluster\nspec: {name: x}\nspec: {name: y}\n", "file:t.yaml", false);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "t.yaml:3:1: document 1: spec: duplicate key \"spec\"");

  auto syntax = ParseResources("kind: [Cluster\n", "file:y.yaml", false);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().message().rfind("y.yaml:", 0), 0u) << syntax.status();
}

TEST(ResourceFileTest, SemanticErrorsAreLeftToValidateResource) {
  auto r = ParseResources("kind: Listener\nspec: {name: l, address: {socket_address: {address: 127.0.0.1, "
                          "port_value: 99999}}}\n",
                          "file:l.yaml", false);
  ASSERT_TRUE(r.ok()) << r.status();
  absl::Status s = ValidateResource((*r)[0]);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Listener 'l': address.socket_address.port_value"), std::string::npos) << s;
}

TEST(ResourceFileTest, JsonHoldsOneResourceOrAList) {
  auto one = ParseResources(R"({"kind": "Tracing", "spec": {}})", "file:t.json", true);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ((*one)[0].name, "tracing");
  auto list = ParseResources(R"([{"kind": "Cluster", "spec": {"name": "a"}}, {"kind": "Cluster", "spec": {"name": 7}}])",
                             "file:l.json", true);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("l.json:1:83: document 2: spec.name"), std::string::npos) << list.status();
}

TEST(ResourceFileTest, FileNames) {
  EXPECT_TRUE(IsResourceFileName("a.yaml"));
  EXPECT_TRUE(IsResourceFileName("a.YML"));
  EXPECT_TRUE(IsResourceFileName("a.json"));
  EXPECT_FALSE(IsResourceFileName("..data"));
  EXPECT_FALSE(IsResourceFileName(".a.yaml"));
  EXPECT_FALSE(IsResourceFileName("a.txt"));
}

}  // namespace
}  // namespace tether::controlplane
