#include "src/config/outlier_detection.h"

#include <gtest/gtest.h>

#include "src/config/loader.h"
#include "test/config/refusal.h"

namespace tether::config {
namespace {

using std::chrono::milliseconds;
using testing::Accepted;
using testing::Refusal;

// One cluster "web" whose extra fields are `cluster` (indented for it).
v1::Bootstrap Parse(const std::string& cluster) { return testing::WebCluster(cluster); }

const Cluster& Built(const v1::Bootstrap& b, std::shared_ptr<const Snapshot>& keep) {
  return testing::AcceptedWeb(b, keep);
}

TEST(OutlierDetectionTest, AbsentMeansNoneAndThePanicThresholdIsEnvoys) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse(""), keep);
  EXPECT_FALSE(c.outlier_detection.has_value());
  EXPECT_EQ(c.healthy_panic_threshold, 50);
}

TEST(OutlierDetectionTest, EmptyTakesEnvoysDefaults) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse("    outlier_detection: {}"), keep);
  ASSERT_TRUE(c.outlier_detection.has_value());
  const OutlierDetection& o = *c.outlier_detection;
  EXPECT_EQ(o.consecutive_5xx, 5u);
  EXPECT_EQ(o.interval, milliseconds(10000));
  EXPECT_EQ(o.base_ejection_time, milliseconds(30000));
  EXPECT_EQ(o.max_ejection_time, milliseconds(300000));
  EXPECT_EQ(o.max_ejection_percent, 10u);
  EXPECT_EQ(o.enforcing_consecutive_5xx, 100u);
  EXPECT_EQ(o.enforcing_consecutive_gateway_failure, 0u);
  EXPECT_EQ(o.success_rate_stdev_factor, 1900u);
  EXPECT_EQ(o.failure_percentage_threshold, 85u);
  EXPECT_EQ(o.enforcing_failure_percentage, 0u);
  EXPECT_FALSE(o.split_external_local_origin_errors);
  EXPECT_TRUE(o.successful_active_health_check_uneject_host);
}

TEST(OutlierDetectionTest, FieldsAreTaken) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse(R"(    outlier_detection:
      consecutive_5xx: 3
      interval: 0.5s
      base_ejection_time: 2s
      max_ejection_time: 10s
      max_ejection_percent: 100
      split_external_local_origin_errors: true
      consecutive_local_origin_failure: 2
      enforcing_failure_percentage: 50
      successful_active_health_check_uneject_host: false
    common_lb_config: {healthy_panic_threshold: 0})"),
                           keep);
  const OutlierDetection& o = *c.outlier_detection;
  EXPECT_EQ(o.consecutive_5xx, 3u);
  EXPECT_EQ(o.interval, milliseconds(500));
  EXPECT_EQ(o.base_ejection_time, milliseconds(2000));
  EXPECT_EQ(o.max_ejection_time, milliseconds(10000));
  EXPECT_EQ(o.max_ejection_percent, 100u);
  EXPECT_TRUE(o.split_external_local_origin_errors);
  EXPECT_EQ(o.consecutive_local_origin_failure, 2u);
  EXPECT_EQ(o.enforcing_failure_percentage, 50u);
  EXPECT_FALSE(o.successful_active_health_check_uneject_host);
  EXPECT_EQ(c.healthy_panic_threshold, 0);
}

TEST(OutlierDetectionTest, ALongBaseRaisesTheDefaultCap) {
  std::shared_ptr<const Snapshot> keep;
  const Cluster& c = Built(Parse("    outlier_detection: {base_ejection_time: 600s}"), keep);
  EXPECT_EQ(c.outlier_detection->max_ejection_time, milliseconds(600000));
}

TEST(OutlierDetectionTest, RefusalsNameTheField) {
  const std::string od = "static_resources.clusters[0].outlier_detection.";
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {max_ejection_percent: 101}")),
            od + "max_ejection_percent: 101 is out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {enforcing_consecutive_5xx: 200}")),
            od + "enforcing_consecutive_5xx: 200 is out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {consecutive_5xx: 0}")),
            od + "consecutive_5xx: 0 is out of range (1-4294967295)");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {interval: 0s}")), od + "interval: must be greater than 0s");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {base_ejection_time: -1s}")),
            od + "base_ejection_time: must not be negative");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {base_ejection_time: 30s, max_ejection_time: 10s}")),
            od + "max_ejection_time: must be at least base_ejection_time (30000ms)");
  EXPECT_EQ(Refusal(Parse("    outlier_detection: {failure_percentage_threshold: 150}")),
            od + "failure_percentage_threshold: 150 is out of range (0-100)");
  EXPECT_EQ(Refusal(Parse("    common_lb_config: {healthy_panic_threshold: 120}")),
            "static_resources.clusters[0].common_lb_config.healthy_panic_threshold.value: 120 is out of range (0-100)");
}

}  // namespace
}  // namespace tether::config
