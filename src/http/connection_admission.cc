// Whether a new downstream connection is served, and what it may buffer:
// the DownstreamConnection methods for the overload manager's
// stop_accepting_connections, the listener's max_connections and its
// per_connection_buffer_limit_bytes (docs/security.md).
#include <algorithm>

#include "src/http/downstream_connection.h"

namespace tether::http {

namespace {

// A body moves through the relay buffer a piece at a time; past 32 KiB a
// bigger piece buys nothing (one read, one write each).
constexpr size_t kMaxRelayBuffer = 32 * 1024;

}  // namespace

bool DownstreamConnection::Admit(const ListenerRuntime& runtime) {
  ListenerStats& stats = *runtime.stats;
  // Envoy's tcp_listener_accept load shed point: accepted and closed, so the
  // client learns at once instead of waiting in the kernel's backlog.
  if (worker_.overload != nullptr && worker_.overload->stop_accepting_connections()) {
    stats.downstream_cx_overload_reject.Inc();
    return false;
  }
  if (!slot_.TryTake(runtime.connections, runtime.config->max_connections)) {
    stats.downstream_cx_overflow.Inc();
    return false;
  }
  if (worker_.overload != nullptr) {
    worker_.overload->ConnectionOpened();
    counted_in_overload_ = true;
  }
  cx_stats_ = runtime.stats;
  cx_stats_->downstream_cx_total.Inc();
  cx_stats_->downstream_cx_active.Inc();
  // The relay buffer carries the request body up, then the response body
  // down; it takes at most half of the limit, the read buffer the rest.
  const size_t limit = runtime.config->per_connection_buffer_limit_bytes;
  body_buffer_.resize(std::min(kMaxRelayBuffer, limit / 2));
  return true;
}

// Bytes read from the client and not yet relayed: at most the listener's
// limit less the relay buffer, but always room for a whole request head
// (max_request_headers_kb is its own limit, 431 beyond). Set per request, as
// the config may have changed; never below what the buffer holds already.
void DownstreamConnection::SizeReadBuffer(const config::Listener& listener) {
  const size_t limit = listener.per_connection_buffer_limit_bytes;
  const size_t relay = body_buffer_.size();
  const size_t read_limit = std::max<size_t>(limit > relay ? limit - relay : 0, listener.max_request_headers_bytes);
  buffer_.max_size(std::max(read_limit, buffer_.size()));
}

}  // namespace tether::http
