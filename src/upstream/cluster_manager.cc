#include "src/upstream/cluster_manager.h"

#include "src/common/io.h"

#include <algorithm>

namespace tether::upstream {

ClusterManager::ClusterManager(IoExecutor executor, stats::Store& store, uint64_t seed)
    : executor_(std::move(executor)), store_(store), seed_(seed) {}

void ClusterManager::Update(const Clusters& clusters) {
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    if (clusters.count(it->first) == 0) {
      it = clusters_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, config] : clusters) {
    WorkerCluster& wc = clusters_[name];
    if (wc.config == config) continue;  // unchanged
    Rebuild(wc, config);
  }
}

void ClusterManager::Rebuild(WorkerCluster& wc, const std::shared_ptr<const config::Cluster>& config) {
  if (!wc.stats) wc.stats = std::make_shared<ClusterStats>(store_, config->name);
  if (!wc.lb || !wc.config || wc.config->lb_policy != config->lb_policy) {
    wc.lb = MakeLoadBalancer(config->lb_policy, seed_++);
  }
  std::map<std::string, std::shared_ptr<HostPool>> old;
  for (auto& pool : wc.pools) old.emplace(pool->host().Key(), std::move(pool));
  wc.pools.clear();
  HostPool::Limits limits{config->idle_timeout, config->max_idle_connections_per_host,
                          config->max_requests_per_connection};
  // per_connection_buffer_limit_bytes, with room for a whole response head
  // (upstream_exchange.cc reads heads of up to 96 KiB).
  limits.read_buffer_bytes = std::max<size_t>(config->per_connection_buffer_limit_bytes, 96 * 1024);
  for (const config::Host& host : config->hosts) {
    const std::string key = host.Key();
    auto found = old.find(key);
    std::shared_ptr<HostPool> pool;
    if (found != old.end()) {
      pool = std::move(found->second);
      old.erase(found);
    } else {
      pool = std::make_shared<HostPool>(executor_, host,
                                        std::make_shared<HostStats>(store_, config->name, key), wc.stats);
    }
    pool->SetLimits(limits);
    wc.pools.push_back(std::move(pool));
  }
  wc.stats->membership_total.Set(static_cast<int64_t>(config->hosts.size()));
  wc.active.assign(wc.pools.size(), 0);
  wc.config = config;
}

ClusterManager::Pick ClusterManager::Choose(const std::string& cluster) {
  auto it = clusters_.find(cluster);
  if (it == clusters_.end()) return {};
  WorkerCluster& wc = it->second;
  for (size_t i = 0; i < wc.pools.size(); ++i) wc.active[i] = wc.pools[i]->active_requests();
  const auto index = wc.lb->Pick(wc.config->hosts, wc.active);
  if (!index) return {nullptr, wc.stats.get(), wc.config.get()};
  return {wc.pools[*index], wc.stats.get(), wc.config.get()};
}

}  // namespace tether::upstream
