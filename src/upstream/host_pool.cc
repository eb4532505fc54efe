#include "src/upstream/host_pool.h"

#include "src/common/io.h"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "src/upstream/tcp_connect.h"

namespace tether::upstream {

namespace asio = boost::asio;
using asio::ip::tcp;

HostPool::HostPool(IoExecutor executor, config::Host host, std::shared_ptr<HostStats> stats,
                   std::shared_ptr<ClusterStats> cluster_stats)
    : executor_(std::move(executor)),
      host_(std::move(host)),
      stats_(std::move(stats)),
      cluster_stats_(std::move(cluster_stats)) {}

HostPool::~HostPool() = default;

void HostPool::RequestStarted() {
  ++active_requests_;
  stats_->rq_active.Inc();
  stats_->rq_total.Inc();
}

void HostPool::RequestFinished() {
  --active_requests_;
  stats_->rq_active.Dec();
}

Awaitable<absl::StatusOr<HostPool::Lease>> HostPool::Acquire(std::chrono::milliseconds connect_timeout) {
  if (auto idle = TakeIdle()) co_return Lease{std::move(idle), true};
  co_return co_await Connect(connect_timeout);
}

std::unique_ptr<UpstreamConnection> HostPool::TakeIdle() {
  const auto now = std::chrono::steady_clock::now();
  while (!idle_.empty()) {
    // Most recently used first: it is the least likely to have been closed.
    std::unique_ptr<UpstreamConnection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since >= limits_.idle_timeout) {
      cluster_stats_->upstream_cx_idle_timeout.Inc();
      continue;
    }
    switch (Check(*c)) {
      case IdleState::kOpen:
        return c;
      case IdleState::kClosedByUpstream:
        cluster_stats_->upstream_cx_destroy_remote.Inc();
        break;
      case IdleState::kUnexpectedData:
        break;  // bytes nobody asked for: the connection cannot be trusted
    }
  }
  return nullptr;
}

// An idle connection must have nothing to read: EOF or an error means the
// upstream closed it (its keep-alive timeout, a restart), data means it
// misbehaved. One non-blocking peek at checkout instead of a read armed on
// every idle connection. A close that races with the peek is caught by the
// exchange, which retries on a new connection.
HostPool::IdleState HostPool::Check(UpstreamConnection& c) {
  if (!c.socket.is_open()) return IdleState::kClosedByUpstream;
  char byte;
  const ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return IdleState::kUnexpectedData;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return IdleState::kOpen;
  return IdleState::kClosedByUpstream;
}

Awaitable<absl::StatusOr<HostPool::Lease>> HostPool::Connect(std::chrono::milliseconds connect_timeout) {
  auto self = shared_from_this();
  stats_->cx_total.Inc();
  cluster_stats_->upstream_cx_total.Inc();
  absl::StatusOr<TcpSocket> socket = co_await ConnectTcp(executor_, host_, connect_timeout);
  if (!socket.ok()) {
    if (socket.status().code() == absl::StatusCode::kInvalidArgument) co_return socket.status();
    stats_->cx_connect_fail.Inc();
    cluster_stats_->upstream_cx_connect_fail.Inc();
    if (socket.status().code() == absl::StatusCode::kDeadlineExceeded) {
      cluster_stats_->upstream_cx_connect_timeout.Inc();
    }
    co_return socket.status();
  }
  auto connection = std::make_unique<UpstreamConnection>(std::move(*socket), stats_->cx_active,
                                                         cluster_stats_->upstream_cx_active);
  connection->buffer.max_size(limits_.read_buffer_bytes);
  co_return Lease{std::move(connection), false};
}

void HostPool::Release(std::unique_ptr<UpstreamConnection> connection, bool reusable) {
  if (!connection) return;
  const bool over_limit = limits_.max_requests_per_connection != 0 &&
                          connection->requests >= limits_.max_requests_per_connection;
  if (!reusable || over_limit || !connection->socket.is_open() || connection->buffer.size() != 0 ||
      limits_.max_idle == 0) {
    return;  // destroyed: the socket closes
  }
  // Reuse is last-in-first-out, so the oldest idle connections sit at the
  // front: they are the ones to close when the list is full.
  if (idle_.size() >= limits_.max_idle) idle_.erase(idle_.begin());
  connection->idle_since = std::chrono::steady_clock::now();
  idle_.push_back(std::move(connection));
}

}  // namespace tether::upstream
