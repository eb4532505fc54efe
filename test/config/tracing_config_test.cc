#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"

namespace tether::config {
namespace {

v1::Bootstrap Traced(const std::string& listener_tracing, const std::string& zipkin = "{collector_cluster: zipkin}") {
  auto b = ParseBootstrap(R"(
tracing: {zipkin: )" + zipkin + R"(}
static_resources:
  listeners:
  - name: in
    traffic_direction: INBOUND
    address: {socket_address: {address: 127.0.0.1, port_value: 15006}}
    http_connection_manager:
      tracing: )" + listener_tracing + R"(
      route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: zipkin}}]}]}
  clusters:
  - name: zipkin
    load_assignment: {endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 9411}}}}]}]}
)", "test");
  EXPECT_TRUE(b.ok()) << b.status();
  return *b;
}

TEST(TracingConfigTest, DefaultsLikeEnvoy) {
  const v1::Bootstrap b = Traced("{}");
  ASSERT_TRUE(ValidateBootstrap(b).ok());
  auto s = BuildSnapshot(b, {}, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE((*s)->zipkin.has_value());
  EXPECT_EQ((*s)->zipkin->collector_endpoint, "/api/v2/spans");
  EXPECT_EQ((*s)->zipkin->max_batch_size, 100u);
  EXPECT_TRUE((*s)->zipkin->shared_span_context);
  const auto& t = (*s)->listeners[0]->tracing;
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->operation_name, "ingress");  // INBOUND
  EXPECT_EQ(t->random_sampling, 100);
  EXPECT_TRUE(t->b3_multi);
  EXPECT_TRUE(t->w3c);
  EXPECT_FALSE(t->b3_single);
  EXPECT_EQ(t->max_path_tag_length, 256u);
}

TEST(TracingConfigTest, ExplicitSettings) {
  ::setenv("TETHER_TEST_REGION", "eu-1", 1);
  const v1::Bootstrap b = Traced(
      "{operation_name: web, random_sampling: 2.5, propagation: [B3_SINGLE, OT_SPAN_CONTEXT], custom_tags: ["
      "{tag: region, environment: TETHER_TEST_REGION}, {tag: tenant, request_header: X-Tenant}]}",
      "{collector_cluster: zipkin, collector_endpoint_version: HTTP_JSON_V1, trace_id_128bit: true}");
  ASSERT_TRUE(ValidateBootstrap(b).ok());
  auto s = BuildSnapshot(b, {}, 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->zipkin->collector_endpoint, "/api/v1/spans");
  EXPECT_TRUE((*s)->zipkin->json_v1);
  EXPECT_TRUE((*s)->zipkin->trace_id_128bit);
  const auto& t = *(*s)->listeners[0]->tracing;
  EXPECT_EQ(t.operation_name, "web");
  EXPECT_EQ(t.random_sampling, 2.5);
  EXPECT_FALSE(t.b3_multi);
  EXPECT_FALSE(t.w3c);
  EXPECT_TRUE(t.b3_single);
  EXPECT_TRUE(t.ot_span_context);
  ASSERT_EQ(t.custom_tags.size(), 2u);
  EXPECT_EQ(t.custom_tags[0].value, "eu-1");  // read at load
  EXPECT_EQ(t.custom_tags[1].kind, CustomTag::Kind::kRequestHeader);
  EXPECT_EQ(t.custom_tags[1].value, "x-tenant");
}

TEST(TracingConfigTest, ValidationNamesTheField) {
  auto unknown = Traced("{}", "{collector_cluster: nope}");
  EXPECT_EQ(ValidateBootstrap(unknown).message(), "tracing.zipkin.collector_cluster: unknown cluster \"nope\"");
  auto percent = Traced("{random_sampling: 150}");
  EXPECT_EQ(ValidateBootstrap(percent).message(),
            "static_resources.listeners[0].http_connection_manager.tracing.random_sampling: 150 is not a percentage (0-100)");
  auto tag = Traced("{custom_tags: [{tag: x}]}");
  EXPECT_EQ(ValidateBootstrap(tag).message(),
            "static_resources.listeners[0].http_connection_manager.tracing.custom_tags[0]: needs one of literal, "
            "request_header, environment");
}

}  // namespace
}  // namespace tether::config
