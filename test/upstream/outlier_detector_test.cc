#include "src/upstream/outlier_detector.h"

#include <gtest/gtest.h>

#include <vector>

namespace tether::upstream {
namespace {

using std::chrono::milliseconds;
using Origin = OutlierDetector::LocalOrigin;

class OutlierDetectorTest : public ::testing::Test {
 protected:
  OutlierDetectorTest() {
    detector_.SetClockForTest([this] { return now_; });
    detector_.SetRollForTest([this] { return roll_; });
    config_.consecutive_5xx = 3;
    config_.interval = milliseconds(100);
    config_.base_ejection_time = milliseconds(1000);
    config_.max_ejection_time = milliseconds(2500);
    config_.max_ejection_percent = 50;
  }
  void Hosts(int n) {
    std::vector<config::Host> hosts;
    for (int i = 0; i < n; ++i) hosts.push_back({"10.0.0." + std::to_string(i + 1), 80, 1});
    health_.SetHosts(hosts);
  }
  HostHealth& Host(int i) { return *health_.Host("10.0.0." + std::to_string(i) + ":80"); }
  // The detector takes config_ as it is now (tests change it as they go).
  void Apply() { detector_.Configure(config_); }
  void Report(int host, unsigned status, int times = 1) {
    Apply();
    for (int i = 0; i < times; ++i) detector_.ReportStatus(Host(host), status);
  }
  void Local(int host, Origin result) {
    Apply();
    detector_.ReportLocal(Host(host), result);
  }
  bool Ejected(int host) { return Host(host).Has(HealthFlag::kFailedOutlierCheck); }
  void Advance(milliseconds by) {
    Apply();
    now_ += by;
    detector_.Sweep();
  }
  uint64_t Counter(const std::string& name) {
    return store_.CounterFor("cluster.outlier_detection." + name, {{"cluster_name", "web"}}).Value();
  }
  int64_t Active() {
    return store_.GaugeFor("cluster.outlier_detection.ejections_active", {{"cluster_name", "web"}}).Value();
  }

