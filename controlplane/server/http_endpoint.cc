#include "controlplane/server/http_endpoint.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tether::controlplane {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One connection: read a request, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpEndpoint::Handler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->Answer();
    });
  }

 private:
  void Answer() {
    const std::string_view target(request_.target().data(), request_.target().size());
    HttpEndpoint::Reply reply;
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      reply = {405, "text/plain; charset=utf-8", "method not allowed\n"};
    } else {
      reply = handler_(target.substr(0, target.find('?')));
    }
    response_.result(reply.status);
    response_.version(11);
    response_.set(http::field::content_type, reply.content_type);
    response_.keep_alive(false);
    response_.body() = std::move(reply.body);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  const HttpEndpoint::Handler& handler_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

bool SplitHostPort(const std::string& address, std::string& host, uint16_t& port) {
  const size_t colon = address.rfind(':');
  uint32_t p = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &p) || p > 65535) return false;
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  port = static_cast<uint16_t>(p);
  return !host.empty();
}

HttpEndpoint::HttpEndpoint(Handler handler) : handler_(std::move(handler)) {}

HttpEndpoint::~HttpEndpoint() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status HttpEndpoint::Start(const std::string& address) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(address, host, port)) return absl::InvalidArgumentError(address + ": want HOST:PORT");
  beast::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(address, ": ", ec.message()));
  const tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("http ", address, ": ", ec.message()));
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { io_.run(); });
  return absl::OkStatus();
}

void HttpEndpoint::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handler_)->Start();
    Accept();
  });
}

}  // namespace tether::controlplane
