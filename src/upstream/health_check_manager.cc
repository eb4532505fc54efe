#include "src/upstream/health_check_manager.h"

#include <utility>

namespace tether::upstream {

HealthCheckManager::HealthCheckManager(IoExecutor executor, stats::Store& store, ClusterResourcesRegistry& registry)
    : executor_(executor), store_(store), registry_(registry), rng_(std::random_device{}()) {}

void HealthCheckManager::Update(const config::Snapshot& snapshot) {
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    if (snapshot.clusters.contains(it->first)) {
      ++it;
      continue;
    }
    checkers_.erase(it->first);
    it->second->health().SetHosts({});  // a cluster that comes back starts afresh
    it = clusters_.erase(it);
  }
  for (const auto& [name, cluster] : snapshot.clusters) {
    std::shared_ptr<ClusterResources>& resources = clusters_[name];
    if (!resources) resources = registry_.For(name);
    // First: hosts that left lose their records, new ones get theirs (with failed_eds_health).
    resources->health().SetHosts(cluster->hosts);
    auto checker = checkers_.find(name);
    if (cluster->health_checks.empty()) {
      if (checker != checkers_.end()) checkers_.erase(checker);
    } else if (checker == checkers_.end()) {
      checkers_.emplace(name, std::make_unique<HealthChecker>(executor_, store_, resources, *cluster, rng_()));
    } else {
      checker->second->Update(*cluster);
    }
  }
}

std::map<std::string, uint32_t> HealthCheckManager::HostFlags(const std::string& cluster) const {
  std::map<std::string, uint32_t> flags;
  auto it = clusters_.find(cluster);
  if (it == clusters_.end()) return flags;
  it->second->health().ForEach(
      [&](HostHealth& host, ClusterHealth::Ejection&) { flags.emplace(host.key(), host.flags()); });
  return flags;
}

const HealthChecker* HealthCheckManager::Find(const std::string& cluster) const {
  auto it = checkers_.find(cluster);
  return it == checkers_.end() ? nullptr : it->second.get();
}

}  // namespace tether::upstream
