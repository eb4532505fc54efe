#pragma once

#include "src/common/io.h"

#include <cstdint>
#include <string>

#include "src/http/connection_manager.h"
#include "src/http/worker_state.h"

namespace tether::http {

// Serves one accepted downstream connection on its worker (what the server's
// network::ConnectionHandlerFactory calls): admits it (overload, max_connections; refused ones are
// closed at once), then picks the codec by the listener's codec_type: HTTP1 → DownstreamConnection,
// HTTP2 → ConnectionManager, AUTO → ProtocolSniffer first. `streams` makes each HTTP/2 stream's
// object.
void ServeDownstream(TcpSocket socket, const std::string& listener_name, uint64_t listener_id, WorkerState& worker,
                     const ConnectionManager::StreamFactory& streams);

}  // namespace tether::http
