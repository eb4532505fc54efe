#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace tether::controlplane {

// tether-control's Prometheus metrics (docs/controlplane.md). Counters are
// atomics so the gRPC threads update them without the Hub's lock; the gauges
// (connected proxies, resources by kind) are passed in when rendering.
class Metrics {
 public:
  void CountPush() { pushes_.fetch_add(1, std::memory_order_relaxed); }
  void CountNack() { nacks_.fetch_add(1, std::memory_order_relaxed); }
  // A response over --max-message-bytes, held back.
  void CountOversized() { oversized_.fetch_add(1, std::memory_order_relaxed); }
  // Time from a change of the served config to a sidecar's ACK of it.
  void ObservePushLatency(std::chrono::nanoseconds latency);

  uint64_t pushes() const { return pushes_.load(std::memory_order_relaxed); }
  uint64_t nacks() const { return nacks_.load(std::memory_order_relaxed); }
  uint64_t oversized() const { return oversized_.load(std::memory_order_relaxed); }

  // The Prometheus text exposition format (version 0.0.4). shadowed_file_changes:
  // directory resources whose content differs from the applied override that is served instead.
  // config_dir_errors: files of the config directory its last read refused.
  std::string Render(int connected_proxies, const std::map<std::string, int>& resources_by_kind,
                     size_t shadowed_file_changes, size_t config_dir_errors = 0) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   5};
  std::atomic<uint64_t> pushes_{0};
  std::atomic<uint64_t> nacks_{0};
  std::atomic<uint64_t> oversized_{0};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets_{};  // the last is +Inf
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_ns_{0};
};

}  // namespace tether::controlplane
