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
#include "src/upstream/health_check_session.h"

namespace tether::upstream {

// One cluster's active health checks (Envoy's HealthChecker): a session per host, on the sidecar's
// main thread, so each host is probed once per sidecar however many workers there are. Results go
// to the cluster's ClusterHealth (failed_active_hc), which every worker's load balancer reads.
// Main thread only.
class HealthChecker {
 public:
  // `cluster` has a health check (config::Cluster::health_checks not empty).
  HealthChecker(IoExecutor executor, stats::Store& store, std::shared_ptr<ClusterResources> resources,
                const config::Cluster& cluster, uint64_t seed);
  // Stops every session and clears failed_active_hc of the cluster's hosts: without checks no host
  // is held out by them.
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // A new config of the cluster: hosts that stay keep their session and state (and take the new
  // settings), new hosts start failed_active_hc with a session of their own, hosts that left stop.
  void Update(const config::Cluster& cluster);

  std::size_t size() const { return sessions_.size(); }
  // The session of host "ip:port", or null (tests).
  const HealthCheckSession* Find(const std::string& key) const;

 private:
  IoExecutor executor_;
  std::shared_ptr<ClusterCheckState> state_;
  std::map<std::string, std::shared_ptr<HealthCheckSession>> sessions_;
  std::mt19937_64 rng_;
};

// The settings a cluster's sessions use: its (first and only) health check and the connection
// settings of its probes (the cluster's protocol; USE_DOWNSTREAM probes with HTTP/1.1).
std::shared_ptr<const CheckSettings> MakeCheckSettings(const config::Cluster& cluster);

}  // namespace tether::upstream
