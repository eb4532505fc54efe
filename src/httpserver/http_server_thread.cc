#include "src/httpserver/http_server_thread.h"

namespace tether::httpserver {

HttpServerThread::HttpServerThread(Handler handler, ServerOptions options)
    : server_(io_, std::move(handler), std::move(options)) {}

HttpServerThread::~HttpServerThread() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
  // The thread is gone: the server's state is this thread's to close.
  server_.Stop();
}

absl::StatusOr<uint16_t> HttpServerThread::Start(const std::string& address, uint16_t port) {
  auto bound = server_.Start(address, port);
  if (bound.ok()) thread_ = std::thread([this] { io_.run(); });
  return bound;
}

}  // namespace tether::httpserver
