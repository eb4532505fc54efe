#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/status/statusor.h"
#include "src/common/stats.h"

namespace tether::httpserver {

// A request as the handler sees it: read whole, within the limits below.
using Request = boost::beast::http::request<boost::beast::http::string_body>;

// What a handler answers. The server adds Content-Length, Cache-Control:
// no-cache and X-Content-Type-Options: nosniff; a HEAD gets the head only.
struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;   // the Allow header (a 405)
  bool close = false;  // close the connection after this response
  // Runs once the response is written (not after Stop()): an action the
  // client must see acknowledged first (the admin's POST /quitquitquit).
  std::function<void()> after_sent;
};

// Called on the server's io_context thread, one request at a time per
// connection. Must not throw.
using Handler = std::function<Response(const Request&)>;

// The bounds every input is held to. A request breaking one is answered (431
// head too large or too many fields, 413 body too large, 400 unparsable) and
// its connection closed after a lingering read; a client that stalls is cut
// without an answer.
struct ServerOptions {
  std::string name = "http";  // in logs and bind errors ("admin", "health")
  uint32_t max_head_bytes = 8 * 1024;
  uint64_t max_body_bytes = 64 * 1024;
  uint32_t max_header_count = 100;
  // Waiting for a request's first byte (a new or kept-alive connection).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // From a request's first byte until it is read whole; again for writing
  // its response.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds linger_time{std::chrono::seconds(2)};
  // At most this many open connections (0: no limit); one more is accepted,
  // closed at once and counted in `overflow` (when set).
  uint32_t max_connections = 0;
  stats::Counter* overflow = nullptr;
};

// A small HTTP/1.1 server (Beast, coroutines) with handlers plugged in: the
// admin endpoint and the control plane's health/metrics endpoint. Not the
// data plane's (src/http). Runs on the caller's io_context; all calls on
// that context's thread (or before it runs). HttpServerThread gives it a
// thread of its own.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, Handler handler, ServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds address:port (BindAcceptor) and starts accepting; the bound port
  // (for port 0).
  absl::StatusOr<uint16_t> Start(const std::string& address, uint16_t port);
  // Closes the listening socket and every open connection; no handler or
  // after_sent runs afterwards.
  void Stop();

  // The state the accept loop and the connections share; outlives the
  // server while their coroutines finish.
  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tether::httpserver
