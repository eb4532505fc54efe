#include "src/config/health_check.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using namespace std::chrono_literals;
using testing::Accepted;
using testing::Refusal;

// One static cluster "web" with `checks` as its health_checks (YAML flow sequence items).
v1::Bootstrap Parse(const std::string& checks) { return testing::WebCluster("    health_checks: [" + checks + "]"); }

constexpr char kBase[] = "timeout: 1s, interval: 5s, unhealthy_threshold: 2, healthy_threshold: 3";
std::string Check(const std::string& extra) { return std::string("{") + kBase + ", " + extra + "}"; }
constexpr char kPath[] = "static_resources.clusters[0].health_checks[0]";

TEST(HealthCheckTest, HttpCheckWithDefaults) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = *Accepted(Parse(Check("http_health_check: {path: /healthz}")), keep).clusters.at("web");
  ASSERT_EQ(c.health_checks.size(), 1u);
  const HealthCheck& h = c.health_checks[0];
  EXPECT_EQ(h.kind, HealthCheck::Kind::kHttp);
  EXPECT_EQ(h.timeout, 1s);
  EXPECT_EQ(h.interval, 5s);
  EXPECT_EQ(h.unhealthy_interval, 5s);  // Envoy's default: interval
  EXPECT_EQ(h.no_traffic_interval, 60s);
  EXPECT_EQ(h.interval_jitter, 0ms);
  EXPECT_EQ(h.initial_jitter, 0ms);
  EXPECT_EQ(h.unhealthy_threshold, 2u);
  EXPECT_EQ(h.healthy_threshold, 3u);
  EXPECT_EQ(h.path, "/healthz");
  EXPECT_EQ(h.host, "");
  ASSERT_EQ(h.expected_statuses.size(), 1u);
  EXPECT_EQ(h.expected_statuses[0].start, 200);
  EXPECT_EQ(h.expected_statuses[0].end, 201);
}

TEST(HealthCheckTest, EveryFieldIsTaken) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = *Accepted(Parse(Check(
      "interval_jitter: 0.5s, initial_jitter: 2s, no_traffic_interval: 30s, unhealthy_interval: 10s, "
      "http_health_check: {path: /h, host: probe.local, expected_statuses: [{start: 200, end: 300}, {start: 404, "
      "end: 405}], request_headers_to_add: [{header: {key: X-Probe, value: '1'}, append_action: "
      "OVERWRITE_IF_EXISTS_OR_ADD}]}")),
                                         keep)
                              .clusters.at("web");
  const HealthCheck& h = c.health_checks.at(0);
  EXPECT_EQ(h.interval_jitter, 500ms);
  EXPECT_EQ(h.initial_jitter, 2s);
  EXPECT_EQ(h.no_traffic_interval, 30s);
  EXPECT_EQ(h.unhealthy_interval, 10s);
  EXPECT_EQ(h.host, "probe.local");
  ASSERT_EQ(h.expected_statuses.size(), 2u);
  EXPECT_EQ(h.expected_statuses[1].start, 404);
  ASSERT_EQ(h.request_headers_to_add.size(), 1u);
  EXPECT_EQ(h.request_headers_to_add[0].key, "x-probe");
  EXPECT_EQ(h.request_headers_to_add[0].action, v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
}

TEST(HealthCheckTest, TcpCheck) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = *Accepted(Parse(Check("tcp_health_check: {}")), keep).clusters.at("web");
  EXPECT_EQ(c.health_checks.at(0).kind, HealthCheck::Kind::kTcp);
}

TEST(HealthCheckTest, RequiredFields) {
  const std::string path = kPath;
  EXPECT_EQ(Refusal(Parse("{interval: 5s, unhealthy_threshold: 1, healthy_threshold: 1, tcp_health_check: {}}")),
            path + ".timeout: required");
  EXPECT_EQ(Refusal(Parse("{timeout: 1s, unhealthy_threshold: 1, healthy_threshold: 1, tcp_health_check: {}}")),
            path + ".interval: required");
  EXPECT_EQ(Refusal(Parse("{timeout: 1s, interval: 1s, healthy_threshold: 1, tcp_health_check: {}}")),
            path + ".unhealthy_threshold: required");
  EXPECT_EQ(Refusal(Parse("{timeout: 1s, interval: 1s, unhealthy_threshold: 1, tcp_health_check: {}}")),
            path + ".healthy_threshold: required");
  EXPECT_EQ(Refusal(Parse(std::string("{") + kBase + "}")),
            path + ": one of http_health_check and tcp_health_check is required");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {}"))), path + ".http_health_check.path: required");
}

