#include "controlplane/tetherctl/output.h"

#include <gtest/gtest.h>

#include "controlplane/server/resource_file.h"

namespace tether::ctl {
namespace {

constexpr char kResources[] = R"(kind: Listener
selector: {clusters: [web], labels: {app: "yes"}}
spec:
  name: outbound
  address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
  http_connection_manager:
    stat_prefix: "8080"
    route_config:
      name: local
      virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: a}}]}]
---
kind: Tracing
spec: {}
)";

cpv1::GetResponse Get() {
  auto parsed = controlplane::ParseResources(kResources, "file:x.yaml", false);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  cpv1::GetResponse response;
  for (const auto& r : *parsed) *response.add_resources() = controlplane::ToConfigResource(r);
  return response;
}

TEST(OutputTest, YamlAndJsonCanBeAppliedAgain) {
  const cpv1::GetResponse response = Get();
  for (const std::string format : {"yaml", "json"}) {
    auto text = ResourcesText(response, format);
    ASSERT_TRUE(text.ok()) << text.status();
    auto again = controlplane::ParseResources(*text, "file:out", format == "json");
    ASSERT_TRUE(again.ok()) << format << ": " << again.status() << "\n" << *text;
    ASSERT_EQ(again->size(), 2u);
    EXPECT_EQ((*again)[0].spec.value(), response.resources(0).spec().value()) << *text;
    EXPECT_EQ((*again)[0].selector.labels().at("app"), "yes");  // quoted, not read back as a bool
    EXPECT_EQ((*again)[1].name, "tracing");
  }
}

// yaml-cpp writes the block form; a string is quoted where a YAML reader
// would take it for a number, a bool or null, and only there.
TEST(OutputTest, YamlQuotesOnlyStringsThatReadAsOtherTypes) {
  const std::vector<std::pair<std::string, std::string>> strings = {
      // value, as written
      {"8080", "\"8080\""},   {"true", "\"true\""},   {"yes", "\"yes\""},     {"off", "\"off\""},
      {"0x10", "\"0x10\""},   {".inf", "\".inf\""},   {"-1.5", "\"-1.5\""},   {"null", "\"null\""},
      {"~", "\"~\""},         {"", "\"\""},           {"a: b", "\"a: b\""},   {" lead", "\" lead\""},
      {"1s", "1s"},           {"127.0.0.1", "127.0.0.1"}, {"web", "web"}, {"/api/v2", "/api/v2"},
      {"example.com:8080", "example.com:8080"}};
  google::protobuf::Value doc;
  auto& fields = *doc.mutable_struct_value()->mutable_fields();
  for (size_t i = 0; i < strings.size(); ++i) fields["s" + std::to_string(i + 10)].set_string_value(strings[i].first);
  fields["a_number"].set_number_value(15001);
  fields["a_bool"].set_bool_value(false);
  fields["a_null"].set_null_value(google::protobuf::NULL_VALUE);
  fields["an_empty_map"].mutable_struct_value();
  fields["an_empty_list"].mutable_list_value();
  fields["a_list"].mutable_list_value()->add_values()->set_string_value("8080");
  const std::string yaml = RenderYaml(doc);
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string line = "s" + std::to_string(i + 10) + ": " + strings[i].second + "\n";
    EXPECT_NE(yaml.find(line), std::string::npos) << line << " in\n" << yaml;
  }
  for (const char* line : {"a_number: 15001\n", "a_bool: false\n", "a_null: null\n", "an_empty_map: {}\n",
                           "an_empty_list: []\n", "a_list:\n  - \"8080\"\n"}) {
    EXPECT_NE(yaml.find(line), std::string::npos) << line << " in\n" << yaml;
  }
}

TEST(OutputTest, ResourcesTable) {
  const std::string table = ResourcesTable(Get());
  EXPECT_EQ(table,
            "KIND      NAME      SOURCE       SELECTOR\n"
            "Listener  outbound  file:x.yaml  clusters=web labels=app=yes\n"
            "Tracing   tracing   file:x.yaml  *\n");
}

TEST(OutputTest, ResourcesTableShowsAnOverrideAndAFileItShadows) {
  cpv1::GetResponse response = Get();
  auto* listener = response.mutable_resources(0);
  listener->set_source("applied");
  listener->set_shadows("file:x.yaml");
  listener->set_file_differs(true);
  response.mutable_resources(1)->set_source("applied");
  response.mutable_resources(1)->set_shadows("file:x.yaml");
  EXPECT_EQ(ResourcesTable(response),
            "KIND      NAME      SOURCE                                    SELECTOR\n"
            "Listener  outbound  applied (over file:x.yaml, file differs)  clusters=web labels=app=yes\n"
            "Tracing   tracing   applied (over file:x.yaml)                *\n"
            "Listener/outbound: file:x.yaml differs from the applied override served instead (tetherctl revert "
            "Listener outbound serves the file)\n");
}

