#pragma once

#include <memory>

#include "src/common/io.h"
#include "src/httpserver/server_state.h"

namespace tether::httpserver {

// Serves one accepted connection: reads a request within the limits of
// `state->options`, answers it with the handler's response, and loops while
// both sides keep the connection alive. Counted in `state->open` by the
// caller; uncounted here when the connection ends.
Awaitable<void> ServeConnection(std::shared_ptr<HttpServer::State> state, TcpSocket socket);

}  // namespace tether::httpserver
