#include "src/config/retry_policy.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using testing::Accepted;
using testing::Refusal;

// A virtual host with `vhost` fields and one route to "web" with `route` fields in its action and
// `outer` fields on the route itself.
v1::Bootstrap Parse(const std::string& vhost, const std::string& route, const std::string& outer = "") {
  return testing::RouteToWeb(route, "", vhost, outer);
}

const Route& Built(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  return Accepted(b, keep).listeners[0]->routes->virtual_hosts[0].routes[0];
}

constexpr char kRoutePath[] = "static_resources.listeners[0].http_connection_manager.route_config.virtual_hosts[0]";

TEST(RetryPolicyTest, NoPolicyMeansNone) {
  std::shared_ptr<const Snapshot> keep;
  const Route& r = Built(Parse("", ""), keep);
  EXPECT_EQ(r.retry_policy, nullptr);
  EXPECT_EQ(r.per_request_buffer_limit_bytes, 1u << 20);
  EXPECT_FALSE(r.include_request_attempt_count);
}

TEST(RetryPolicyTest, EnvoysDefaultsAndConditions) {
  std::shared_ptr<const Snapshot> keep;
  const Route& r = Built(Parse("", "              retry_policy: {retry_on: \"5xx, reset,unavailable\"}\n"), keep);
  ASSERT_NE(r.retry_policy, nullptr);
  const RetryPolicy& p = *r.retry_policy;
  EXPECT_EQ(p.retry_on, RetryPolicy::k5xx | RetryPolicy::kReset | RetryPolicy::kGrpcUnavailable);
  EXPECT_EQ(p.num_retries, 1u);
  EXPECT_EQ(p.base_interval, Duration(25));
  EXPECT_EQ(p.max_interval, Duration(250));
  EXPECT_EQ(p.per_try_timeout, Duration(0));
  EXPECT_FALSE(p.previous_hosts);
  EXPECT_EQ(p.host_selection_retry_max_attempts, 1u);
}

TEST(RetryPolicyTest, EveryFieldReachesTheSnapshot) {
  std::shared_ptr<const Snapshot> keep;
  const Route& r = Built(Parse("", R"(              timeout: 2s
              retry_policy:
                retry_on: retriable-status-codes,connect-failure
                num_retries: 3
                per_try_timeout: 0.3s
                per_try_idle_timeout: 0.1s
                retriable_status_codes: [409, 503]
                retry_back_off: {base_interval: 0.01s}
                retry_host_predicate: [{name: envoy.retry_host_predicates.previous_hosts}]
                host_selection_retry_max_attempts: 3
                retriable_request_headers: [{name: ":method", exact_match: GET}]
)"),
                         keep);
  const RetryPolicy& p = *r.retry_policy;
  EXPECT_EQ(p.num_retries, 3u);
  EXPECT_EQ(p.per_try_timeout, Duration(300));
  EXPECT_EQ(p.per_try_idle_timeout, Duration(100));
  EXPECT_EQ(p.retriable_status_codes, (std::vector<uint32_t>{409, 503}));
  EXPECT_EQ(p.base_interval, Duration(10));
  EXPECT_EQ(p.max_interval, Duration(100));  // ten times the base
  EXPECT_TRUE(p.previous_hosts);
  EXPECT_EQ(p.host_selection_retry_max_attempts, 3u);
  ASSERT_EQ(p.retriable_request_headers.size(), 1u);
  EXPECT_EQ(p.retriable_request_headers[0].name, ":method");
}

