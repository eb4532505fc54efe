#pragma once

#include <chrono>
#include <string>

#include "src/common/io.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_manager.h"

namespace tether::tracing {

// The reporter's HTTP exchange with a collector: POSTs a span batch to the
// host the collector cluster's load balancer chose, on a connection its
// HostPool lends (kept alive, with the cluster's connect_timeout, idle
// timeout, max_requests_per_connection and read buffer limit). So collector
// traffic is upstream traffic like any other, counted under the data path's
// names: `cluster.<collector_cluster>.upstream_*` (requests, status classes,
// resets, timeouts, connections, upstream_rq_time) and the per-host
// `cluster.<collector_cluster>.<host>.host.*`. Runs on the reporter's thread,
// which owns that ClusterManager (ZipkinReporter).
class CollectorClient {
 public:
  explicit CollectorClient(const config::ZipkinConfig& config) : config_(config) {}

  // Whether the chosen host took `body` (a 2xx answer). `pick` has a pool
  // (ClusterManager::Choose found a host). `body` is lent to the request and
  // given back, so the batch's buffer is reused. A pooled connection the
  // collector closed while it was idle is replaced once, as on the data path.
  Awaitable<bool> Post(std::string& body, upstream::ClusterManager::Pick pick);

 private:
  enum class Outcome { kAnswered, kTimeout, kReset };
  struct Answer {
    Outcome outcome = Outcome::kReset;
    unsigned status = 0;
    bool keep_alive = false;
  };
  Awaitable<Answer> Exchange(upstream::UpstreamConnection& connection, std::string& body, const config::Host& host);

  const config::ZipkinConfig& config_;
};

}  // namespace tether::tracing