  stats::Store store_;
  ClusterHealth health_;
  OutlierDetector detector_{health_, store_, "web"};
  config::OutlierDetection config_;
  ClusterHealth::Clock::time_point now_{};
  uint32_t roll_ = 0;
};

TEST_F(OutlierDetectorTest, Consecutive5xxEjectsAtTheThreshold) {
  Hosts(2);
  Report(1, 500, 2);
  EXPECT_FALSE(Ejected(1));
  Report(1, 503);
  EXPECT_TRUE(Ejected(1));
  EXPECT_EQ(health_.unhealthy(), 1u);
  EXPECT_EQ(Counter("ejections_enforced_total"), 1u);
  EXPECT_EQ(Counter("ejections_enforced_consecutive_5xx"), 1u);
  EXPECT_EQ(Counter("ejections_detected_consecutive_5xx"), 1u);
  EXPECT_EQ(Active(), 1);
}

TEST_F(OutlierDetectorTest, ASuccessEndsTheRun) {
  Hosts(2);
  Report(1, 500, 2);
  Report(1, 404);  // a 4xx is the upstream answering
  Report(1, 500, 2);
  EXPECT_FALSE(Ejected(1));
}

TEST_F(OutlierDetectorTest, TheEjectionEndsAfterBaseTimesCountCappedAtMax) {
  Hosts(2);
  Report(1, 500, 3);
  Advance(milliseconds(900));
  EXPECT_TRUE(Ejected(1));
  Advance(milliseconds(100));
  EXPECT_FALSE(Ejected(1));  // 1 x 1000ms
  EXPECT_EQ(Active(), 0);
  Report(1, 500, 3);  // second ejection: 2 x 1000ms
  Advance(milliseconds(1900));
  EXPECT_TRUE(Ejected(1));
  Advance(milliseconds(100));
  EXPECT_FALSE(Ejected(1));
  Report(1, 500, 3);  // third: 3 x 1000ms, capped at 2500ms
  Advance(milliseconds(2400));
  EXPECT_TRUE(Ejected(1));
  Advance(milliseconds(100));
  EXPECT_FALSE(Ejected(1));
}

TEST_F(OutlierDetectorTest, AHostBackForIntervalsEarnsEjectionsBack) {
  Hosts(2);
  Report(1, 500, 3);
  Advance(milliseconds(1000));
  ASSERT_FALSE(Ejected(1));
  // Healthy for a few intervals: the count drops back to 0, so the next ejection lasts 1 x base.
  for (int i = 0; i < 3; ++i) Advance(milliseconds(100));
  Report(1, 500, 3);
  Advance(milliseconds(1000));
  EXPECT_FALSE(Ejected(1));
}

TEST_F(OutlierDetectorTest, MaxEjectionPercentHoldsButOneHostAlwaysMayBeEjected) {
  Hosts(4);
  config_.max_ejection_percent = 10;  // 10% of 4 hosts is less than one
  Report(1, 500, 3);
  EXPECT_TRUE(Ejected(1));
  Report(2, 500, 3);
  EXPECT_FALSE(Ejected(2));
  EXPECT_EQ(Counter("ejections_overflow"), 1u);
  config_.max_ejection_percent = 50;
  Report(2, 500, 3);
  EXPECT_TRUE(Ejected(2));
  Report(3, 500, 3);
  EXPECT_FALSE(Ejected(3));  // 3 of 4 would be 75%
}

TEST_F(OutlierDetectorTest, EnforcingDecidesWhetherADetectionEjects) {
  Hosts(2);
  config_.enforcing_consecutive_5xx = 30;
  roll_ = 30;  // rolls 0..99: 30 and above is not enforced
  Report(1, 500, 3);
  EXPECT_FALSE(Ejected(1));
  EXPECT_EQ(Counter("ejections_detected_consecutive_5xx"), 1u);
  EXPECT_EQ(Counter("ejections_enforced_consecutive_5xx"), 0u);
  roll_ = 29;
  Report(1, 500, 3);
  EXPECT_TRUE(Ejected(1));
}

TEST_F(OutlierDetectorTest, GatewayFailuresAreDetectedButNotEnforcedByDefault) {
  Hosts(2);
  config_.consecutive_5xx = 100;
  config_.consecutive_gateway_failure = 2;
  Report(1, 502);
  Report(1, 504);
  EXPECT_EQ(Counter("ejections_detected_consecutive_gateway_failure"), 1u);
  EXPECT_FALSE(Ejected(1));
  config_.enforcing_consecutive_gateway_failure = 100;
  Report(1, 500);  // not a gateway failure: that run starts again
  Report(1, 503);
  EXPECT_FALSE(Ejected(1));
  Report(1, 503);
  EXPECT_TRUE(Ejected(1));
  EXPECT_EQ(Counter("ejections_enforced_consecutive_gateway_failure"), 1u);
}

TEST_F(OutlierDetectorTest, LocalOriginFailuresCountAs5xxUnlessSplit) {
  Hosts(2);
  config_.max_ejection_percent = 100;
  Local(1, Origin::kConnectFailed);
  Local(1, Origin::kTimeout);
  Local(1, Origin::kReset);
  EXPECT_TRUE(Ejected(1));
  config_.split_external_local_origin_errors = true;
  config_.consecutive_local_origin_failure = 2;
  Local(2, Origin::kConnectFailed);
  Report(2, 500, 2);  // external: its own run, and a local success does not end it
  Local(2, Origin::kSuccess);
  Local(2, Origin::kConnectFailed);
  EXPECT_FALSE(Ejected(2));
  Local(2, Origin::kTimeout);
  EXPECT_TRUE(Ejected(2));
  EXPECT_EQ(Counter("ejections_enforced_consecutive_local_origin_failure"), 1u);
}

TEST_F(OutlierDetectorTest, SuccessRateEjectsTheOutlier) {
  Hosts(5);
  config_.consecutive_5xx = 1000;
  config_.success_rate_request_volume = 100;
  config_.success_rate_minimum_hosts = 5;
  config_.max_ejection_percent = 100;
  for (int h = 1; h <= 4; ++h) Report(h, 200, 100);
  Report(5, 200, 50);
  Report(5, 500, 50);
  Advance(milliseconds(100));
  EXPECT_TRUE(Ejected(5));
  for (int h = 1; h <= 4; ++h) EXPECT_FALSE(Ejected(h));
  EXPECT_EQ(Counter("ejections_enforced_success_rate"), 1u);
}

TEST_F(OutlierDetectorTest, SuccessRateNeedsEnoughHostsWithEnoughRequests) {
  Hosts(5);
  config_.consecutive_5xx = 1000;
  for (int h = 1; h <= 3; ++h) Report(h, 200, 100);
  Report(4, 200, 99);  // under success_rate_request_volume
  Report(5, 500, 100);
  Advance(milliseconds(100));
  EXPECT_FALSE(Ejected(5));  // four hosts judged, five needed
  EXPECT_EQ(Counter("ejections_detected_success_rate"), 0u);
}

TEST_F(OutlierDetectorTest, FailurePercentageEjectsWhenEnforced) {
  Hosts(5);
  config_.consecutive_5xx = 1000;
  config_.max_ejection_percent = 100;
  config_.success_rate_minimum_hosts = 100;  // success rate out of the way
  config_.enforcing_failure_percentage = 100;
  config_.failure_percentage_minimum_hosts = 2;
  config_.failure_percentage_threshold = 50;
  Report(1, 200, 60);
  Report(2, 500, 40);
  Report(2, 200, 20);  // 66% failures
  Report(3, 500, 10);  // under failure_percentage_request_volume (50)
  Advance(milliseconds(100));
  EXPECT_FALSE(Ejected(1));
  EXPECT_TRUE(Ejected(2));
  EXPECT_FALSE(Ejected(3));
  EXPECT_EQ(Counter("ejections_enforced_failure_percentage"), 1u);
}

TEST_F(OutlierDetectorTest, APassingActiveCheckAndRemovalUneject) {
  Hosts(3);
  config_.max_ejection_percent = 100;
  Report(1, 500, 3);
  Report(2, 500, 3);
  Apply();
  detector_.OnActiveCheckPassed(Host(1));
  EXPECT_FALSE(Ejected(1));
  config_.successful_active_health_check_uneject_host = false;
  Apply();
  detector_.OnActiveCheckPassed(Host(2));
  EXPECT_TRUE(Ejected(2));
  detector_.Configure(std::nullopt);  // outlier detection removed from the cluster
  EXPECT_FALSE(Ejected(2));
  EXPECT_EQ(health_.unhealthy(), 0u);
  EXPECT_EQ(Active(), 0);
}

TEST_F(OutlierDetectorTest, AHostThatLeftIsNotEjected) {
  Hosts(2);
  std::shared_ptr<HostHealth> gone = health_.Host("10.0.0.2:80");
  Hosts(1);
  Apply();
  for (int i = 0; i < 3; ++i) detector_.ReportStatus(*gone, 500);
  EXPECT_FALSE(gone->Has(HealthFlag::kFailedOutlierCheck));
  EXPECT_EQ(health_.unhealthy(), 0u);
}

TEST_F(OutlierDetectorTest, OffMeansNoEjectionAndLateReportsAreIgnored) {
  Hosts(2);
  for (int i = 0; i < 5; ++i) detector_.ReportStatus(Host(1), 500);  // never configured
  EXPECT_FALSE(Ejected(1));
  Report(1, 500, 2);
  detector_.Configure(std::nullopt);
  detector_.ReportStatus(Host(1), 500);  // a try picked while detection was on answers after it went
  EXPECT_FALSE(Ejected(1));
  EXPECT_EQ(health_.unhealthy(), 0u);
}

TEST_F(OutlierDetectorTest, ZeroMaxEjectionPercentNeverEjects) {
  Hosts(2);
  config_.max_ejection_percent = 0;
  Report(1, 500, 3);
  EXPECT_FALSE(Ejected(1));
  EXPECT_EQ(Counter("ejections_overflow"), 1u);
}

TEST_F(OutlierDetectorTest, AnUnejectedHostStartsItsRunsAfresh) {
  Hosts(2);
  Report(1, 500, 3);
  ASSERT_TRUE(Ejected(1));
  Report(1, 500, 2);  // panic traffic, late answers: counted while it is out
  Advance(milliseconds(1000));
  ASSERT_FALSE(Ejected(1));
  Report(1, 500);
  EXPECT_FALSE(Ejected(1));  // one more is not a third in a row
  Report(1, 500, 2);
  EXPECT_TRUE(Ejected(1));
}

TEST_F(OutlierDetectorTest, FailurePercentageAtTheThresholdEjects) {
  Hosts(3);
  config_.consecutive_5xx = 1000;
  config_.max_ejection_percent = 100;
  config_.success_rate_minimum_hosts = 100;
  config_.enforcing_failure_percentage = 100;
  config_.failure_percentage_minimum_hosts = 1;
  config_.failure_percentage_threshold = 50;
  Report(1, 500, 50);
  Report(1, 200, 50);  // exactly 50%
  Report(2, 200, 100);
  Advance(milliseconds(100));
  EXPECT_TRUE(Ejected(1));
  EXPECT_FALSE(Ejected(2));
}

TEST_F(OutlierDetectorTest, EjectedHostsAreNotJudgedByRate) {
  Hosts(3);
  config_.consecutive_5xx = 3;
  config_.max_ejection_percent = 100;
  config_.success_rate_minimum_hosts = 100;
  config_.enforcing_failure_percentage = 100;
  config_.failure_percentage_minimum_hosts = 1;
  Report(1, 500, 3);
  ASSERT_EQ(Counter("ejections_enforced_total"), 1u);
  Report(1, 500, 60);  // panic traffic while it is out
  Advance(milliseconds(100));
  EXPECT_EQ(Counter("ejections_detected_failure_percentage"), 0u);
}

}  // namespace
}  // namespace tether::upstream