TEST(RetryPolicyTest, TheRoutesPolicyReplacesTheVirtualHosts) {
  std::shared_ptr<const Snapshot> keep;
  const Route& inherited =
      Built(Parse("          retry_policy: {retry_on: 5xx, num_retries: 2}\n"
                  "          include_request_attempt_count: true\n"
                  "          per_request_buffer_limit_bytes: 4096\n",
                  ""),
            keep);
  ASSERT_NE(inherited.retry_policy, nullptr);
  EXPECT_EQ(inherited.retry_policy->num_retries, 2u);
  EXPECT_TRUE(inherited.include_request_attempt_count);
  EXPECT_EQ(inherited.per_request_buffer_limit_bytes, 4096u);
  std::shared_ptr<const Snapshot> keep2;
  const Route& own = Built(Parse("          retry_policy: {retry_on: 5xx, num_retries: 2}\n"
                                 "          per_request_buffer_limit_bytes: 4096\n",
                                 "              retry_policy: {retry_on: reset}\n",
                                 "            per_request_buffer_limit_bytes: 100\n"),
                           keep2);
  EXPECT_EQ(own.retry_policy->retry_on, RetryPolicy::kReset);
  EXPECT_EQ(own.retry_policy->num_retries, 1u);
  EXPECT_EQ(own.per_request_buffer_limit_bytes, 100u);
}

TEST(RetryPolicyTest, APerTryTimeoutLongerThanTheRouteTimeoutNamesBoth) {
  EXPECT_EQ(Refusal(Parse("", "              timeout: 1s\n              retry_policy: {per_try_timeout: 2s}\n")),
            std::string(kRoutePath) +
                ".routes[0].route.retry_policy.per_try_timeout: 2000ms is longer than the route's timeout 1000ms (" +
                kRoutePath + ".routes[0].route.timeout)");
  // The virtual host's policy is checked against each route's timeout (the default 15s here).
  EXPECT_EQ(Refusal(Parse("          retry_policy: {per_try_timeout: 20s}\n", "")),
            std::string(kRoutePath) + ".retry_policy.per_try_timeout: 20000ms is longer than the route's timeout "
                                      "15000ms (" + kRoutePath + ".routes[0].route.timeout)");
  // A route without a timeout (0s) bounds nothing.
  std::shared_ptr<const Snapshot> keep;
  EXPECT_EQ(Built(Parse("", "              timeout: 0s\n              retry_policy: {per_try_timeout: 20s}\n"), keep)
                .retry_policy->per_try_timeout,
            Duration(20000));
}

TEST(RetryPolicyTest, MistakesAreRefusedNamingTheField) {
  const std::string p = std::string(kRoutePath) + ".routes[0].route.retry_policy";
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retry_on: \"5xx,sometimes\"}\n")),
            p + ".retry_on: unknown condition \"sometimes\" (5xx, gateway-error, reset, connect-failure, "
                "retriable-4xx, refused-stream, retriable-status-codes, cancelled, deadline-exceeded, internal, "
                "resource-exhausted, unavailable)");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retriable_status_codes: [99]}\n")),
            p + ".retriable_status_codes[0]: 99 is not a status code (100-599)");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retry_back_off: {max_interval: 1s}}\n")),
            p + ".retry_back_off.base_interval: required");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retry_back_off: {base_interval: 1s, max_interval: 0.5s}}\n")),
            p + ".retry_back_off.max_interval: 500ms is shorter than base_interval 1000ms");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retry_host_predicate: [{name: other}]}\n")),
            p + ".retry_host_predicate[0].name: unknown predicate \"other\" "
                "(envoy.retry_host_predicates.previous_hosts)");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {host_selection_retry_max_attempts: -1}\n")),
            p + ".host_selection_retry_max_attempts: -1 is out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("", "              retry_policy: {retriable_request_headers: [{name: \":verb\"}]}\n")),
            p + ".retriable_request_headers[0].name: \":verb\" is not a header name (a token, or :method, :scheme, "
                ":authority, :path)");
}

TEST(RetryPolicyTest, ConditionNames) {
  EXPECT_EQ(RetryOnCondition("gateway-error"), RetryPolicy::kGatewayError);
  EXPECT_EQ(RetryOnCondition("deadline-exceeded"), RetryPolicy::kGrpcDeadlineExceeded);
  EXPECT_EQ(RetryOnCondition("5XX"), std::nullopt);  // names are Envoy's, exactly
}

}  // namespace
}  // namespace tether::config
