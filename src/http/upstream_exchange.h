#pragma once

#include <chrono>
#include <memory>

#include <boost/beast/http/error.hpp>

#include "src/config/snapshot.h"
#include "src/common/socket_deadline.h"
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
  kUpstreamProtocol,    // the response broke HTTP/1 or a limit (head size or fields, chunk line, trailers)
  kStreamTimeout,       // the stream's idle or request timeout fired (StreamTimeouts::fired says which)
};

// An upstream response head is refused beyond this (502 UPE); its trailers too.
inline constexpr size_t kMaxResponseHeadBytes = 96 * 1024;
// Interim (1xx) responses before the final one: each costs header memory on
// the request's arena, so an endless series is refused (502 UPE).
inline constexpr int kMaxInterimResponses = 16;

// Beast's parse errors (bad chunk, header_limit, a guard's refusal) as
// opposed to the peer closing early or the socket failing.
inline bool IsHttpParseError(const boost::system::error_code& ec) {
  namespace bhttp = boost::beast::http;
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
         ec != bhttp::error::partial_message && ec != bhttp::error::end_of_stream;
}

// One request's use of an upstream: the host chosen, the borrowed connection
// and the route-timeout deadline on it. The deadline belongs to the
// downstream connection (one timer for all its exchanges); it is attached to
// the borrowed socket and detached before the socket goes back or closes.
struct UpstreamExchange {
  const config::Cluster* cluster = nullptr;
  std::shared_ptr<upstream::HostPool> pool;
  upstream::ClusterStats* stats = nullptr;
  std::unique_ptr<upstream::UpstreamConnection> connection;
  SocketDeadline* deadline = nullptr;
  bool reused = false;
  bool body_started = false;        // request body bytes consumed from downstream
  bool request_sent = false;        // the whole request was written upstream
  bool upstream_keep_alive = true;  // the response allows reuse
  std::chrono::steady_clock::time_point sent_at;

  UpstreamExchange() = default;
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;
  ~UpstreamExchange() {
    if (deadline != nullptr) deadline->Attach(nullptr);
  }

  // Returns the connection to its pool (or closes it) and detaches the deadline.
  void Release(bool reusable) {
    if (deadline != nullptr) deadline->Attach(nullptr);
    if (connection) pool->Release(std::move(connection), reusable);
  }
};

}  // namespace tether::http
