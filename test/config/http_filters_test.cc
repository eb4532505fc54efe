#include "src/config/http_filters.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using testing::Accepted;
using testing::Refusal;

// A listener with `filters` as its http_filters and one route with `route_extra` on it.
v1::Bootstrap Parse(const std::string& filters, const std::string& route_extra = "") {
  return testing::ParsedOrEmpty(R"(
static_resources:
  listeners:
  - name: out
    address: {socket_address: {address: 127.0.0.1, port_value: 15001}}
    http_connection_manager:
      http_filters: )" + filters + R"(
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: /}
            direct_response: {status: 200}
)" + route_extra + "\n");
}

constexpr char kFilters[] = "static_resources.listeners[0].http_connection_manager.http_filters";

TEST(HttpFiltersTest, FiltersInOrderWithTheirSettings) {
  const auto b = Parse(R"([
        {name: envoy.filters.http.fault, fault: {delay: {fixed_delay: 0.2s, percentage: 50}, abort: {http_status: 503}, max_active_faults: 7}},
        {local_ratelimit: {stat_prefix: rl, token_bucket: {max_tokens: 10, tokens_per_fill: 5, fill_interval: 1s}, filter_enabled: 100, filter_enforced: 90}},
        {name: envoy.filters.http.router}])");
  ASSERT_TRUE(ValidateBootstrap(b).ok()) << ValidateBootstrap(b);
  auto s = BuildSnapshot(b, {}, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  const auto& filters = (*s)->listeners[0]->http_filters;
  ASSERT_EQ(filters.size(), 2u);  // the router entry is the built-in router
  ASSERT_NE(filters[0].fault, nullptr);
  EXPECT_EQ(filters[0].fault->delay->fixed, Duration(200));
  EXPECT_EQ(filters[0].fault->delay->percentage, 50);
  EXPECT_EQ(filters[0].fault->abort->http_status, 503u);
  EXPECT_EQ(filters[0].fault->abort->percentage, 100);
  EXPECT_EQ(filters[0].fault->max_active_faults, 7u);
  ASSERT_NE(filters[1].rate_limit, nullptr);
  const LocalRateLimitConfig& rl = *filters[1].rate_limit;
  EXPECT_TRUE(rl.has_bucket);
  EXPECT_EQ(rl.max_tokens, 10u);
  EXPECT_EQ(rl.tokens_per_fill, 5u);
  EXPECT_EQ(rl.fill_interval, Duration(1000));
  EXPECT_EQ(rl.filter_enabled, 100);
  EXPECT_EQ(rl.filter_enforced, 90);
  EXPECT_EQ(rl.status, 429u);
}

TEST(HttpFiltersTest, ARouteCarriesItsOwnSettings) {
  const auto b = Parse("[{fault: {}}, {local_ratelimit: {stat_prefix: l}}]",
                       "            per_filter_config: {fault: {abort: {grpc_status: 14, percentage: 10}}, "
                       "local_ratelimit: {stat_prefix: r, token_bucket: {max_tokens: 1, fill_interval: 1s}}}");
  auto s = BuildSnapshot(b, {}, 1);
  ASSERT_TRUE(s.ok()) << s.status();
  const Route& route = (*s)->listeners[0]->routes->virtual_hosts[0].routes[0];
  ASSERT_NE(route.fault, nullptr);
  EXPECT_EQ(route.fault->abort->grpc_status, 14);
  EXPECT_EQ(route.fault->abort->percentage, 10);
  ASSERT_NE(route.rate_limit, nullptr);
  EXPECT_EQ(route.rate_limit->stat_prefix, "r");
  EXPECT_FALSE((*s)->listeners[0]->http_filters[1].rate_limit->has_bucket);  // routes' buckets only
}

TEST(HttpFiltersTest, MistakesAreRefusedNamingTheField) {
  EXPECT_EQ(Refusal(Parse("[{fault: {abort: {http_status: 99}}}]")),
            std::string(kFilters) + "[0].fault.abort.http_status: 99 is not a status code (200-599)");
  EXPECT_EQ(Refusal(Parse("[{fault: {delay: {percentage: 10}}}]")),
            std::string(kFilters) + "[0].fault.delay: needs fixed_delay or header_delay");
  EXPECT_EQ(Refusal(Parse("[{fault: {abort: {http_status: 500, percentage: 101}}}]")),
            std::string(kFilters) + "[0].fault.abort.percentage: 101 is out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("[{local_ratelimit: {token_bucket: {max_tokens: 1, fill_interval: 1s}}}]")),
            std::string(kFilters) + "[0].local_ratelimit.stat_prefix: required");
  EXPECT_EQ(Refusal(Parse("[{local_ratelimit: {stat_prefix: x, token_bucket: {max_tokens: 1, fill_interval: 0.01s}}}]")),
            std::string(kFilters) + "[0].local_ratelimit.token_bucket.fill_interval: 10ms is below 50ms");
  EXPECT_EQ(Refusal(Parse("[{name: envoy.filters.http.fault, local_ratelimit: {stat_prefix: x}}]")),
            std::string(kFilters) +
                "[0].name: \"envoy.filters.http.fault\" does not name this entry's filter "
                "(envoy.filters.http.local_ratelimit)");
  EXPECT_EQ(Refusal(Parse("[{name: envoy.filters.http.router}, {fault: {}}]")),
            std::string(kFilters) + "[0]: the router comes last");
  EXPECT_EQ(Refusal(Parse("[]", "            per_filter_config: {local_ratelimit: {stat_prefix: r}}")),
            "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0].routes[0]"
            ".per_filter_config.local_ratelimit.token_bucket: required");
}

TEST(HttpFiltersTest, EnvoysShapesGetHints) {
  auto b = ParseBootstrap(
      "static_resources: {listeners: [{name: l, http_connection_manager: {http_filters: [{name: x, "
      "typed_config: {}}]}}]}",
      "f.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("without typed_config"), std::string::npos) << b.status();
  auto p = ParseBootstrap(
      "static_resources: {listeners: [{name: l, http_connection_manager: {http_filters: [{fault: {abort: "
      "{http_status: 503, percentage: {numerator: 5}}}}]}}]}",
      "f.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("plain percentage"), std::string::npos) << p.status();
}

}  // namespace
}  // namespace tether::config
