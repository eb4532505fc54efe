#pragma once

#include "src/common/io.h"

#include <map>
#include <memory>
#include <string>
#include <vector>


#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/host_pool.h"
#include "src/upstream/load_balancer.h"

namespace tether::upstream {

// A worker's view of the clusters: load balancer state and connection pools.
// Single-threaded (owned by one worker). Pools survive snapshot updates for
// hosts that stay; a removed host's pool lives on while requests hold it.
class ClusterManager {
 public:
  ClusterManager(IoExecutor executor, stats::Store& store, uint64_t seed);

  using Clusters = std::map<std::string, std::shared_ptr<const config::Cluster>>;
  // Applies a new snapshot's clusters; called on the worker between requests.
  void Update(const config::Snapshot& snapshot) { Update(snapshot.clusters); }
  // The same for some clusters alone: the Zipkin reporter keeps the collector's.
  void Update(const Clusters& clusters);

  struct Pick {
    std::shared_ptr<HostPool> pool;            // null when the cluster has no hosts
    ClusterStats* stats = nullptr;             // null when the cluster is unknown
    // Null when the cluster is unknown; valid until the next Update (a raw
    // pointer: a shared_ptr copy per request would bounce its count between workers).
    const config::Cluster* config = nullptr;
  };
  // Chooses a host of `cluster` with its load balancer.
  Pick Choose(const std::string& cluster);

 private:
  struct WorkerCluster {
    std::shared_ptr<const config::Cluster> config;
    std::unique_ptr<LoadBalancer> lb;
    std::shared_ptr<ClusterStats> stats;
    std::vector<std::shared_ptr<HostPool>> pools;  // parallel to config->hosts
    std::vector<uint32_t> active;                  // scratch for the load balancer
  };
  void Rebuild(WorkerCluster& wc, const std::shared_ptr<const config::Cluster>& config);

  IoExecutor executor_;
  stats::Store& store_;
  uint64_t seed_;
  std::map<std::string, WorkerCluster> clusters_;
};

}  // namespace tether::upstream
