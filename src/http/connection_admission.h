#pragma once

#include <memory>
#include <optional>

#include "src/codec/codec.h"
#include "src/common/overload_state.h"
#include "src/http/connection_limit.h"
#include "src/http/listener_runtime.h"

namespace tether::http {

// Whether a new downstream connection is served (the overload manager's
// stop_accepting_connections, the listener's max_connections) and, while it is, its place in both
// counts and in downstream_cx_active. Taken at accept, before the protocol is known, so an idle
// connection counts from its first moment; handed to whatever then serves the connection.
class ConnectionAdmission {
 public:
  ConnectionAdmission() = default;
  ~ConnectionAdmission();
  ConnectionAdmission(const ConnectionAdmission&) = delete;
  ConnectionAdmission& operator=(const ConnectionAdmission&) = delete;

  // False (and the refusal counted) when the connection must be closed at once.
  bool Admit(const ListenerRuntime& runtime, OverloadState* overload);
  // The stats the connection is counted in (those of the listener when admitted).
  const std::shared_ptr<ListenerStats>& stats() const { return stats_; }
  // The connection's protocol is known: downstream_cx_http{1,2}_total and _active (until the
  // admission goes with its connection).
  void SetProtocol(codec::Protocol protocol);

 private:
  ConnectionSlot slot_;
  OverloadState* overload_ = nullptr;  // set once counted in it
  std::shared_ptr<ListenerStats> stats_;
  std::optional<codec::Protocol> protocol_;
};

}  // namespace tether::http
