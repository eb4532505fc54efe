#include "src/upstream/cluster_health.h"

#include <set>

namespace tether::upstream {

std::shared_ptr<HostHealth> ClusterHealth::Host(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry& entry = hosts_[key];
  if (!entry.host) {
    entry.host = std::make_shared<HostHealth>(key);
    PublishLocked();
  }
  return entry.host;
}

void ClusterHealth::SetHosts(const std::vector<config::Host>& hosts) {
  std::lock_guard lock(mu_);
  std::set<std::string> keys;
  for (const config::Host& h : hosts) {
    const std::string key = h.Key();
    keys.insert(key);
    Entry& entry = hosts_[key];
    if (!entry.host) entry.host = std::make_shared<HostHealth>(key);
    SetFlagLocked(*entry.host, HealthFlag::kFailedEdsHealth, h.eds_unhealthy);
  }
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    if (keys.contains(it->first)) {
      ++it;
      continue;
    }
    // A host that left no longer counts among the unhealthy (workers may still hold its record).
    if (it->second.host->flags() != 0) unhealthy_.fetch_sub(1, std::memory_order_relaxed);
    it->second.host->flags_.store(0, std::memory_order_relaxed);
    it = hosts_.erase(it);
  }
  PublishLocked();
}

bool ClusterHealth::SetFlag(HostHealth& host, HealthFlag flag, bool on) {
  std::lock_guard lock(mu_);
  return SetFlagLocked(host, flag, on);
}

bool ClusterHealth::SetFlagLocked(HostHealth& host, HealthFlag flag, bool on) {
  // A record no longer the cluster's keeps no flags (it is not counted).
  auto it = hosts_.find(host.key());
  if (it == hosts_.end() || it->second.host.get() != &host) return false;
  const uint32_t before = host.flags();
  const uint32_t bit = static_cast<uint32_t>(flag);
  const uint32_t after = on ? (before | bit) : (before & ~bit);
  if (after == before) return false;
  host.flags_.store(after, std::memory_order_relaxed);
  if (before == 0) unhealthy_.fetch_add(1, std::memory_order_relaxed);
  if (after == 0) unhealthy_.fetch_sub(1, std::memory_order_relaxed);
  PublishLocked();
  return true;
}

std::size_t ClusterHealth::size() const {
  std::lock_guard lock(mu_);
  return hosts_.size();
}

void ClusterHealth::BindHealthyGauge(stats::Gauge* gauge) {
  std::lock_guard lock(mu_);
  healthy_gauge_ = gauge;
  PublishLocked();
}

void ClusterHealth::PublishLocked() {
  if (healthy_gauge_ == nullptr) return;
  healthy_gauge_->Set(static_cast<int64_t>(hosts_.size()) - unhealthy_.load(std::memory_order_relaxed));
}

void ClusterHealth::ForEach(const std::function<void(HostHealth&, Ejection&)>& fn) {
  std::lock_guard lock(mu_);
  ForEachLocked(fn);
}

void ClusterHealth::ForEachLocked(const std::function<void(HostHealth&, Ejection&)>& fn) {
  for (auto& [key, entry] : hosts_) fn(*entry.host, entry.ejection);
}

std::size_t ClusterHealth::CountLocked(HealthFlag flag) const {
  std::size_t n = 0;
  for (const auto& [key, entry] : hosts_) n += entry.host->Has(flag) ? 1 : 0;
  return n;
}

ClusterHealth::Ejection* ClusterHealth::FindLocked(const HostHealth& host) {
  auto it = hosts_.find(host.key());
  return it == hosts_.end() || it->second.host.get() != &host ? nullptr : &it->second.ejection;
}

}  // namespace tether::upstream
