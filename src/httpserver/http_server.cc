#include "src/httpserver/http_server.h"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include "src/common/bind_acceptor.h"
#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"
#include "src/common/log_exception.h"
#include "src/httpserver/http_connection.h"
#include "src/httpserver/server_state.h"

namespace tether::httpserver {

namespace asio = boost::asio;

namespace {

constexpr std::chrono::milliseconds kAcceptBackoff{100};

Awaitable<void> AcceptLoop(std::shared_ptr<HttpServer::State> state) {
  SteadyTimer backoff(state->acceptor.get_executor());
  while (state->acceptor.is_open()) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kNoThrow);
    if (state->stopped || !state->acceptor.is_open()) co_return;
    if (ec) {
      // e.g. out of descriptors: wait a little rather than spin on the error.
      backoff.expires_after(kAcceptBackoff);
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    // Counted here, not when the connection's coroutine starts: co_spawn
    // runs it later, after a burst of accepts.
    const uint32_t max = state->options.max_connections;
    if (max != 0 && state->open >= max) {
      if (state->options.overflow != nullptr) state->options.overflow->Inc();
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++state->open;
    asio::co_spawn(state->acceptor.get_executor(), ServeConnection(state, std::move(socket)), LogConnectionException);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, Handler handler, ServerOptions options)
    : state_(std::make_shared<State>(io, std::move(handler), std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<uint16_t> HttpServer::Start(const std::string& address, uint16_t port) {
  if (absl::Status s = BindAcceptor(state_->acceptor, state_->options.name, address, port); !s.ok()) return s;
  boost::system::error_code ec;
  const uint16_t bound = state_->acceptor.local_endpoint(ec).port();
  if (ec) return absl::UnavailableError(absl::StrCat(state_->options.name, ": ", ec.message()));
  asio::co_spawn(state_->acceptor.get_executor(), AcceptLoop(state_), LogConnectionException);
  spdlog::info("{} listening on {}", state_->options.name, HostPort(address, bound));
  return bound;
}

void HttpServer::Stop() {
  State& s = *state_;
  s.stopped = true;
  boost::system::error_code ignored;
  s.acceptor.close(ignored);
  // Closing wakes each connection's pending read or write with an error;
  // its coroutine then removes it from the map.
  for (auto& [id, socket] : s.connections) socket->close(ignored);
}

}  // namespace tether::httpserver
