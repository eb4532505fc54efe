#include "src/network/listener_socket.h"

#include "src/common/io.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "src/common/bind_acceptor.h"
#include "src/common/log_exception.h"

namespace tether::network {

namespace asio = boost::asio;
using asio::ip::tcp;

ListenerSocket::ListenerSocket(asio::io_context& io, http::WorkerState& state,
                               const ConnectionHandlerFactory& handlers)
    : acceptor_(io), state_(state), handlers_(handlers), id_(++state.listener_sockets_made) {}

absl::Status ListenerSocket::Bind(const config::Listener& listener) {
  name_ = listener.name;
  return BindAcceptor(acceptor_, absl::StrCat("listener ", name_), listener.address, listener.port, {.reuse_port = true});
}

uint16_t ListenerSocket::port() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void ListenerSocket::StartAccepting() {
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(shared_from_this()), LogConnectionException);
}

void ListenerSocket::Close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

Awaitable<void> ListenerSocket::AcceptLoop([[maybe_unused]] std::shared_ptr<ListenerSocket> self) {
  SteadyTimer backoff(acceptor_.get_executor());
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      spdlog::warn("listener {}: accept: {}", name_, ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    handlers_.OnAccepted(std::move(socket), AcceptedFrom{name_, id_}, state_);
  }
}

}  // namespace tether::network
