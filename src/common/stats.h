#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tether::stats {

// Stats are the only mutable state workers share, so every one is an atomic.
// A stat has a family ("cluster.upstream_rq_total") and tags ({"cluster_name",
// "web"}); the flat Envoy-style name puts the tag values after the family's
// first segment: "cluster.web.upstream_rq_total". Prometheus sees
// tether_cluster_upstream_rq_total{cluster_name="web"}.
using Tags = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Inc(int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void Dec(int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
  void Set(int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  int64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Fixed buckets in milliseconds, Envoy's defaults.
class Histogram {
 public:
  static constexpr std::array<double, 19> kBucketsMs = {
      0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
      30000, 60000, 300000, 600000, 1800000, 3600000};

  struct Snapshot {
    std::array<uint64_t, kBucketsMs.size()> cumulative{};  // count <= bucket bound
    uint64_t count = 0;
    double sum_ms = 0;
  };

  void Record(std::chrono::microseconds d) noexcept;
  Snapshot Read() const noexcept;

 private:
  std::array<std::atomic<uint64_t>, kBucketsMs.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

// The 1xx..5xx counters of a response status, in that order; anything else
// (including 0, no response at all) counts as 5xx, as Envoy's do.
inline void CountStatusClass(unsigned status, const std::array<Counter*, 5>& by_class) {
  const unsigned cls = status / 100;
  by_class[cls >= 1 && cls <= 4 ? cls - 1 : 4]->Inc();
}

}  // namespace tether::stats
