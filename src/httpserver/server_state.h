#pragma once

#include <cstdint>
#include <map>

#include <boost/asio/io_context.hpp>

#include "src/common/io.h"
#include "src/httpserver/http_server.h"

namespace tether::httpserver {

// What the accept loop and the connections share, on the server's thread.
// Held by shared_ptr from every coroutine, so one finishing after the
// HttpServer is gone (its io_context still runs the cancelled handlers)
// touches live state.
struct HttpServer::State {
  State(boost::asio::io_context& io, Handler h, ServerOptions o)
      : acceptor(io), handler(std::move(h)), options(std::move(o)) {}

  TcpAcceptor acceptor;
  const Handler handler;
  const ServerOptions options;
  bool stopped = false;
  uint32_t open = 0;  // accepted and not yet closed
  uint64_t next_id = 0;
  std::map<uint64_t, TcpSocket*> connections;  // closed by Stop()
};

}  // namespace tether::httpserver
