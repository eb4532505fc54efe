#pragma once

#include "src/common/io.h"

#include <cstdint>
#include <string>

#include "src/http/worker_state.h"

namespace tether::network {

// Which listener accepted a connection.
struct AcceptedFrom {
  const std::string& listener_name;
  uint64_t listener_id;  // the accepting socket's, unique on its worker
};

// What a listener does with each connection it accepts: the seam between accepting (this room)
// and serving (http, wired by server). The listener knows no protocol; the factory decides how the
// connection is served (the connection manager by codec_type, a later TLS wrapper first) and
// starts it on the worker's executor. One factory serves every worker; it keeps no state of its
// own, so it is called from each worker's thread.
class ConnectionHandlerFactory {
 public:
  virtual ~ConnectionHandlerFactory() = default;
  virtual void OnAccepted(TcpSocket socket, const AcceptedFrom& from, http::WorkerState& worker) const = 0;
};

}  // namespace tether::network
