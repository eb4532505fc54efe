#include "src/upstream/outlier_detector.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tether::upstream {
namespace {

constexpr std::array<const char*, OutlierDetector::kEjectionTypes> kTypeNames = {
    "consecutive_5xx",       "consecutive_gateway_failure", "consecutive_local_origin_failure",
    "success_rate",          "local_origin_success_rate",   "failure_percentage",
    "failure_percentage_local_origin",
};

std::size_t Index(OutlierDetector::EjectionType type) { return static_cast<std::size_t>(type); }

uint32_t DefaultRoll() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<uint32_t>(0, 99)(rng);
}

bool IsGatewayFailure(unsigned status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

OutlierDetector::OutlierDetector(ClusterHealth& health, stats::Store& store, const std::string& cluster)
    : health_(health),
      ejections_active_(store.GaugeFor("cluster.outlier_detection.ejections_active", {{"cluster_name", cluster}})),
      ejections_enforced_total_(
          store.CounterFor("cluster.outlier_detection.ejections_enforced_total", {{"cluster_name", cluster}})),
      ejections_overflow_(store.CounterFor("cluster.outlier_detection.ejections_overflow", {{"cluster_name", cluster}})),
      now_([] { return Clock::now(); }),
      roll_(DefaultRoll) {
  const stats::Tags tags = {{"cluster_name", cluster}};
  for (std::size_t i = 0; i < kEjectionTypes; ++i) {
    enforced_[i] = &store.CounterFor(std::string("cluster.outlier_detection.ejections_enforced_") + kTypeNames[i], tags);
    detected_[i] = &store.CounterFor(std::string("cluster.outlier_detection.ejections_detected_") + kTypeNames[i], tags);
  }
}

void OutlierDetector::Configure(const std::optional<config::OutlierDetection>& config) {
  auto lock = health_.Lock();
  if (!config) {
    enabled_.store(false, std::memory_order_relaxed);
    const Clock::time_point now = now_();
    health_.ForEachLocked([&](HostHealth& host, ClusterHealth::Ejection& ejection) {
      UnejectLocked(host, ejection, now);
      ejection = {};
    });
    PublishLocked();
    return;
  }
  config_ = *config;
  thresholds_.consecutive_5xx.store(config->consecutive_5xx, std::memory_order_relaxed);
  thresholds_.consecutive_gateway_failure.store(config->consecutive_gateway_failure, std::memory_order_relaxed);
  thresholds_.consecutive_local_origin_failure.store(config->consecutive_local_origin_failure,
                                                     std::memory_order_relaxed);
  thresholds_.split.store(config->split_external_local_origin_errors, std::memory_order_relaxed);
  enabled_.store(true, std::memory_order_relaxed);
}

void OutlierDetector::ReportStatus(HostHealth& host, unsigned status) {
  if (enabled()) ReportExternal(host, status);
}

void OutlierDetector::ReportExternal(HostHealth& host, unsigned status) {
  OutlierCounts& counts = host.outlier();
  if (status < 500) {
    counts.external_success.fetch_add(1, std::memory_order_relaxed);
    // A success ends both runs; a store only when there is a run, so healthy traffic reads only.
    if (counts.consecutive_5xx.load(std::memory_order_relaxed) != 0) counts.consecutive_5xx.store(0);
    if (counts.consecutive_gateway_failure.load(std::memory_order_relaxed) != 0) {
      counts.consecutive_gateway_failure.store(0);
    }
    return;
  }
  counts.external_failure.fetch_add(1, std::memory_order_relaxed);
  // Each run ejects when it reaches its threshold exactly (Envoy's): one detection per run.
  if (IsGatewayFailure(status)) {
    if (counts.consecutive_gateway_failure.fetch_add(1) + 1 == thresholds_.consecutive_gateway_failure.load()) {
      Eject(host, EjectionType::kConsecutiveGatewayFailure);
    }
  } else if (counts.consecutive_gateway_failure.load(std::memory_order_relaxed) != 0) {
    counts.consecutive_gateway_failure.store(0);
  }
  if (counts.consecutive_5xx.fetch_add(1) + 1 == thresholds_.consecutive_5xx.load()) {
    Eject(host, EjectionType::kConsecutive5xx);
  }
}

void OutlierDetector::ReportLocal(HostHealth& host, LocalOrigin result) {
  if (!enabled()) return;
  if (!thresholds_.split.load(std::memory_order_relaxed)) {
    // One series of results: a connect failure or reset reads as 503, a timeout as 504.
    if (result == LocalOrigin::kSuccess) return;  // the answer that follows is the result
    return ReportExternal(host, result == LocalOrigin::kTimeout ? 504 : 503);
  }
  OutlierCounts& counts = host.outlier();
  if (result == LocalOrigin::kSuccess) {
    counts.local_success.fetch_add(1, std::memory_order_relaxed);
    if (counts.consecutive_local_origin_failure.load(std::memory_order_relaxed) != 0) {
      counts.consecutive_local_origin_failure.store(0);
    }
    return;
  }
  counts.local_failure.fetch_add(1, std::memory_order_relaxed);
  if (counts.consecutive_local_origin_failure.fetch_add(1) + 1 == thresholds_.consecutive_local_origin_failure.load()) {
    Eject(host, EjectionType::kConsecutiveLocalOriginFailure);
  }
}

void OutlierDetector::Eject(HostHealth& host, EjectionType type) {
  const Clock::time_point now = now_();
  auto lock = health_.Lock();
  if (enabled()) EjectLocked(host, type, now);
  // The run that reached its threshold starts again (ejected or not).
  OutlierCounts& counts = host.outlier();
  switch (type) {
    case EjectionType::kConsecutive5xx: counts.consecutive_5xx.store(0); break;
    case EjectionType::kConsecutiveGatewayFailure: counts.consecutive_gateway_failure.store(0); break;
    case EjectionType::kConsecutiveLocalOriginFailure: counts.consecutive_local_origin_failure.store(0); break;
    default: break;
  }
}

uint32_t OutlierDetector::Enforcing(EjectionType type) const {
  switch (type) {
    case EjectionType::kConsecutive5xx: return config_.enforcing_consecutive_5xx;
    case EjectionType::kConsecutiveGatewayFailure: return config_.enforcing_consecutive_gateway_failure;
    case EjectionType::kConsecutiveLocalOriginFailure: return config_.enforcing_consecutive_local_origin_failure;
    case EjectionType::kSuccessRate: return config_.enforcing_success_rate;
    case EjectionType::kSuccessRateLocalOrigin: return config_.enforcing_local_origin_success_rate;
    case EjectionType::kFailurePercentage: return config_.enforcing_failure_percentage;
    case EjectionType::kFailurePercentageLocalOrigin: return config_.enforcing_failure_percentage_local_origin;
  }
  return 0;
}

void OutlierDetector::EjectLocked(HostHealth& host, EjectionType type, Clock::time_point now) {
  ClusterHealth::Ejection* ejection = health_.FindLocked(host);
  if (ejection == nullptr || host.Has(HealthFlag::kFailedOutlierCheck)) return;
  detected_[Index(type)]->Inc();
  if (roll_() >= Enforcing(type)) return;
  // max_ejection_percent of the hosts at most, but one host always may be (Envoy's), unless it is 0.
  const std::size_t ejected = health_.CountLocked(HealthFlag::kFailedOutlierCheck);
  const std::size_t hosts = health_.SizeLocked();
  const std::size_t max_percent = config_.max_ejection_percent;
  if (max_percent == 0 || (ejected > 0 && (ejected + 1) * 100 > max_percent * hosts)) {
    ejections_overflow_.Inc();
    return;
  }
  // base_ejection_time x ejections, capped at max_ejection_time; the count stops growing at the cap.
  const auto base = config_.base_ejection_time;
  if (base * ejection->count < config_.max_ejection_time) ++ejection->count;
  Clock::duration lasts = std::min<Clock::duration>(base * ejection->count, config_.max_ejection_time);
  if (config_.max_ejection_time_jitter.count() > 0) lasts += config_.max_ejection_time_jitter * roll_() / 100;
  ejection->at = now;
  ejection->lasts = lasts;
  ejection->last_change = now;
  health_.SetFlagLocked(host, HealthFlag::kFailedOutlierCheck, true);
  ejections_enforced_total_.Inc();
  enforced_[Index(type)]->Inc();
  PublishLocked();
}

// Back in: what piled up while it was out (panic traffic, late answers) starts from nothing, so one
// error on return does not eject it again (Envoy resets the runs on uneject).
void OutlierDetector::UnejectLocked(HostHealth& host, ClusterHealth::Ejection& ejection, Clock::time_point now) {
  if (!health_.SetFlagLocked(host, HealthFlag::kFailedOutlierCheck, false)) return;
  ejection.last_change = now;
  OutlierCounts& counts = host.outlier();
  counts.consecutive_5xx.store(0);
  counts.consecutive_gateway_failure.store(0);
  counts.consecutive_local_origin_failure.store(0);
}

void OutlierDetector::Sweep() {
  const Clock::time_point now = now_();
  auto lock = health_.Lock();
  if (!enabled()) return;
  health_.ForEachLocked([&](HostHealth& host, ClusterHealth::Ejection& ejection) {
    if (host.Has(HealthFlag::kFailedOutlierCheck)) {
      if (now >= ejection.at + ejection.lasts) UnejectLocked(host, ejection, now);
    } else if (ejection.count > 0 && now >= ejection.last_change + config_.interval) {
      // A host back for a whole interval earns one ejection back (the next lasts less).
      --ejection.count;
      ejection.last_change = now;
    }
  });
  EjectByRates(/*local=*/false, now);
  if (config_.split_external_local_origin_errors) EjectByRates(/*local=*/true, now);
  PublishLocked();
}

void OutlierDetector::EjectByRates(bool local, Clock::time_point now) {
  struct Rate {
    HostHealth* host;
    uint64_t total;
    double success_rate;  // percent
  };
  std::vector<Rate> rates;
  health_.ForEachLocked([&](HostHealth& host, ClusterHealth::Ejection&) {
    OutlierCounts& c = host.outlier();
    const uint64_t ok = (local ? c.local_success : c.external_success).exchange(0, std::memory_order_relaxed);
    const uint64_t failed = (local ? c.local_failure : c.external_failure).exchange(0, std::memory_order_relaxed);
    // An ejected host (it may still get traffic in panic) is not judged, nor counted in the others' mean.
    if (ok + failed == 0 || host.Has(HealthFlag::kFailedOutlierCheck)) return;
    rates.push_back({&host, ok + failed, 100.0 * static_cast<double>(ok) / static_cast<double>(ok + failed)});
  });
  // Success rate: below mean - stdev x factor among the hosts with enough requests.
  std::vector<const Rate*> judged;
  for (const Rate& r : rates) {
    if (r.total >= config_.success_rate_request_volume) judged.push_back(&r);
  }
  if (!judged.empty() && judged.size() >= config_.success_rate_minimum_hosts) {
    double mean = 0;
    for (const Rate* r : judged) mean += r->success_rate;
    mean /= static_cast<double>(judged.size());
    double variance = 0;
    for (const Rate* r : judged) variance += (r->success_rate - mean) * (r->success_rate - mean);
    const double stdev = std::sqrt(variance / static_cast<double>(judged.size()));
    const double threshold = mean - stdev * (config_.success_rate_stdev_factor / 1000.0);
    for (const Rate* r : judged) {
      if (r->success_rate >= threshold) continue;
      EjectLocked(*r->host, local ? EjectionType::kSuccessRateLocalOrigin : EjectionType::kSuccessRate, now);
    }
  }
  // Failure percentage: at or above the threshold, among the hosts with enough requests.
  judged.clear();
  for (const Rate& r : rates) {
    if (r.total >= config_.failure_percentage_request_volume) judged.push_back(&r);
  }
  if (judged.empty() || judged.size() < config_.failure_percentage_minimum_hosts) return;
  for (const Rate* r : judged) {
    if (100.0 - r->success_rate < config_.failure_percentage_threshold) continue;
    EjectLocked(*r->host,
                local ? EjectionType::kFailurePercentageLocalOrigin : EjectionType::kFailurePercentage, now);
  }
}

void OutlierDetector::OnActiveCheckPassed(HostHealth& host) {
  if (!host.Has(HealthFlag::kFailedOutlierCheck)) return;
  auto lock = health_.Lock();
  if (!enabled() || !config_.successful_active_health_check_uneject_host) return;
  ClusterHealth::Ejection* ejection = health_.FindLocked(host);
  if (ejection == nullptr) return;
  UnejectLocked(host, *ejection, now_());
  PublishLocked();
}

void OutlierDetector::PublishLocked() {
  ejections_active_.Set(static_cast<int64_t>(health_.CountLocked(HealthFlag::kFailedOutlierCheck)));
}

}  // namespace tether::upstream
