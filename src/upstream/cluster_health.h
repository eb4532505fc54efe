#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/common/stats.h"
#include "src/config/snapshot.h"
#include "src/upstream/host_health.h"

namespace tether::upstream {

// The health of one cluster's hosts, shared by every worker (it lives in the cluster's
// ClusterResources): outlier detection and active health checks set flags here, and each
// worker's load balancer reads them on every pick, so a host ejected or failed is skipped by every
// worker at once, without a new config snapshot. Flags are atomics; the host set and the
// ejection bookkeeping take a mutex (updates and state changes only, never a healthy pick).
class ClusterHealth {
 public:
  using Clock = std::chrono::steady_clock;
  // Outlier detection's bookkeeping of one host (under the mutex).
  struct Ejection {
    uint32_t count = 0;  // the multiplier of base_ejection_time
    Clock::time_point at{};
    Clock::duration lasts{};
    Clock::time_point last_change{};
  };

  // The record of `key` ("ip:port"), made on first use; each worker holds its hosts'.
  std::shared_ptr<HostHealth> Host(const std::string& key);
  // The cluster's hosts now (each snapshot): the records of hosts that left are dropped, and the
  // EDS health status of each applied (failed_eds_health).
  void SetHosts(const std::vector<config::Host>& hosts);
  // Sets or clears `flag` of `host`; whether it changed. Any thread.
  bool SetFlag(HostHealth& host, HealthFlag flag, bool on);

  // Hosts with any flag set: 0, the common case, spares the load balancer a look at each host.
  uint32_t unhealthy() const { return unhealthy_.load(std::memory_order_relaxed); }
  std::size_t size() const;

  // `gauge` follows the number of healthy hosts (Envoy's membership_healthy).
  void BindHealthyGauge(stats::Gauge* gauge);

  // Calls `fn` for each host of the cluster under the mutex (/clusters, tests).
  void ForEach(const std::function<void(HostHealth&, Ejection&)>& fn);

  // With the mutex held (Lock()): outlier detection's ejections and sweeps, which must see the
  // host set and the ejection counts as one.
  std::unique_lock<std::mutex> Lock() { return std::unique_lock(mu_); }
  void ForEachLocked(const std::function<void(HostHealth&, Ejection&)>& fn);
  bool SetFlagLocked(HostHealth& host, HealthFlag flag, bool on);
  // `host`'s bookkeeping; null when it is no longer one of the cluster's.
  Ejection* FindLocked(const HostHealth& host);
  std::size_t CountLocked(HealthFlag flag) const;
  std::size_t SizeLocked() const { return hosts_.size(); }

 private:
  struct Entry {
    std::shared_ptr<HostHealth> host;
    Ejection ejection;
  };
  void PublishLocked();

  mutable std::mutex mu_;
  std::map<std::string, Entry> hosts_;
  std::atomic<uint32_t> unhealthy_{0};
  stats::Gauge* healthy_gauge_ = nullptr;  // under mu_
};

}  // namespace tether::upstream
