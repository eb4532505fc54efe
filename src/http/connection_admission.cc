// Whether a new downstream connection is served: the overload manager's
// stop_accepting_connections and the listener's max_connections (docs/security.md).
#include "src/http/connection_admission.h"

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

}  // namespace tether::http
