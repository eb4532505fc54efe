#include "src/common/stats.h"

#include <algorithm>

namespace tether::stats {

void Histogram::Record(std::chrono::microseconds d) noexcept {
  const double ms = static_cast<double>(d.count()) / 1000.0;
  const auto it = std::lower_bound(kBucketsMs.begin(), kBucketsMs.end(), ms);
  buckets_[static_cast<size_t>(it - kBucketsMs.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, d.count())), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const noexcept {
  Snapshot s;
  uint64_t running = 0;
  for (size_t i = 0; i < kBucketsMs.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // count is read after the buckets so a reader never sees count < last bucket.
  s.count = std::max(running + buckets_.back().load(std::memory_order_relaxed),
                     count_.load(std::memory_order_relaxed));
  s.sum_ms = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1000.0;
  return s;
}

}  // namespace tether::stats
