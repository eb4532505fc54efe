#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
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

// Counters and gauges are one atomic shared by every thread, as Envoy's are:
// a copy per worker would multiply the memory of every stat by the worker
// count, and a gauge's Set() has no per-worker meaning
// (docs/decisions/0026-per-worker-stats.md).
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

// This thread is worker `index` (0-based) from now on: its histogram samples
// go to slot index + 1 of every histogram that has one. Called once by each
// worker thread as it starts; every other thread records into slot 0.
void BindWorkerThread(size_t index) noexcept;

// A histogram merged over its slots at one moment: a plain value that every
// reader (the admin /stats text and JSON, Prometheus) prints.
struct HistogramSnapshot {
  std::vector<double> bounds_ms;     // bucket upper bounds, ascending
  std::vector<uint64_t> cumulative;  // samples <= bounds_ms[i]
  uint64_t count = 0;                // all samples (the +Inf bucket)
  double sum_ms = 0;
};

// Duration samples in fixed buckets, one set of buckets per worker (as
// Envoy's thread-local histograms): a worker writes only its own slot, which
// starts on a cache line of its own, so workers never contend for a line on
// the request path. Read() merges the slots. Every slot word is a relaxed
// atomic, so a reader racing with writers is defined (it may miss samples
// still being written) and a thread sharing slot 0 with others stays exact.
class Histogram {
 public:
  // Envoy's default buckets, in milliseconds.
  static constexpr std::array<double, 19> kBucketsMs = {
      0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
      30000, 60000, 300000, 600000, 1800000, 3600000};
  using Snapshot = HistogramSnapshot;

  // `workers`: how many worker threads record (slots 1..workers; slot 0 is
  // everyone else's). `bounds_ms` must be ascending; it is copied.
  explicit Histogram(size_t workers = 0, std::span<const double> bounds_ms = kBucketsMs);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Record(std::chrono::nanoseconds d) noexcept;
  Snapshot Read() const;
  std::span<const double> bounds_ms() const noexcept { return bounds_ms_; }

 private:
  // Slot starts are 128 bytes apart at least: adjacent-line prefetchers pull
  // 64-byte lines in pairs, so a 64-byte boundary alone would still be shared.
  static constexpr size_t kSlotAlign = 128;
  struct alignas(kSlotAlign) Block {
    std::array<std::atomic<uint64_t>, kSlotAlign / sizeof(uint64_t)> words{};
  };
  std::atomic<uint64_t>& Word(size_t slot, size_t i) const noexcept;

  std::vector<double> bounds_ms_;
  std::vector<int64_t> bounds_ns_;  // the same bounds, compared with a sample as integers
  size_t slots_;
  size_t blocks_per_slot_;  // a slot: bounds + 1 buckets (the last is +Inf), then the sum in microseconds
  std::unique_ptr<Block[]> blocks_;
};

// The 1xx..5xx counters of a response status, in that order; anything else
// (including 0, no response at all) counts as 5xx, as Envoy's do.
inline void CountStatusClass(unsigned status, const std::array<Counter*, 5>& by_class) {
  const unsigned cls = status / 100;
  by_class[cls >= 1 && cls <= 4 ? cls - 1 : 4]->Inc();
}

}  // namespace tether::stats
