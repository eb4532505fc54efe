#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_health.h"

namespace tether::upstream {

// Envoy's outlier detection (passive health checking) of one cluster, shared by every worker.
// Workers report each try's result; a consecutive-failure threshold reached ejects the host at
// once (the flag every worker's load balancer reads). The main thread's Sweep, every interval,
// ends ejections whose time is up and ejects by success rate and failure percentage. Counting is
// lock-free; an ejection or a sweep takes the ClusterHealth mutex.
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

  // The upstream's answer to a try (external origin).
  void ReportStatus(HostHealth& host, unsigned status, const config::OutlierDetection& config);
  // A connect failure, timeout or reset of a try, or (with split_external_local_origin_errors) a
  // try that got its answer. Without the split, failures count as 503/504 answers (Envoy's).
  void ReportLocal(HostHealth& host, LocalOrigin result, const config::OutlierDetection& config);
  // Main thread, once per interval.
  void Sweep(const config::OutlierDetection& config);
  // An active health check passed: the ejection ends (successful_active_health_check_uneject_host).
  void OnActiveCheckPassed(HostHealth& host, const config::OutlierDetection& config);
  // Ends every ejection (outlier detection was removed from the cluster).
  void UnejectAll();

  // Tests: a clock and a roll of 0..99 (enforcing_* percentages, jitter) of their own.
  void SetClockForTest(std::function<Clock::time_point()> now) { now_ = std::move(now); }
  void SetRollForTest(std::function<uint32_t()> roll) { roll_ = std::move(roll); }

 private:
  void Eject(HostHealth& host, EjectionType type, uint32_t enforcing, const config::OutlierDetection& config);
  void EjectLocked(HostHealth& host, EjectionType type, uint32_t enforcing, const config::OutlierDetection& config,
                   Clock::time_point now);
  // Success rate and failure percentage of one origin's counts this interval.
  void EjectByRates(bool local, const config::OutlierDetection& config, Clock::time_point now);
  void PublishLocked();

  ClusterHealth& health_;
  stats::Gauge& ejections_active_;
  stats::Counter& ejections_enforced_total_;
  stats::Counter& ejections_overflow_;
  std::array<stats::Counter*, kEjectionTypes> enforced_{};
  std::array<stats::Counter*, kEjectionTypes> detected_{};
  std::function<Clock::time_point()> now_;
  std::function<uint32_t()> roll_;
};

}  // namespace tether::upstream
