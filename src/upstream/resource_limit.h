#pragma once

#include <atomic>
#include <cstdint>

#include "src/common/stats.h"

namespace tether::upstream {

// One circuit breaker limit (Envoy's ResourceManager resource): a count shared by every worker,
// taken only while it is under the maximum. Lock-free; the gauges follow the count.
class ResourceLimit {
 public:
  explicit ResourceLimit(uint64_t max = UINT64_MAX) : max_(max) {}
  ResourceLimit(const ResourceLimit&) = delete;
  ResourceLimit& operator=(const ResourceLimit&) = delete;

  // `open` is 1 while the count is at the maximum; `remaining` (null: not tracked) is what is left.
  void BindGauges(stats::Gauge* open, stats::Gauge* remaining);
  void SetMax(uint64_t max);

  // Counts one more if the count is under the maximum (`max`: this call's own, for a budget).
  bool TryAcquire() { return TryAcquire(max_.load(std::memory_order_relaxed)); }
  bool TryAcquire(uint64_t max);
  void Release();
  bool CanAcquire() const { return count() < max(); }

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }

 private:
  // Sets the gauges from the count, again if it changed meanwhile: the last writer leaves them
  // true at rest. A gauge already right is not written (its cache line stays shared).
  void Publish();

  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> max_;
  std::atomic<stats::Gauge*> open_{nullptr};
  std::atomic<stats::Gauge*> remaining_{nullptr};
};

}  // namespace tether::upstream
