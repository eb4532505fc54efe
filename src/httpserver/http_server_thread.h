#pragma once

#include <cstdint>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "src/httpserver/http_server.h"

namespace tether::httpserver {

// An HttpServer on an io_context and thread of its own (the control plane,
// whose other work runs on gRPC's threads). The handler runs on that thread.
class HttpServerThread {
 public:
  HttpServerThread(Handler handler, ServerOptions options);
  ~HttpServerThread();  // stops and joins
  HttpServerThread(const HttpServerThread&) = delete;
  HttpServerThread& operator=(const HttpServerThread&) = delete;

  // Binds (on the caller's thread, so a refused bind is returned here), then
  // starts the thread; the bound port.
  absl::StatusOr<uint16_t> Start(const std::string& address, uint16_t port);

 private:
  boost::asio::io_context io_;
  HttpServer server_;
  std::thread thread_;
};

}  // namespace tether::httpserver
