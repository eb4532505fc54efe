#include "src/httpserver/http_connection.h"

#include <iterator>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/str_cat.h"
#include "src/common/lingering_close.h"
#include "src/common/socket_deadline.h"

namespace tether::httpserver {

namespace bhttp = boost::beast::http;

namespace {

// Bytes held unparsed: the head, or a chunk-size line or trailer section,
// which Beast buffers whole and header_limit does not cover (400 beyond).
constexpr size_t kMaxPendingSlack = 8 * 1024;
constexpr size_t kLingerBytes = 1024 * 1024;

// Why reading failed, as the response the client gets before the close;
// none for a peer that went away or a read the deadline cancelled.
std::optional<Response> ReadErrorResponse(const boost::system::error_code& ec) {
  const auto& parse_errors = bhttp::make_error_code(bhttp::error::bad_method).category();
  const bool peer_gone = ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
  Response r;
  if (ec == bhttp::error::body_limit) {
    r.status = 413;
  } else if (ec == bhttp::error::header_limit) {
    r.status = 431;
  } else if (ec.category() == parse_errors && !peer_gone) {
    r.status = 400;
  } else {
    return std::nullopt;
  }
  r.body = absl::StrCat("bad request: ", ec.message(), "\n");
  return r;
}

bhttp::response<bhttp::string_body> ToMessage(Response& r, bool head, bool keep_alive) {
  bhttp::response<bhttp::string_body> m{static_cast<bhttp::status>(r.status), 11};
  m.set(bhttp::field::content_type, r.content_type);
  m.set(bhttp::field::cache_control, "no-cache, max-age=0");
  m.set("X-Content-Type-Options", "nosniff");
  if (!r.allow.empty()) m.set(bhttp::field::allow, r.allow);
  m.keep_alive(keep_alive);
  m.content_length(r.body.size());  // HEAD keeps the length of the GET
  if (!head) m.body() = std::move(r.body);
  return m;
}

class Connection {
 public:
  Connection(std::shared_ptr<HttpServer::State> state, TcpSocket socket)
      : state_(std::move(state)),
        options_(state_->options),
        socket_(std::move(socket)),
        deadline_(socket_),
        buffer_(options_.max_head_bytes + kMaxPendingSlack),
        id_(state_->next_id++) {
    state_->connections[id_] = &socket_;
  }
  // Also when the coroutine ends by an exception: the server's count and
  // map never keep a connection that is gone.
  ~Connection() {
    state_->connections.erase(id_);
    --state_->open;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Awaitable<void> Run() {
    while (!state_->stopped && co_await ServeOne()) {
    }
    boost::system::error_code ignored;
    socket_.shutdown(TcpSocket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  // One request and its response; false when the connection should close.
  Awaitable<bool> ServeOne() {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(options_.max_head_bytes);
    parser.body_limit(options_.max_body_bytes);
    if (buffer_.size() == 0) {  // nothing pipelined: wait for the first byte
      deadline_.Arm(options_.idle_timeout);
      auto [ec] = co_await socket_.async_wait(TcpSocket::wait_read, kNoThrow);
      if (ec || state_->stopped) co_return false;
    }
    deadline_.Arm(options_.request_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(socket_, buffer_, parser, kNoThrow);
    if (!ec && static_cast<size_t>(std::distance(parser.get().begin(), parser.get().end())) > options_.max_header_count) {
      Response refusal{.status = 431, .body = "bad request: too many header fields\n"};
      co_await Refuse(refusal);
      co_return false;
    }
    if (!ec) std::tie(ec, n) = co_await bhttp::async_read(socket_, buffer_, parser, kNoThrow);
    if (state_->stopped) co_return false;  // a read that completed just before Stop()
    if (ec) {
      if (auto refusal = ReadErrorResponse(ec)) co_await Refuse(*refusal);
      co_return false;
    }
    const Request& request = parser.get();
    Response response = state_->handler(request);
    const bool keep_alive = request.keep_alive() && !response.close;
    const bool ok = co_await Write(response, request.method() == bhttp::verb::head, keep_alive);
    // Once the response is out (or its write failed), so the client sees it first.
    if (response.after_sent && !state_->stopped) response.after_sent();
    co_return ok && keep_alive;
  }

  // Answers a request that broke a bound and closes after a lingering read.
  // (Arguments by reference to named locals: GCC 12 mishandles temporaries
  // passed by value into a coroutine inside a co_await.)
  Awaitable<void> Refuse(Response& response) {
    const bool written = co_await Write(response, false, false);
    if (written) {
      co_await LingeringClose(socket_, deadline_, {.time = options_.linger_time, .max_bytes = kLingerBytes});
    }
  }

  // Moves the body out of `response`.
  Awaitable<bool> Write(Response& response, bool head, bool keep_alive) {
    auto message = ToMessage(response, head, keep_alive);
    deadline_.Arm(options_.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(socket_, message, kNoThrow);
    deadline_.Disarm();
    co_return !ec;
  }

  std::shared_ptr<HttpServer::State> state_;
  const ServerOptions& options_;
  TcpSocket socket_;
  SocketDeadline deadline_;
  boost::beast::flat_buffer buffer_;
  const uint64_t id_;
};

}  // namespace

Awaitable<void> ServeConnection(std::shared_ptr<HttpServer::State> state, TcpSocket socket) {
  Connection connection(std::move(state), std::move(socket));
  co_await connection.Run();
}

}  // namespace tether::httpserver
