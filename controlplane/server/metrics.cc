#include "controlplane/server/metrics.h"

#include "absl/strings/str_cat.h"

namespace tether::controlplane {

void Metrics::ObservePushLatency(std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

std::string Metrics::Render(int connected_proxies, const std::map<std::string, int>& resources_by_kind,
                            size_t shadowed_file_changes, size_t config_dir_errors) const {
  std::string out;
  absl::StrAppend(&out, "# HELP tether_control_connected_proxies Sidecars with an open ADS stream.\n",
                  "# TYPE tether_control_connected_proxies gauge\n", "tether_control_connected_proxies ",
                  connected_proxies, "\n");
  absl::StrAppend(&out, "# HELP tether_control_pushes_total xDS responses sent.\n",
                  "# TYPE tether_control_pushes_total counter\n", "tether_control_pushes_total ", pushes(), "\n");
  absl::StrAppend(&out, "# HELP tether_control_nacks_total Responses sidecars refused.\n",
                  "# TYPE tether_control_nacks_total counter\n", "tether_control_nacks_total ", nacks(), "\n");
  absl::StrAppend(&out,
                  "# HELP tether_control_oversized_responses_total Responses not sent: over --max-message-bytes.\n",
                  "# TYPE tether_control_oversized_responses_total counter\n",
                  "tether_control_oversized_responses_total ", oversized(), "\n");
  absl::StrAppend(&out,
                  "# HELP tether_control_push_latency_seconds From a change of the served config to a sidecar's "
                  "ACK of it.\n",
                  "# TYPE tether_control_push_latency_seconds histogram\n");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    absl::StrAppend(&out, "tether_control_push_latency_seconds_bucket{le=\"", kBuckets[i], "\"} ", cumulative, "\n");
  }
  cumulative += buckets_.back().load(std::memory_order_relaxed);
  absl::StrAppend(&out, "tether_control_push_latency_seconds_bucket{le=\"+Inf\"} ", cumulative, "\n");
  absl::StrAppend(&out, "tether_control_push_latency_seconds_sum ",
                  static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9, "\n");
  absl::StrAppend(&out, "tether_control_push_latency_seconds_count ", latency_count_.load(std::memory_order_relaxed),
                  "\n");
  absl::StrAppend(&out, "# HELP tether_control_resources Resources served, by kind.\n",
                  "# TYPE tether_control_resources gauge\n");
  for (const auto& [kind, n] : resources_by_kind) {
    absl::StrAppend(&out, "tether_control_resources{kind=\"", kind, "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP tether_control_shadowed_file_changes Config-directory resources whose content differs "
                  "from the applied override served instead (tetherctl revert serves the file).\n",
                  "# TYPE tether_control_shadowed_file_changes gauge\n", "tether_control_shadowed_file_changes ",
                  shadowed_file_changes, "\n");
  absl::StrAppend(&out,
                  "# HELP tether_control_config_dir_errors Config-directory files the last read refused "
                  "(tetherctl status lists them).\n",
                  "# TYPE tether_control_config_dir_errors gauge\n", "tether_control_config_dir_errors ",
                  config_dir_errors, "\n");
  return out;
}

}  // namespace tether::controlplane