TEST(HealthCheckTest, DurationsAndThresholds) {
  const std::string path = kPath;
  EXPECT_EQ(Refusal(Parse("{timeout: 0s, interval: 5s, unhealthy_threshold: 1, healthy_threshold: 1, "
                          "tcp_health_check: {}}")),
            path + ".timeout: must be greater than 0s");
  EXPECT_EQ(Refusal(Parse("{timeout: 1s, interval: 0s, unhealthy_threshold: 1, healthy_threshold: 1, "
                          "tcp_health_check: {}}")),
            path + ".interval: must be greater than 0s");
  EXPECT_EQ(Refusal(Parse(Check("no_traffic_interval: 0s, tcp_health_check: {}"))),
            path + ".no_traffic_interval: must be greater than 0s");
  EXPECT_EQ(Refusal(Parse(Check("unhealthy_interval: 0s, tcp_health_check: {}"))),
            path + ".unhealthy_interval: must be greater than 0s");
  EXPECT_EQ(Refusal(Parse(Check("interval_jitter: -1s, tcp_health_check: {}"))),
            path + ".interval_jitter: must not be negative");
  EXPECT_EQ(Refusal(Parse("{timeout: 1s, interval: 5s, unhealthy_threshold: 0, healthy_threshold: 1, "
                          "tcp_health_check: {}}")),
            path + ".unhealthy_threshold: must be at least 1");
}

TEST(HealthCheckTest, HttpFields) {
  const std::string path = std::string(kPath) + ".http_health_check";
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: healthz}"))),
            path + ".path: \"healthz\" must start with \"/\"");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: /h, expected_statuses: [{start: 99, end: 200}]}"))),
            path + ".expected_statuses[0].start: 99 is out of range [100, 600)");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: /h, expected_statuses: [{start: 200, end: 601}]}"))),
            path + ".expected_statuses[0].end: 601 is out of range (100, 600]");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: /h, expected_statuses: [{start: 200, end: 201}, "
                                "{start: 300, end: 300}]}"))),
            path + ".expected_statuses[1]: [300, 300) is empty: start must be below end (end is exclusive)");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: /h, request_headers_to_add: [{header: {key: 'a b', "
                                "value: x}}]}"))),
            path + ".request_headers_to_add[0].header.key: \"a b\" is not a valid header name");
  EXPECT_EQ(Refusal(Parse(Check("http_health_check: {path: /h, request_headers_to_add: [{header: {key: Host, "
                                "value: x}}]}"))),
            path + ".request_headers_to_add[0].header.key: \"host\" is set by host, not added");
}

TEST(HealthCheckTest, OneCheckPerCluster) {
  EXPECT_EQ(Refusal(Parse(Check("tcp_health_check: {}") + ", " + Check("tcp_health_check: {}"))),
            "static_resources.clusters[0].health_checks[1]: Tether runs one health check per cluster (1 at most): "
            "fold the checks into one");
}

TEST(HealthCheckTest, ClusterResourceFromTheControlPlane) {
  v1::Cluster c;
  c.set_name("web");
  c.set_type(v1::Cluster::EDS);
  c.add_health_checks()->mutable_tcp_health_check();
  EXPECT_EQ(ValidateClusterResource(c).message(), "health_checks[0].timeout: required");
}

TEST(HealthCheckTest, EdsHealthStatusMarksTheHost) {
  auto b = ParseBootstrap(R"(
static_resources:
  clusters:
  - name: web
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
          health_status: UNHEALTHY
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8081}}}
          health_status: DEGRADED
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8082}}}
          health_status: DRAINING
)",
                          "test");
  ASSERT_TRUE(b.ok()) << b.status();
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = *Accepted(*b, keep).clusters.at("web");
  ASSERT_EQ(c.hosts.size(), 3u);
  EXPECT_TRUE(c.hosts[0].eds_unhealthy);
  EXPECT_FALSE(c.hosts[1].eds_unhealthy);  // degraded stays in load balancing
  EXPECT_TRUE(c.hosts[2].eds_unhealthy);
}

}  // namespace
}  // namespace tether::config
