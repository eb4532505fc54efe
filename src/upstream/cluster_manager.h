#pragma once

#include "src/common/io.h"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>


#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_resources.h"
#include "src/upstream/cluster_stats.h"
#include "src/transport/read_scratch.h"
#include "src/upstream/http_conn_pool.h"
#include "src/upstream/load_balancer.h"

namespace tether::upstream {

// A worker's view of the clusters: load balancer state and connection pools.
// Single-threaded (owned by one worker). Pools survive snapshot updates for
// hosts that stay; a removed host's pool lives on while requests hold it.
class ClusterManager {
 public:
  // `resources`: the process's circuit breakers, shared by every worker's manager (null: this
  // manager keeps its own, as the Zipkin reporter and tests do).
  ClusterManager(IoExecutor executor, stats::Store& store, uint64_t seed,
                 ClusterResourcesRegistry* resources = nullptr);

  using Clusters = std::map<std::string, std::shared_ptr<const config::Cluster>>;
  // Applies a new snapshot's clusters; called on the worker between requests.
  void Update(const config::Snapshot& snapshot) { Update(snapshot.clusters); }
  // The same for some clusters alone: the Zipkin reporter keeps the collector's.
  void Update(const Clusters& clusters);

  // The connection pools (conn_pool.h): one per host and protocol, made on first use. The request
  // path and the Zipkin reporter's collector client both take their streams here.
  struct PoolPick {
    std::shared_ptr<ConnPool> pool;  // null when the cluster has no hosts
    ClusterStats* stats = nullptr;   // null when the cluster is unknown
    // Null when the cluster is unknown; valid until the next Update (a raw
    // pointer: a shared_ptr copy per request would bounce its count between workers).
    const config::Cluster* config = nullptr;
    HostStats* host_stats = nullptr;  // the chosen host's; null with pool
    ClusterResources* resources = nullptr;  // the cluster's circuit breakers; null when unknown
    HostHealth* health = nullptr;           // the chosen host's (kept alive by pool); null with pool
  };
  // Chooses a host of `cluster` with its load balancer (in-flight streams count as its load) and
  // returns its pool for the cluster's protocol; USE_DOWNSTREAM speaks `downstream`. `hash` is the
  // request's (the route's hash_policy), for RING_HASH and MAGLEV.
  PoolPick ChoosePool(const std::string& cluster, codec::Protocol downstream,
                      std::optional<uint64_t> hash = std::nullopt);
  // Upstream connections read into the worker's buffer (default: one the manager makes on first use).
  void UseReadScratch(absl::Span<uint8_t> scratch) { scratch_ = scratch; }

 private:
  struct WorkerCluster {
    std::shared_ptr<const config::Cluster> config;
    std::unique_ptr<LoadBalancer> lb;
    std::shared_ptr<ClusterStats> stats;
    std::shared_ptr<ClusterResources> resources;
    std::vector<std::shared_ptr<HostStats>> host_stats;  // parallel to config->hosts
    // Parallel to config->hosts, by codec::Protocol; null until first used.
    std::vector<std::array<std::shared_ptr<HttpConnPool>, 2>> conn_pools;
    std::vector<uint32_t> active;                  // scratch for the load balancer
    std::vector<std::shared_ptr<HostHealth>> health;  // parallel to config->hosts
    std::vector<uint8_t> excluded;                 // scratch: the unhealthy hosts of a pick
  };
  void Rebuild(WorkerCluster& wc, const std::shared_ptr<const config::Cluster>& config);
  static LbContext HealthyContext(WorkerCluster& wc, LbContext context);
  std::optional<std::size_t> PickHost(WorkerCluster& wc, const LbContext& context);
  absl::Span<uint8_t> Scratch();

  IoExecutor executor_;
  stats::Store& store_;
  uint64_t seed_;
  std::unique_ptr<ClusterResourcesRegistry> own_resources_;
  ClusterResourcesRegistry* resources_;
  std::map<std::string, WorkerCluster> clusters_;
  absl::Span<uint8_t> scratch_;
  std::unique_ptr<transport::ReadScratch> own_scratch_;
};

}  // namespace tether::upstream
