#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "src/config/snapshot.h"
#include "src/http/socket_deadline.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/host_pool.h"

namespace tether::http {

// How a step of the exchange ended.
enum class ExchangeStep {
  kOk,
  kUpstreamReset,       // connection refused/reset/closed by the upstream
  kUpstreamTimeout,     // the route timeout fired
  kDownstreamClosed,    // the client went away mid-request
  kDownstreamProtocol,  // the client's body was malformed (bad chunk)
};

// One request's use of an upstream: the host chosen, the borrowed connection
// and the route-timeout deadline on it. Member order matters: the deadline
// (which points at the connection's socket) goes first.
struct UpstreamExchange {
  const config::Cluster* cluster = nullptr;
  std::shared_ptr<upstream::HostPool> pool;
  upstream::ClusterStats* stats = nullptr;
  std::unique_ptr<upstream::UpstreamConnection> connection;
  std::optional<SocketDeadline> deadline;
  bool reused = false;
  bool body_started = false;        // request body bytes consumed from downstream
  bool upstream_keep_alive = true;  // the response allows reuse
  std::chrono::steady_clock::time_point sent_at;

  // Returns the connection to its pool (or closes it) and clears the deadline.
  void Release(bool reusable) {
    deadline.reset();
    if (connection) pool->Release(std::move(connection), reusable);
  }
};

}  // namespace tether::http
