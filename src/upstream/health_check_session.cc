#include "src/upstream/health_check_session.h"

#include <algorithm>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include "src/common/log_exception.h"

namespace tether::upstream {
namespace {

stats::Tags ClusterTags(const std::string& cluster) { return {{"cluster_name", cluster}}; }

}  // namespace

#define TETHER_HC_COUNTER(n) n(store.CounterFor("cluster.health_check." #n, ClusterTags(cluster)))
#define TETHER_HC_GAUGE(n) n(store.GaugeFor("cluster.health_check." #n, ClusterTags(cluster)))

HealthCheckStats::HealthCheckStats(stats::Store& store, const std::string& cluster)
    : TETHER_HC_COUNTER(attempt),
      TETHER_HC_COUNTER(success),
      TETHER_HC_COUNTER(failure),
      TETHER_HC_COUNTER(network_failure),
      TETHER_HC_COUNTER(passive_failure),
      TETHER_HC_COUNTER(verify_cluster),
      TETHER_HC_GAUGE(healthy),
      TETHER_HC_GAUGE(degraded) {}

#undef TETHER_HC_COUNTER
#undef TETHER_HC_GAUGE

ClusterCheckState::ClusterCheckState(stats::Store& store, std::string name, std::shared_ptr<ClusterResources> res)
    : cluster(std::move(name)),
      resources(std::move(res)),
      stats(store, cluster),
      traffic(store.CounterFor("cluster.upstream_cx_total", ClusterTags(cluster))),
      probe(std::make_shared<ProbeResources>(cluster)) {}

namespace {

// A probe host's stats, holding the cluster's ProbeResources (their store) alive with them.
struct ProbeHostStats {
  std::shared_ptr<ProbeResources> keep;
  HostStats stats;
};

std::shared_ptr<HostStats> MakeProbeHostStats(const std::shared_ptr<ProbeResources>& probe, const std::string& cluster,
                                              const std::string& host) {
  auto holder = std::make_shared<ProbeHostStats>(ProbeHostStats{probe, HostStats(probe->store, cluster, host)});
  return {holder, &holder->stats};
}

}  // namespace

HealthCheckSession::HealthCheckSession(IoExecutor executor, std::shared_ptr<ClusterCheckState> state,
                                       config::Host host, std::shared_ptr<HostHealth> record, uint64_t seed)
    : executor_(executor),
      state_(std::move(state)),
      host_(std::move(host)),
      record_(std::move(record)),
      probe_host_stats_(MakeProbeHostStats(state_->probe, state_->cluster, host_.Key())),
      timer_(executor),
      rng_(seed) {}

void HealthCheckSession::Start() {
  if (started_) return;
  started_ = true;
  state_->resources->health().SetFlag(*record_, HealthFlag::kFailedActiveHc, true);
  // Envoy: the first probe after a random part of initial_jitter (at once without one).
  last_end_ = Clock::now();
  jitter_ = Draw(state_->settings->check.initial_jitter);
  boost::asio::co_spawn(executor_, Run(shared_from_this()), [](std::exception_ptr e) {
    LogConnectionException(e);
  });
}

void HealthCheckSession::Reconfigure() {
  const CheckSettings& s = *state_->settings;
  if (pool_ && pool_->protocol() != s.pool.protocol) {
    pool_->Drain();
    pool_.reset();
  } else if (pool_) {
    pool_->SetSettings(s.pool);
  }
  timer_.cancel();  // the wait recomputes its deadline
}

void HealthCheckSession::Stop() {
  stopped_ = true;
  timer_.cancel();
  if (pool_) pool_->Drain();
  pool_.reset();
  if (!failed_) state_->stats.healthy.Dec();
  failed_ = true;  // counted out of the healthy gauge once
}

HealthCheckSession::Clock::duration HealthCheckSession::Draw(std::chrono::milliseconds upto) {
  if (upto.count() <= 0) return Clock::duration::zero();
  return std::chrono::milliseconds(static_cast<int64_t>(rng_() % static_cast<uint64_t>(upto.count())));
}

HealthCheckSession::Clock::time_point HealthCheckSession::Due() const {
  if (probes_ == 0) return last_end_ + jitter_;
  const config::HealthCheck& check = state_->settings->check;
  const std::chrono::milliseconds base = state_->traffic.Value() == 0 ? check.no_traffic_interval
                                         : failed_                     ? check.unhealthy_interval
                                                                       : check.interval;
  return last_end_ + base + jitter_;
}

// `self` keeps the session alive while the coroutine runs.
Awaitable<void> HealthCheckSession::Run([[maybe_unused]] std::shared_ptr<HealthCheckSession> self) {
  while (!stopped_) {
    // Waits until due; a config update wakes it early to recompute, and while the cluster has no
    // traffic it looks again each interval, so the first traffic ends the slow no-traffic cadence.
    for (Clock::time_point now = Clock::now(); !stopped_ && now < Due(); now = Clock::now()) {
      Clock::time_point wake = Due();
      if (state_->traffic.Value() == 0) wake = std::min(wake, now + state_->settings->check.interval);
      timer_.expires_at(wake);
      co_await timer_.async_wait(kNoThrow);
    }
    if (stopped_) break;
    const ProbeResult result = co_await Probe();
    if (stopped_) break;  // the host left, or the checks changed: this result is nobody's
    ++probes_;
    switch (result) {
      case ProbeResult::kPassed: OnPassed(); break;
      case ProbeResult::kFailed: OnFailed(/*network=*/false); break;
      case ProbeResult::kNetworkFailure: OnFailed(/*network=*/true); break;
    }
    last_end_ = Clock::now();
    const config::HealthCheck& check = state_->settings->check;
    jitter_ = Draw(check.interval_jitter);
  }
}

Awaitable<ProbeResult> HealthCheckSession::Probe() {
  // Held for the probe: a config update may replace the settings meanwhile.
  const std::shared_ptr<const CheckSettings> settings = state_->settings;
  state_->stats.attempt.Inc();
  if (settings->check.kind == config::HealthCheck::Kind::kTcp) {
    co_return co_await TcpProbe(executor_, host_, settings->check.timeout);
  }
  if (!pool_) {
    // The cluster stats pointer holds the ProbeResources (and so the scratch) for the connections.
    const std::shared_ptr<ProbeResources>& probe = state_->probe;
    pool_ = std::make_shared<HttpConnPool>(executor_, host_, settings->pool, probe_host_stats_,
                                           std::shared_ptr<ClusterStats>(probe, &probe->cluster_stats),
                                           probe->scratch.span());
  }
  const std::shared_ptr<HttpConnPool> pool = pool_;  // Stop() may drop it while the probe runs
  co_return co_await HttpProbe(*pool, settings->check, state_->cluster);
}

void HealthCheckSession::OnPassed() {
  state_->stats.success.Inc();
  unhealthy_in_row_ = 0;
  // Ends an ejection, with outlier detection's successful_active_health_check_uneject_host.
  state_->resources->outlier().OnActiveCheckPassed(*record_);
  if (failed_) {
    // Envoy: a host never checked before is healthy on its first pass (a faster start).
    if (first_check_ || ++healthy_in_row_ >= state_->settings->check.healthy_threshold) SetFailed(false);
  }
  first_check_ = false;
}

void HealthCheckSession::OnFailed(bool network) {
  state_->stats.failure.Inc();
  if (network) state_->stats.network_failure.Inc();
  healthy_in_row_ = 0;
  if (!failed_) {
    // Envoy: an answer that is not an expected status fails the host at once; only probes without
    // an answer count toward unhealthy_threshold.
    if (!network || ++unhealthy_in_row_ >= state_->settings->check.unhealthy_threshold) SetFailed(true);
  }
  first_check_ = false;
}

void HealthCheckSession::SetFailed(bool failed) {
  if (failed == failed_) return;
  failed_ = failed;
  healthy_in_row_ = 0;
  unhealthy_in_row_ = 0;
  state_->resources->health().SetFlag(*record_, HealthFlag::kFailedActiveHc, failed);
  if (failed) {
    state_->stats.healthy.Dec();
    spdlog::info("health check: {} host {} is unhealthy (failed_active_hc)", state_->cluster, host_.Key());
  } else {
    state_->stats.healthy.Inc();
    spdlog::info("health check: {} host {} is healthy", state_->cluster, host_.Key());
  }
}

}  // namespace tether::upstream
