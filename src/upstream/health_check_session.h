#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/transport/read_scratch.h"
#include "src/upstream/cluster_resources.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/health_probe.h"
#include "src/upstream/host_health.h"
#include "src/upstream/http_conn_pool.h"

namespace tether::upstream {

// Envoy's health check stats, per cluster: `cluster.<name>.health_check.*`.
struct HealthCheckStats {
  HealthCheckStats(stats::Store& store, const std::string& cluster);

  stats::Counter& attempt;
  stats::Counter& success;
  stats::Counter& failure;          // every failed probe, network failures included
  stats::Counter& network_failure;  // no answer: refused, reset, timed out
  stats::Counter& passive_failure;  // Envoy's passive health checking: never counted here
  stats::Counter& verify_cluster;   // Envoy's service_name_matcher: not supported, stays 0
  stats::Gauge& healthy;            // the cluster's hosts that passed (failed_active_hc clear)
  stats::Gauge& degraded;           // degraded answers are not supported: stays 0
};

// A cluster's check as its sessions use it: replaced, never changed in place, on a config update.
struct CheckSettings {
  config::HealthCheck check;
  HttpConnPool::Settings pool;  // the cluster's protocol and connection settings
};

// The probe connections' own stats (kept out of the cluster's upstream_*, as Envoy's probes) and
// read buffer. The stats pointers handed to the pools hold it, so it outlives every probe
// connection, which may close after its session and checker went.
struct ProbeResources {
  explicit ProbeResources(const std::string& cluster) : cluster_stats(store, cluster) {}
  stats::Store store;
  ClusterStats cluster_stats;
  transport::ReadScratch scratch;  // the main thread's connections read into it, one at a time
};

// What one cluster's sessions share: the cluster's health records and stats, and its check's
// settings (main thread). Held by each session, so a probe still in flight after its checker went
// finishes safely.
struct ClusterCheckState {
  ClusterCheckState(stats::Store& store, std::string cluster, std::shared_ptr<ClusterResources> resources);

  const std::string cluster;
  const std::shared_ptr<ClusterResources> resources;
  HealthCheckStats stats;
  // The cluster's upstream_cx_total: 0 means it never had traffic, and no_traffic_interval applies.
  const stats::Counter& traffic;
  const std::shared_ptr<ProbeResources> probe;
  std::shared_ptr<const CheckSettings> settings;
};

// One host's active health checks (Envoy's ActiveHealthCheckSession): a coroutine on the main
// thread that probes, waits and probes again, setting and clearing the host's failed_active_hc.
// A new session's host is failed_active_hc until its first probe passes (Envoy marks a host that
// was never checked healthy on its first success); then unhealthy_threshold network failures in a
// row, or one answer that is not an expected status, set it, and healthy_threshold passes in a row
// clear it. Owned by its HealthChecker; the coroutine holds it too until it ends.
class HealthCheckSession : public std::enable_shared_from_this<HealthCheckSession> {
 public:
  using Clock = std::chrono::steady_clock;

  HealthCheckSession(IoExecutor executor, std::shared_ptr<ClusterCheckState> state, config::Host host,
                     std::shared_ptr<HostHealth> record, uint64_t seed);
  HealthCheckSession(const HealthCheckSession&) = delete;
  HealthCheckSession& operator=(const HealthCheckSession&) = delete;

  // Marks the host failed_active_hc and starts probing after a random part of initial_jitter.
  void Start();
  // The cluster's settings were replaced: the next wait and probe use the new ones.
  void Reconfigure();
  // No more probes; one in flight ends within its timeout and is not counted. Leaves the flag as it
  // is (the checker clears it when the cluster's checks go).
  void Stop();

  bool failed() const { return failed_; }
  HostHealth& record() { return *record_; }
  uint64_t probes() const { return probes_; }

 private:
  Awaitable<void> Run(std::shared_ptr<HealthCheckSession> self);
  Awaitable<ProbeResult> Probe();
  // When the next probe is due: Envoy's interval(): no_traffic_interval while the cluster never had
  // traffic, else unhealthy_interval or interval by the host's state, plus the drawn jitter.
  Clock::time_point Due() const;
  Clock::duration Draw(std::chrono::milliseconds upto);
  void OnPassed();
  void OnFailed(bool network);
  void SetFailed(bool failed);

  IoExecutor executor_;
  const std::shared_ptr<ClusterCheckState> state_;
  const config::Host host_;
  const std::shared_ptr<HostHealth> record_;
  std::shared_ptr<HostStats> probe_host_stats_;
  std::shared_ptr<HttpConnPool> pool_;  // made on the first HTTP probe
  SteadyTimer timer_;
  std::mt19937_64 rng_;
  Clock::time_point last_end_{};  // the last probe's end (or the start, with the initial jitter)
  Clock::duration jitter_{};      // drawn after each probe
  bool started_ = false;
  bool stopped_ = false;
  bool failed_ = true;  // failed_active_hc as this session set it
  bool first_check_ = true;
  uint32_t healthy_in_row_ = 0;
  uint32_t unhealthy_in_row_ = 0;
  uint64_t probes_ = 0;
};

}  // namespace tether::upstream
