#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "src/common/stats.h"

namespace tether::controlplane {

// tether-control's Prometheus metrics (docs/controlplane.md), in the
// sidecar's stat types and written by the same writer
// (src/common/prometheus_writer.h). The stats are atomics so the gRPC threads
// update them without the Hub's lock; the gauges (connected proxies,
// resources by kind) are passed in when rendering.
class Metrics {
 public:
  void CountPush() { pushes_.Inc(); }
  void CountNack() { nacks_.Inc(); }
  // A response over --max-message-bytes, held back.
  void CountOversized() { oversized_.Inc(); }
  // Time from a change of the served config to a sidecar's ACK of it.
  void ObservePushLatency(std::chrono::nanoseconds latency) { push_latency_.Record(latency); }

  uint64_t pushes() const { return pushes_.Value(); }
  uint64_t nacks() const { return nacks_.Value(); }
  uint64_t oversized() const { return oversized_.Value(); }
  stats::HistogramSnapshot push_latency() const { return push_latency_.Read(); }

  // The Prometheus text exposition format (version 0.0.4). shadowed_file_changes:
  // directory resources whose content differs from the applied override that is served instead.
  // config_dir_errors: files of the config directory its last read refused.
  std::string Render(int connected_proxies, const std::map<std::string, int>& resources_by_kind,
                     size_t shadowed_file_changes, size_t config_dir_errors = 0) const;

 private:
  // 1 ms .. 5 s, shown in seconds.
  static constexpr std::array<double, 12> kPushLatencyBucketsMs = {1,   2.5, 5,    10,   25,   50,
                                                                   100, 250, 500, 1000, 2500, 5000};
  stats::Counter pushes_;
  stats::Counter nacks_;
  stats::Counter oversized_;
  stats::Histogram push_latency_{0, kPushLatencyBucketsMs};
};

}  // namespace tether::controlplane
