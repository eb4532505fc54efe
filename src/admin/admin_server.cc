#include "src/admin/admin_server.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_handler.h"
#include "src/admin/request_origin.h"

namespace tether::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Admin requests are a line and a few headers; anything bigger is a mistake
// or an attack, and the admin port must not let either hold memory.
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr uint64_t kMaxBodyBytes = 64 * 1024;
// Bytes held unparsed: the head, or a chunk-size line or trailer section,
// which Beast buffers whole and header_limit does not cover (400 beyond).
constexpr size_t kMaxPendingBytes = kMaxHeaderBytes + 8 * 1024;
// An idle keep-alive client (or one that stalls mid-request) is dropped.
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr size_t kLingerBytes = 1024 * 1024;

using Response = bhttp::response<bhttp::string_body>;

Response ToResponse(AdminReply reply, bool head, bool keep_alive) {
  Response res{static_cast<bhttp::status>(reply.status), 11};
  res.set(bhttp::field::content_type, reply.content_type);
  res.set(bhttp::field::cache_control, "no-cache, max-age=0");
  res.set("X-Content-Type-Options", "nosniff");
  if (!reply.allow.empty()) res.set(bhttp::field::allow, reply.allow);
  res.keep_alive(keep_alive);
  res.content_length(reply.body.size());  // HEAD keeps the length of the GET
  if (!head) res.body() = std::move(reply.body);
  return res;
}

// Why the read failed, as the reply the client gets before the close; none
// for a peer that went away or timed out.
std::optional<AdminReply> ReadErrorReply(const boost::system::error_code& ec) {
  const auto& parse_errors = bhttp::make_error_code(bhttp::error::bad_method).category();
  const bool peer_gone = ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
  AdminReply r;
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

}  // namespace

// The acceptor and open connections. Shared with the coroutines, so one
// finishing after the AdminServer is gone (the io_context still runs its
// cancelled handlers) touches live state.
struct AdminListener : std::enable_shared_from_this<AdminListener> {
  AdminListener(asio::io_context& io, AdminContext& context, bool health_only)
      : acceptor(io), context(&context), handler(context, health_only), health_only(health_only) {}

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    while (acceptor.is_open()) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (!acceptor.is_open()) co_return;
      if (ec) {
        // e.g. out of descriptors: wait a little rather than spin on the error.
        asio::steady_timer backoff(acceptor.get_executor(), kAcceptBackoff);
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      // Counted here, not when Serve starts: co_spawn runs it later, after
      // a burst of accepts.
      if (max_connections != 0 && open >= max_connections) {
        if (overflow != nullptr) overflow->Inc();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++open;
      asio::co_spawn(acceptor.get_executor(), Serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> Serve(beast::tcp_stream stream) {
    auto self = shared_from_this();
    const uint64_t id = next_id++;
    connections[id] = &stream;
    beast::flat_buffer buffer(kMaxPendingBytes);
    while (!stopped && co_await ServeOne(stream, buffer)) {
    }
    connections.erase(id);
    --open;
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }

  // One request and its reply; false when the connection should close.
  asio::awaitable<bool> ServeOne(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kIdleTimeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    if (stopped) co_return false;  // a read that completed just before Stop()
    if (ec) {
      if (auto reply = ReadErrorReply(ec)) {
        if (co_await Write(stream, *std::move(reply), false, false)) co_await LingeringClose(stream);
      }
      co_return false;
    }
    const auto& req = parser.get();
    AdminReply reply;
    // The probe-only listener (health_only) serves kubelet on the pod's address.
    if (auto refused = health_only ? std::nullopt
                                   : RefusedOrigin(std::string_view(req[bhttp::field::host]),
                                                   std::string_view(req[bhttp::field::origin]))) {
      reply.status = 403;
      reply.body = *std::move(refused);
    } else {
      reply = handler.Handle(std::string_view(req.method_string()), std::string_view(req.target()));
    }
    const bool quit = reply.quit;
    const bool keep_alive = req.keep_alive() && !quit;  // nothing more to serve after quit
    const bool ok = co_await Write(stream, std::move(reply), req.method() == bhttp::verb::head, keep_alive);
    // Quit only once the reply is out, so the caller sees its 200.
    if (quit && context) context->Quit();
    co_return ok && keep_alive;
  }

  asio::awaitable<bool> Write(beast::tcp_stream& stream, AdminReply reply, bool head, bool keep_alive) {
    Response res = ToResponse(std::move(reply), head, keep_alive);
    stream.expires_after(kIdleTimeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kNoThrow);
    co_return !ec;
  }

  // After refusing a request the client may still be sending it; closing with
  // unread bytes makes the kernel send a reset, which can destroy the reply
  // before the client reads it. So stop sending, and drain for a bounded while.
  asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTime);
    char sink[4096];
    for (size_t drained = 0; drained < kLingerBytes && !stopped;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
      if (ec) break;
      drained += n;
    }
  }

  void Stop() {
    stopped = true;
    context = nullptr;  // the owner may be going away
    boost::system::error_code ignored;
    acceptor.close(ignored);
    // Closing wakes each connection's pending read or write with an error;
    // the coroutine then removes itself from the map.
    for (auto& [id, stream] : connections) stream->socket().close(ignored);
  }

  tcp::acceptor acceptor;
  AdminContext* context;
  AdminHandler handler;
  const bool health_only;
  bool stopped = false;
  uint32_t max_connections = 0;  // 0: no limit
  stats::Counter* overflow = nullptr;
  size_t open = 0;  // accepted and not yet closed
  uint64_t next_id = 0;
  std::map<uint64_t, beast::tcp_stream*> connections;
};

struct AdminServer::Impl {
  std::shared_ptr<AdminListener> listener;
};

AdminServer::AdminServer(asio::io_context& io, AdminContext& context, bool health_only)
    : impl_(std::make_unique<Impl>(Impl{std::make_shared<AdminListener>(io, context, health_only)})) {}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::LimitConnections(uint32_t max, stats::Counter& overflow) {
  impl_->listener->max_connections = max;
  impl_->listener->overflow = &overflow;
}

absl::StatusOr<uint16_t> AdminServer::Start(const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad admin address \"", address, "\""));
  const tcp::endpoint endpoint(ip, port);
  auto& a = impl_->listener->acceptor;
  a.open(endpoint.protocol(), ec);
  // reuse_address lets a restarted sidecar bind while old connections sit in
  // TIME_WAIT; it does not allow two live listeners on one port.
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  const uint16_t bound = ec ? 0 : a.local_endpoint(ec).port();
  if (ec) {
    boost::system::error_code ignored;
    a.close(ignored);
    return absl::UnavailableError(ec.message());
  }
  asio::co_spawn(a.get_executor(), impl_->listener->Accept(), asio::detached);
  spdlog::info("admin listening on {}:{}", address, bound);
  return bound;
}

void AdminServer::Stop() { impl_->listener->Stop(); }

}  // namespace tether::admin
