// Whether a new downstream connection is served, and what it may buffer:
// ConnectionAdmission for the overload manager's stop_accepting_connections and
// the listener's max_connections, and the DownstreamConnection methods for its
// per_connection_buffer_limit_bytes (docs/security.md).
#include "src/http/connection_admission.h"

#include <algorithm>

#include "src/http/downstream_connection.h"

namespace tether::http {

bool ConnectionAdmission::Admit(const ListenerRuntime& runtime, OverloadState* overload) {
  ListenerStats& stats = *runtime.stats;
  // Envoy's tcp_listener_accept load shed point: accepted and closed, so the
  // client learns at once instead of waiting in the kernel's backlog.
  if (overload != nullptr && overload->stop_accepting_connections()) {
    stats.downstream_cx_overload_reject.Inc();
    return false;
  }
  if (!slot_.TryTake(runtime.connections, runtime.config->max_connections)) {
    stats.downstream_cx_overflow.Inc();
    return false;
  }
  if (overload != nullptr) {
    overload->ConnectionOpened();
    overload_ = overload;
  }
  stats_ = runtime.stats;
  stats_->downstream_cx_total.Inc();
  stats_->downstream_cx_active.Inc();
  return true;
}

void ConnectionAdmission::SetProtocol(codec::Protocol protocol) {
  if (!stats_ || protocol_) return;
  protocol_ = protocol;
  stats_->CodecOpened(protocol);
}

ConnectionAdmission::~ConnectionAdmission() {
  if (stats_ && protocol_) stats_->CodecClosed(*protocol_);
  if (stats_) stats_->downstream_cx_active.Dec();
  if (overload_ != nullptr) overload_->ConnectionClosed();
}

bool DownstreamConnection::Admit(const ListenerRuntime& runtime) {
  // Admitted at accept (before telling its protocol), or here when constructed without it.
  if (!admission_) {
    admission_ = std::make_unique<ConnectionAdmission>();
    if (!admission_->Admit(runtime, worker_.overload)) return false;
  }
  cx_stats_ = admission_->stats();
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
