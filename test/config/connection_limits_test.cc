#include "src/config/connection_limits.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

// One listener whose top-level fields are `listener` and whose HCM adds `hcm`.
v1::Bootstrap Parse(const std::string& listener, const std::string& hcm, const std::string& cluster = "") {
  return testing::ParsedOrEmpty(R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
)" + listener + R"(
    http_connection_manager:
)" + hcm + R"(
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: /}
            route: {cluster: web}
  clusters:
  - name: web
)" + cluster + "\n" +
                                testing::kWebLoadAssignment);
}

std::string Error(const v1::Bootstrap& b) {
  const absl::Status s = ValidateBootstrap(b);
  EXPECT_FALSE(s.ok());
  return std::string(s.message());
}

TEST(ConnectionLimitsTest, Defaults) {
  auto s = BuildSnapshot(Parse("", ""), {}, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  const Listener& l = *(*s)->listeners[0];
  EXPECT_EQ(l.per_connection_buffer_limit_bytes, 1u << 20);  // Envoy's 1 MiB
  EXPECT_EQ(l.max_connections, 0u);
  EXPECT_EQ(l.max_requests_per_connection, 0u);
  EXPECT_EQ(l.max_headers_count, 100u);
  EXPECT_EQ((*s)->FindCluster("web")->per_connection_buffer_limit_bytes, 1u << 20);
}

TEST(ConnectionLimitsTest, ConfiguredValuesReachTheSnapshot) {
  const auto b = Parse("    per_connection_buffer_limit_bytes: 65536\n    max_connections: 3\n",
                       "      common_http_protocol_options: {max_requests_per_connection: 2, max_headers_count: 20}\n",
                       "    per_connection_buffer_limit_bytes: 32768\n");
  ASSERT_TRUE(ValidateBootstrap(b).ok()) << ValidateBootstrap(b);
  auto s = BuildSnapshot(b, {}, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  const Listener& l = *(*s)->listeners[0];
  EXPECT_EQ(l.per_connection_buffer_limit_bytes, 65536u);
  EXPECT_EQ(l.max_connections, 3u);
  EXPECT_EQ(l.max_requests_per_connection, 2u);
  EXPECT_EQ(l.max_headers_count, 20u);  // common_http_protocol_options' name for it works alone
  EXPECT_EQ((*s)->FindCluster("web")->per_connection_buffer_limit_bytes, 32768u);
}

TEST(ConnectionLimitsTest, MaxHeadersCountUnderBothNamesMustAgree) {
  const auto same = Parse("", "      max_headers_count: 50\n      common_http_protocol_options: {max_headers_count: 50}\n");
  EXPECT_TRUE(ValidateBootstrap(same).ok());
  const auto conflicting =
      Parse("", "      max_headers_count: 50\n      common_http_protocol_options: {max_headers_count: 60}\n");
  EXPECT_EQ(Error(conflicting),
            "static_resources.listeners[0].http_connection_manager.common_http_protocol_options.max_headers_count: "
            "60 conflicts with http_connection_manager.max_headers_count 50 (the same limit: set one of them)");
  EXPECT_FALSE(BuildSnapshot(conflicting, {}, 1).ok());
  EXPECT_EQ(Error(Parse("", "      common_http_protocol_options: {max_headers_count: 0}\n")),
            "static_resources.listeners[0].http_connection_manager.common_http_protocol_options.max_headers_count: "
            "0 is out of range (1-1000)");
}

TEST(ConnectionLimitsTest, TinyBuffersAreRefusedNamingTheField) {
  EXPECT_EQ(Error(Parse("    per_connection_buffer_limit_bytes: 100\n", "")),
            "static_resources.listeners[0].per_connection_buffer_limit_bytes: 100 is below the minimum of 1024 bytes");
  EXPECT_EQ(Error(Parse("", "", "    per_connection_buffer_limit_bytes: 0\n")),
            "static_resources.clusters[0].per_connection_buffer_limit_bytes: 0 is below the minimum of 1024 bytes");
}

TEST(ConnectionLimitsTest, XdsResourcesGetPathsFromTheResource) {
  const auto b = Parse("    per_connection_buffer_limit_bytes: 10\n", "");
  const absl::Status s = ValidateListenerResource(b.static_resources().listeners(0));
  EXPECT_EQ(s.message(), "per_connection_buffer_limit_bytes: 10 is below the minimum of 1024 bytes");
}

}  // namespace
}  // namespace tether::config
