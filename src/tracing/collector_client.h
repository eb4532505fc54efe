#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "src/codec/header_map.h"
#include "src/common/io.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_manager.h"

namespace tether::tracing {

// The reporter's HTTP exchange with a collector: POSTs a span batch as one stream of the pool
// (ConnPool) of the host the collector cluster's load balancer chose — the request path's pool and
// codecs, so the cluster's protocol, connect_timeout, idle timeout, max_idle_connections_per_host,
// max_requests_per_connection and buffer limits hold, and connections are kept alive. Collector
// traffic is upstream traffic like any other, counted under the data path's names:
// `cluster.<collector_cluster>.upstream_*` (requests, status classes, resets, timeouts,
// connections, upstream_rq_time) and the per-host `cluster.<collector_cluster>.<host>.host.*`.
// Runs on the reporter's thread, which owns that ClusterManager (ZipkinReporter).
class CollectorClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultPostTimeout{5000};

  // `post_timeout` bounds each exchange once its stream is open (the connect has the cluster's
  // connect_timeout): a collector that never answers costs a batch, never a stuck reporter.
  explicit CollectorClient(const config::ZipkinConfig& config,
                           std::chrono::milliseconds post_timeout = kDefaultPostTimeout)
      : config_(config), post_timeout_(post_timeout) {}

  // Whether the chosen host took `body` (a 2xx answer). `pick` has a pool (ChoosePool found a
  // host). A stream that fails before any answer on a kept-alive connection the collector closed
  // while it was idle (or one the collector refused) is tried once more, as on the data path.
  Awaitable<bool> Post(std::string_view body, upstream::ClusterManager::PoolPick pick);

 private:
  enum class Outcome { kAnswered, kNoStream, kTimeout, kReset };
  struct Answer {
    Outcome outcome = Outcome::kReset;
    int status = 0;
    // A reset worth one more try (the request never reached a collector that took it).
    bool retriable = false;
  };
  Awaitable<Answer> Exchange(upstream::ConnPool& pool, const codec::HeaderMap& headers, std::string_view body,
                             std::chrono::milliseconds connect_timeout);
  codec::HeaderMap Headers(std::size_t body_size) const;

  const config::ZipkinConfig& config_;
  const std::chrono::milliseconds post_timeout_;
};

}  // namespace tether::tracing
