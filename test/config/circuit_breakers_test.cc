#include "src/config/circuit_breakers.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "src/config/snapshot_builder.h"
#include "src/config/validator.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using testing::Accepted;
using testing::Refusal;

// One cluster "web" whose extra fields are `cluster` (indented for it).
v1::Bootstrap Parse(const std::string& cluster) { return testing::WebCluster(cluster); }

const Cluster& Built(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  return testing::AcceptedWeb(b, keep);
}

TEST(CircuitBreakersTest, EnvoysDefaults) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse(""), keep);
  for (const CircuitBreakerThresholds& t : c.thresholds) {
    EXPECT_EQ(t.max_connections, 1024u);
    EXPECT_EQ(t.max_pending_requests, 1024u);
    EXPECT_EQ(t.max_requests, 1024u);
    EXPECT_EQ(t.max_retries, 3u);
    EXPECT_FALSE(t.track_remaining);
    EXPECT_FALSE(t.retry_budget.has_value());
  }
  EXPECT_EQ(c.per_host_max_connections, 0u);
}

TEST(CircuitBreakersTest, ThresholdsPerPriorityReachTheSnapshot) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse(R"(    circuit_breakers:
      thresholds:
      - {max_connections: 1, max_pending_requests: 1, max_retries: 3, track_remaining: true}
      - {priority: HIGH, max_requests: 7, retry_budget: {budget_percent: 50, min_retry_concurrency: 2}}
      per_host_thresholds: [{max_connections: 4}]
)"),
                           keep);
  const CircuitBreakerThresholds& d = c.thresholds[static_cast<std::size_t>(Priority::kDefault)];
  EXPECT_EQ(d.max_connections, 1u);
  EXPECT_EQ(d.max_pending_requests, 1u);
  EXPECT_EQ(d.max_requests, 1024u);
  EXPECT_EQ(d.max_retries, 3u);
  EXPECT_TRUE(d.track_remaining);
  const CircuitBreakerThresholds& h = c.thresholds[static_cast<std::size_t>(Priority::kHigh)];
  EXPECT_EQ(h.max_requests, 7u);
  ASSERT_TRUE(h.retry_budget.has_value());
  EXPECT_EQ(h.retry_budget->budget_percent, 50);
  EXPECT_EQ(h.retry_budget->min_retry_concurrency, 2u);
  EXPECT_EQ(c.per_host_max_connections, 4u);
}

TEST(CircuitBreakersTest, ABudgetAloneTakesItsDefaults) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse("    circuit_breakers: {thresholds: [{retry_budget: {}}]}\n"), keep);
  ASSERT_TRUE(c.thresholds[0].retry_budget.has_value());
  EXPECT_EQ(c.thresholds[0].retry_budget->budget_percent, 20);
  EXPECT_EQ(c.thresholds[0].retry_budget->min_retry_concurrency, 3u);
}

TEST(CircuitBreakersTest, MistakesAreRefusedNamingTheField) {
  EXPECT_EQ(Refusal(Parse("    circuit_breakers: {thresholds: [{max_connections: 1}, {max_requests: 2}]}\n")),
            "static_resources.clusters[0].circuit_breakers.thresholds[1].priority: a second entry for DEFAULT (one "
            "thresholds entry per priority)");
  EXPECT_EQ(Refusal(Parse("    circuit_breakers: {thresholds: [{retry_budget: {budget_percent: 150}}]}\n")),
            "static_resources.clusters[0].circuit_breakers.thresholds[0].retry_budget.budget_percent.value: 150 is "
            "out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("    circuit_breakers: {per_host_thresholds: [{max_pending_requests: 1}]}\n")),
            "static_resources.clusters[0].circuit_breakers.per_host_thresholds[0]: only max_connections is a "
            "per-host limit");
  EXPECT_EQ(Refusal(Parse("    circuit_breakers: {per_host_thresholds: [{max_connections: 0}]}\n")),
            "static_resources.clusters[0].circuit_breakers.per_host_thresholds[0].max_connections: must be at least 1");
}

TEST(CircuitBreakersTest, AnEnvoyPercentShapeGetsAHint) {
  auto b = ParseBootstrap(
      "static_resources: {clusters: [{name: web, circuit_breakers: {thresholds: [{retry_budget: {budget_percent: "
      "{value: 20}}}]}}]}",
      "f.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("Tether takes a plain percentage (budget_percent: 50)"), std::string::npos)
      << b.status();
}

TEST(CircuitBreakersTest, XdsClustersAreCheckedTheSameWay) {
  const auto b = Parse("    circuit_breakers: {per_host_thresholds: [{max_retries: 1}]}\n");
  EXPECT_EQ(ValidateClusterResource(b.static_resources().clusters(0)).message(),
            "circuit_breakers.per_host_thresholds[0]: only max_connections is a per-host limit");
}

}  // namespace
}  // namespace tether::config
