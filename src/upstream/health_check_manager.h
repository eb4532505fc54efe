#pragma once

#include "src/common/io.h"

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_resources.h"
#include "src/upstream/health_checker.h"

namespace tether::upstream {

// The sidecar's host health upkeep on its main thread, told of every installed snapshot: each
// cluster's host set and EDS health_status go to its ClusterHealth (failed_eds_health), and each
// cluster with health_checks gets a HealthChecker, reconfigured as the config changes (hosts that
// stay keep their state) and stopped when the cluster or its checks go. Main thread only (the
// admin endpoint, which asks HostFlags, runs there too).
class HealthCheckManager {
 public:
  HealthCheckManager(IoExecutor executor, stats::Store& store, ClusterResourcesRegistry& registry);
  HealthCheckManager(const HealthCheckManager&) = delete;
  HealthCheckManager& operator=(const HealthCheckManager&) = delete;

  void Update(const config::Snapshot& snapshot);
  // HealthFlag bits of `cluster`'s hosts by "ip:port" (/clusters); empty for a cluster not known.
  std::map<std::string, uint32_t> HostFlags(const std::string& cluster) const;
  // The checker of `cluster`, or null (tests).
  const HealthChecker* Find(const std::string& cluster) const;

 private:
  IoExecutor executor_;
  stats::Store& store_;
  ClusterResourcesRegistry& registry_;
  std::map<std::string, std::shared_ptr<ClusterResources>> clusters_;
  std::map<std::string, std::unique_ptr<HealthChecker>> checkers_;
  std::mt19937_64 rng_;
};

}  // namespace tether::upstream
