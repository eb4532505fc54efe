#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"

namespace tether::controlplane {

// A small HTTP/1.1 endpoint (Beast) for /healthz, /readyz and /metrics, on
// its own thread: one GET per connection, answered by `handler`.
class HttpEndpoint {
 public:
  struct Reply {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  using Handler = std::function<Reply(std::string_view path)>;

  explicit HttpEndpoint(Handler handler);
  ~HttpEndpoint();  // stops and joins
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Binds `address` ("127.0.0.1:15014") and starts serving.
  absl::Status Start(const std::string& address);
  uint16_t port() const { return port_; }

 private:
  void Accept();

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  uint16_t port_ = 0;
  std::thread thread_;
};

// "HOST:PORT" split; false when it is not one.
bool SplitHostPort(const std::string& address, std::string& host, uint16_t& port);

}  // namespace tether::controlplane
