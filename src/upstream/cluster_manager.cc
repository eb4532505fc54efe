#include "src/upstream/cluster_manager.h"

#include "src/upstream/http2_settings.h"

#include "src/common/io.h"

#include <algorithm>

namespace tether::upstream {

ClusterManager::ClusterManager(IoExecutor executor, stats::Store& store, uint64_t seed,
                               ClusterResourcesRegistry* resources)
    : executor_(std::move(executor)),
      store_(store),
      seed_(seed),
      own_resources_(resources == nullptr ? std::make_unique<ClusterResourcesRegistry>(store) : nullptr),
      resources_(resources == nullptr ? own_resources_.get() : resources) {}

namespace {

HttpConnPool::Settings PoolSettings(const config::Cluster& cluster, codec::Protocol protocol) {
  HttpConnPool::Settings s;
  s.protocol = protocol;
  s.idle_timeout = cluster.idle_timeout;
  s.max_requests_per_connection = cluster.max_requests_per_connection;
  s.max_idle_connections = cluster.max_idle_connections_per_host;
  s.http1.max_headers_count = cluster.max_response_headers_count;
  s.http1.max_header_bytes = 96 * 1024;  // a response head (96 KiB, as the HTTP/1 path has always read them)
  // Response body bytes read and not yet taken by the request (Envoy's connection buffer limit).
  s.http1.max_unconsumed_bytes = cluster.per_connection_buffer_limit_bytes;
  s.http2 = Http2OptionsFrom(cluster.http2);
  return s;
}

// The protocol of a cluster that names one (not USE_DOWNSTREAM).
codec::Protocol Speaks(const config::Cluster& cluster) {
  return cluster.protocol == config::UpstreamProtocol::kHttp2 ? codec::Protocol::kHttp2 : codec::Protocol::kHttp1;
}

std::size_t Index(codec::Protocol protocol) { return protocol == codec::Protocol::kHttp2 ? 1 : 0; }

}  // namespace

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
  if (!wc.resources) wc.resources = resources_->For(config->name);
  wc.resources->Configure(*config);
  if (!wc.lb || !wc.config || wc.config->lb_policy != config->lb_policy || wc.config->hash_lb != config->hash_lb) {
    wc.lb = MakeLoadBalancer(config->lb_policy, seed_++, config->hash_lb);
  }
  // A host that stays keeps its stats object (and its pools, below).
  std::map<std::string, std::shared_ptr<HostStats>> old_host_stats;
  for (std::size_t i = 0; i < wc.host_stats.size() && wc.config && i < wc.config->hosts.size(); ++i) {
    old_host_stats.emplace(wc.config->hosts[i].Key(), std::move(wc.host_stats[i]));
  }
  wc.host_stats.clear();
  std::map<std::string, std::array<std::shared_ptr<HttpConnPool>, 2>> old_conn_pools;
  for (std::size_t i = 0; i < wc.conn_pools.size() && wc.config && i < wc.config->hosts.size(); ++i) {
    old_conn_pools.emplace(wc.config->hosts[i].Key(), std::move(wc.conn_pools[i]));
  }
  wc.conn_pools.clear();
  for (const config::Host& host : config->hosts) {
    const std::string key = host.Key();
    auto found = old_host_stats.find(key);
    wc.host_stats.push_back(found != old_host_stats.end() ? std::move(found->second)
                                                          : std::make_shared<HostStats>(store_, config->name, key));
    std::array<std::shared_ptr<HttpConnPool>, 2> conn_pools;
    if (auto kept = old_conn_pools.find(key); kept != old_conn_pools.end()) {
      conn_pools = std::move(kept->second);
      old_conn_pools.erase(kept);
      for (auto& p : conn_pools) {
        if (!p) continue;
        // A protocol the cluster no longer speaks: its streams finish, nothing new goes there.
        if (config->protocol != config::UpstreamProtocol::kUseDownstream && p->protocol() != Speaks(*config)) {
          p->Drain();
          p.reset();
        } else {
          p->SetSettings(PoolSettings(*config, p->protocol()));
        }
      }
    }
    wc.conn_pools.push_back(std::move(conn_pools));
  }
  // A removed host's streams finish; its connections then close.
  for (auto& [key, pools] : old_conn_pools) {
    for (auto& p : pools) {
      if (p) p->Drain();
    }
  }
  wc.stats->membership_total.Set(static_cast<int64_t>(config->hosts.size()));
  wc.active.assign(config->hosts.size(), 0);
  wc.health.clear();
  for (const config::Host& host : config->hosts) wc.health.push_back(wc.resources->health().Host(host.Key()));
  wc.config = config;
}

// Unhealthy hosts (ejected, failing active checks, EDS) are left out, unless too few are healthy:
// then every host is picked from (Envoy's panic threshold).
LbContext ClusterManager::HealthyContext(WorkerCluster& wc, LbContext context) {
  if (wc.resources->health().unhealthy() == 0) return context;  // the common case: no look at each host
  const std::size_t n = wc.health.size();
  wc.excluded.resize(n);
  std::size_t healthy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    wc.excluded[i] = wc.health[i]->healthy() ? 0 : 1;
    healthy += wc.excluded[i] == 0 ? 1 : 0;
  }
  if (healthy == n) return context;
  if (100.0 * static_cast<double>(healthy) < wc.config->healthy_panic_threshold * static_cast<double>(n)) {
    wc.stats->upstream_rq_lb_healthy_panic.Inc();
    return context;
  }
  context.excluded = wc.excluded;
  return context;
}

std::optional<std::size_t> ClusterManager::PickHost(WorkerCluster& wc, const LbContext& given) {
  const LbContext context = HealthyContext(wc, given);
  if (!wc.lb->uses_active()) return wc.lb->Pick(wc.config->hosts, wc.active, context);
  for (size_t i = 0; i < wc.conn_pools.size(); ++i) {
    uint32_t active = 0;
    for (const auto& p : wc.conn_pools[i]) {
      if (p) active += static_cast<uint32_t>(p->active_streams());
    }
    wc.active[i] = active;
  }
  return wc.lb->Pick(wc.config->hosts, wc.active, context);
}

ClusterManager::PoolPick ClusterManager::ChoosePool(const std::string& cluster, codec::Protocol downstream,
                                                    std::optional<uint64_t> hash) {
  auto it = clusters_.find(cluster);
  if (it == clusters_.end()) return {};
  WorkerCluster& wc = it->second;
  const auto index = PickHost(wc, {.hash = hash});
  if (!index) return {nullptr, wc.stats.get(), wc.config.get(), nullptr, wc.resources.get()};
  const codec::Protocol protocol =
      wc.config->protocol == config::UpstreamProtocol::kUseDownstream ? downstream : Speaks(*wc.config);
  std::shared_ptr<HttpConnPool>& pool = wc.conn_pools[*index][Index(protocol)];
  if (!pool) {
    const config::Host& host = wc.config->hosts[*index];
    pool = std::make_shared<HttpConnPool>(executor_, host, PoolSettings(*wc.config, protocol),
                                          wc.host_stats[*index], wc.stats, Scratch());
    pool->SetResources(wc.resources);
    pool->SetHealth(wc.health[*index]);
  }
  return {pool, wc.stats.get(), wc.config.get(), wc.host_stats[*index].get(), wc.resources.get(), pool->health()};
}

absl::Span<uint8_t> ClusterManager::Scratch() {
  if (scratch_.empty()) {
    own_scratch_ = std::make_unique<transport::ReadScratch>();
    scratch_ = own_scratch_->span();
  }
  return scratch_;
}

}  // namespace tether::upstream
