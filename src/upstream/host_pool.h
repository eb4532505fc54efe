#pragma once

#include "src/common/io.h"

#include <vector>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/upstream_connection.h"

namespace tether::upstream {

// Keep-alive connections to one host, for one worker. Single-threaded: only
// the owning worker's io_context touches it.
class HostPool : public std::enable_shared_from_this<HostPool> {
 public:
  struct Limits {
    std::chrono::milliseconds idle_timeout{60000};
    uint32_t max_idle = 1024;
    uint32_t max_requests_per_connection = 0;  // 0 = unlimited
    // A new connection's read buffer: bytes read from the upstream and not
    // yet relayed. When it is full the reads stop, and a parser that cannot
    // go on (an endless chunk-size line) fails with buffer_overflow.
    size_t read_buffer_bytes = 1 << 20;
  };

  HostPool(IoExecutor executor, config::Host host, std::shared_ptr<HostStats> stats,
           std::shared_ptr<ClusterStats> cluster_stats);
  ~HostPool();
  HostPool(const HostPool&) = delete;
  HostPool& operator=(const HostPool&) = delete;

  // An idle connection (reused = true) or a new one connected within
  // connect_timeout. Errors: Unavailable (refused/reset), DeadlineExceeded.
  struct Lease {
    std::unique_ptr<UpstreamConnection> connection;
    bool reused = false;
  };
  Awaitable<absl::StatusOr<Lease>> Acquire(std::chrono::milliseconds connect_timeout);

  // The synchronous half of Acquire(): an idle connection, or null. Lets the
  // common case (a pooled connection) skip a coroutine frame. Each idle
  // connection is checked first (one non-blocking peek): those the upstream
  // has closed, as far as the kernel knows at this instant, are dropped and
  // counted (upstream_cx_destroy_remote), as are those idle past idle_timeout
  // (upstream_cx_idle_timeout). A close racing the check is the caller's to
  // handle (a retry on a new connection).
  std::unique_ptr<UpstreamConnection> TakeIdle();
  // The other half: a new connection within connect_timeout.
  Awaitable<absl::StatusOr<Lease>> Connect(std::chrono::milliseconds connect_timeout);

  // Returns a connection after a request; kept only when `reusable`.
  void Release(std::unique_ptr<UpstreamConnection> connection, bool reusable);

  void SetLimits(const Limits& limits) { limits_ = limits; }
  const config::Host& host() const { return host_; }
  HostStats& stats() { return *stats_; }
  const std::shared_ptr<HostStats>& host_stats() const { return stats_; }
  ClusterStats& cluster_stats() { return *cluster_stats_; }
  uint32_t active_requests() const { return active_requests_; }
  void RequestStarted();
  void RequestFinished();
  size_t idle_count() const { return idle_.size(); }

 private:
  enum class IdleState { kOpen, kClosedByUpstream, kUnexpectedData };
  static IdleState Check(UpstreamConnection& connection);

  IoExecutor executor_;
  config::Host host_;
  std::shared_ptr<HostStats> stats_;
  std::shared_ptr<ClusterStats> cluster_stats_;
  Limits limits_;
  std::vector<std::unique_ptr<UpstreamConnection>> idle_;  // LIFO: back is the most recent
  uint32_t active_requests_ = 0;
};

}  // namespace tether::upstream
