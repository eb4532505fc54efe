// Whether a new downstream connection is served, and what it may buffer:
// the DownstreamConnection methods for the overload manager's
// stop_accepting_connections, the listener's max_connections and its
// per_connection_buffer_limit_bytes (docs/security.md).
#include <algorithm>

#include "src/http/downstream_connection.h"

namespace tether::http {

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
  const config::Listener& listener = *runtime.config;
  body_buffer_.resize(SplitBufferLimit(listener.per_connection_buffer_limit_bytes, 0).relay);
  return true;
}

// Set per request, as the config may have changed (the relay buffer keeps
// the size it was given); never below what the buffer holds already, which
// Beast's read_size requires.
void DownstreamConnection::SizeReadBuffer(const config::Listener& listener) {
  const size_t read =
      SplitBufferLimit(listener.per_connection_buffer_limit_bytes, listener.max_request_headers_bytes).read;
  buffer_.max_size(std::max(read, buffer_.size()));
}

}  // namespace tether::http
