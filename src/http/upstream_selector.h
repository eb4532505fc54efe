#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "src/codec/codec.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_resources.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/conn_pool.h"

namespace tether::http {

// A host of a cluster, chosen by the cluster's load balancer, and its pool for one protocol.
struct UpstreamChoice {
  const config::Cluster* cluster = nullptr;    // null: the cluster is unknown (NC)
  upstream::ClusterStats* stats = nullptr;     // null with cluster
  std::shared_ptr<upstream::ConnPool> pool;    // null: no healthy host (UH); kept while the request uses it
  upstream::HostStats* host_stats = nullptr;   // the chosen host's (admin /clusters); may be null
  upstream::ClusterResources* resources = nullptr;  // the cluster's circuit breakers; may be null
  upstream::HostHealth* health = nullptr;  // the chosen host's (outlier detection); may be null
};

// Tells the cluster's outlier detector how a try to the chosen host went (it ignores it when the
// cluster has no outlier_detection). Reads nothing of the cluster's config, which a try may outlive.
inline void ReportTryStatus(const UpstreamChoice& choice, unsigned status) {
  if (choice.health == nullptr || choice.resources == nullptr) return;
  choice.resources->outlier().ReportStatus(*choice.health, status);
}
inline void ReportTryLocal(const UpstreamChoice& choice, upstream::OutlierDetector::LocalOrigin result) {
  if (choice.health == nullptr || choice.resources == nullptr) return;
  choice.resources->outlier().ReportLocal(*choice.health, result);
}

// How a request finds its upstream: the worker's ClusterManager behind it (pools per host and
// protocol), a fake in tests. Single-threaded, the worker's.
class UpstreamSelector {
 public:
  virtual ~UpstreamSelector() = default;
  // `protocol` is what the request will speak to the host (the cluster's protocol, or the
  // downstream's for USE_DOWNSTREAM). `hash`: the request's, from the route's hash_policy.
  virtual UpstreamChoice Choose(const std::string& cluster, codec::Protocol protocol,
                                std::optional<uint64_t> hash) = 0;
};

}  // namespace tether::http
