#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace tether::upstream {

// Why a host is out of load balancing: Envoy's health flags, as /clusters shows them.
enum class HealthFlag : uint32_t {
  kFailedOutlierCheck = 1u << 0,  // ejected by outlier detection
  kFailedActiveHc = 1u << 1,      // failed active health checks (or has not passed its first yet)
  kFailedEdsHealth = 1u << 2,     // the control plane says so (EDS health_status)
};

// Outlier detection's running counts for one host, written by every worker that sends it requests
// (relaxed atomics: each is a count on its own) and read by the main thread's sweep.
struct OutlierCounts {
  std::atomic<uint32_t> consecutive_5xx{0};
  std::atomic<uint32_t> consecutive_gateway_failure{0};
  std::atomic<uint32_t> consecutive_local_origin_failure{0};
  // This interval's results (success rate and failure percentage), external and local origin.
  std::atomic<uint64_t> external_success{0};
  std::atomic<uint64_t> external_failure{0};
  std::atomic<uint64_t> local_success{0};
  std::atomic<uint64_t> local_failure{0};
};

// One host's health as every worker sees it: flags set by outlier detection, active health checks
// and EDS (ClusterHealth::SetFlag), read by load balancers on each pick.
class HostHealth {
 public:
  explicit HostHealth(std::string key) : key_(std::move(key)) {}
  HostHealth(const HostHealth&) = delete;
  HostHealth& operator=(const HostHealth&) = delete;

  const std::string& key() const { return key_; }  // "ip:port"
  uint32_t flags() const { return flags_.load(std::memory_order_relaxed); }
  bool Has(HealthFlag flag) const { return (flags() & static_cast<uint32_t>(flag)) != 0; }
  bool healthy() const { return flags() == 0; }
  OutlierCounts& outlier() { return outlier_; }

 private:
  friend class ClusterHealth;
  const std::string key_;
  std::atomic<uint32_t> flags_{0};
  OutlierCounts outlier_;
};

}  // namespace tether::upstream