TEST(OutputTest, ChangesTextSaysWhenTheFileServesIt) {
  cpv1::ApplyResponse response;
  auto* c = response.add_changes();
  c->set_kind("Cluster");
  c->set_name("a");
  c->set_action("unchanged");
  c->set_source("file:/d/c.yaml");
  c = response.add_changes();
  c->set_kind("Cluster");
  c->set_name("b");
  c->set_action("created");
  c->set_source("applied");
  EXPECT_EQ(ChangesText(response, false),
            "Cluster/a unchanged (matches file:/d/c.yaml, no override)\nCluster/b created\n");
}

TEST(OutputTest, StatusTableShowsSyncAndNackMessages) {
  cpv1::StatusResponse status;
  auto* p = status.add_proxies();
  p->mutable_node()->set_id("sidecar-1");
  p->mutable_node()->set_cluster("web");
  auto add = [&](const std::string& kind, cpv1::TypeStatus::Sync sync, const std::string& sent,
                 const std::string& acked, const std::string& desired, const std::string& nack = "") {
    auto* t = p->add_types();
    t->set_kind(kind);
    t->set_sync(sync);
    t->set_sent_version(sent);
    t->set_acked_version(acked);
    t->set_desired_version(desired);
    t->set_nack_message(nack);
  };
  add("Cluster", cpv1::TypeStatus::SYNCED, "aaaaaaaa11111111", "aaaaaaaa11111111", "aaaaaaaa11111111");
  add("ClusterLoadAssignment", cpv1::TypeStatus::STALE, "bbbbbbbb22222222", "cccccccc33333333", "bbbbbbbb22222222");
  add("Listener", cpv1::TypeStatus::NACKED, "dddddddd44444444", "", "dddddddd44444444", "'web': port_value: bad");
  add("RouteConfiguration", cpv1::TypeStatus::SYNCED, "e", "e", "e");
  add("Tracing", cpv1::TypeStatus::SYNCED, "f", "f", "f");
  const std::string table = StatusTable(status);
  EXPECT_NE(table.find("sidecar-1  web"), std::string::npos) << table;
  EXPECT_NE(table.find("SYNCED aaaaaaaa"), std::string::npos) << table;
  EXPECT_NE(table.find("STALE (sent bbbbbbbb, acked cccccccc)"), std::string::npos) << table;
  EXPECT_NE(table.find("NACKED (sent dddddddd, acked -)"), std::string::npos) << table;
  EXPECT_NE(table.find("NACK sidecar-1 Listener version dddddddd44444444: 'web': port_value: bad"), std::string::npos)
      << table;
  EXPECT_NE(StatusJson(status).find("\"nack_message\": \"'web': port_value: bad\""), std::string::npos);
  EXPECT_EQ(StatusTable(cpv1::StatusResponse()), "no sidecars connected\n");
}

TEST(OutputTest, StatusTableShowsWarmingListenersAndWhatTheyLack) {
  cpv1::StatusResponse status;
  auto* p = status.add_proxies();
  p->mutable_node()->set_id("sidecar-1");
  auto* t = p->add_types();
  t->set_kind("Listener");
  t->set_sync(cpv1::TypeStatus::WARMING);
  t->set_sent_version("dddddddd44444444");
  t->set_acked_version("dddddddd44444444");
  t->set_desired_version("dddddddd44444444");
  auto* w = t->add_warming();
  w->set_name("late");
  w->add_missing("Cluster/backend");
  std::string table = StatusTable(status);
  EXPECT_NE(table.find("WARMING dddddddd"), std::string::npos) << table;
  EXPECT_NE(table.find("WARMING sidecar-1 Listener late waits for Cluster/backend"), std::string::npos) << table;
  t->set_sync(cpv1::TypeStatus::WARMING_TIMED_OUT);
  w->set_timed_out(true);
  table = StatusTable(status);
  EXPECT_NE(table.find("WARMING_TIMED_OUT dddddddd"), std::string::npos) << table;
  EXPECT_NE(table.find("Listener late serves without Cluster/backend"), std::string::npos) << table;
}

TEST(OutputTest, Table) {
  EXPECT_EQ(Table({{"A", "BB"}, {"CCC", "D"}}), "A    BB\nCCC  D\n");
}

}  // namespace
}  // namespace tether::ctl
