#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_health.h"

namespace tether::upstream {

// Envoy's outlier detection (passive health checking) of one cluster, shared by every worker.
// Workers report each try's result; a consecutive-failure threshold reached ejects the host at
// once (the flag every worker's load balancer reads). The main thread's Sweep, every interval,
// ends ejections whose time is up and ejects by success rate and failure percentage. Counting is
// lock-free; an ejection or a sweep takes the ClusterHealth mutex. The detector keeps its own copy
// of the cluster's outlier_detection (Configure, main thread): a request reporting late, after the
// config it was picked under went, reads nothing freed and cannot eject once detection is off.
class OutlierDetector {
 public:
  using Clock = ClusterHealth::Clock;
  // A result of Tether's own making, not the upstream's answer.
  enum class LocalOrigin { kConnectFailed, kTimeout, kReset, kSuccess };
  enum class EjectionType {
    kConsecutive5xx,
    kConsecutiveGatewayFailure,
    kConsecutiveLocalOriginFailure,
    kSuccessRate,
    kSuccessRateLocalOrigin,
    kFailurePercentage,
    kFailurePercentageLocalOrigin,
  };
  static constexpr std::size_t kEjectionTypes = 7;

  OutlierDetector(ClusterHealth& health, stats::Store& store, const std::string& cluster);

  // The cluster's outlier_detection (main thread, each snapshot); none: off, and every ejection ends.
  void Configure(const std::optional<config::OutlierDetection>& config);
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // The upstream's answer to a try (external origin). Nothing when detection is off.
  void ReportStatus(HostHealth& host, unsigned status);
  // A connect failure, timeout or reset of a try, or (with split_external_local_origin_errors) a
  // try that got its answer. Without the split, failures count as 503/504 answers (Envoy's).
  void ReportLocal(HostHealth& host, LocalOrigin result);
  // Main thread, once per interval.
  void Sweep();
  // An active health check passed: the ejection ends (successful_active_health_check_uneject_host).
  void OnActiveCheckPassed(HostHealth& host);

  // Tests: a clock and a roll of 0..99 (enforcing_* percentages, jitter) of their own.
  void SetClockForTest(std::function<Clock::time_point()> now) { now_ = std::move(now); }
  void SetRollForTest(std::function<uint32_t()> roll) { roll_ = std::move(roll); }

 private:
  // The thresholds a report compares with, read without the mutex.
  struct Thresholds {
    std::atomic<uint32_t> consecutive_5xx{5};
    std::atomic<uint32_t> consecutive_gateway_failure{5};
    std::atomic<uint32_t> consecutive_local_origin_failure{5};
    std::atomic<bool> split{false};
  };
  void ReportExternal(HostHealth& host, unsigned status);
  void Eject(HostHealth& host, EjectionType type);
  void EjectLocked(HostHealth& host, EjectionType type, Clock::time_point now);
  void UnejectLocked(HostHealth& host, ClusterHealth::Ejection& ejection, Clock::time_point now);
  // Success rate and failure percentage of one origin's counts this interval.
  void EjectByRates(bool local, Clock::time_point now);
  void PublishLocked();
  uint32_t Enforcing(EjectionType type) const;  // with the mutex held

  ClusterHealth& health_;
  std::atomic<bool> enabled_{false};
  Thresholds thresholds_;
  config::OutlierDetection config_;  // under the ClusterHealth mutex
  stats::Gauge& ejections_active_;
  stats::Counter& ejections_enforced_total_;
  stats::Counter& ejections_overflow_;
  std::array<stats::Counter*, kEjectionTypes> enforced_{};
  std::array<stats::Counter*, kEjectionTypes> detected_{};
  std::function<Clock::time_point()> now_;
  std::function<uint32_t()> roll_;
};

}  // namespace tether::upstream
