#include "src/upstream/tcp_connect.h"

#include <memory>

#include "absl/strings/str_cat.h"

namespace tether::upstream {

namespace asio = boost::asio;
using asio::ip::tcp;

Awaitable<absl::StatusOr<TcpSocket>> ConnectTcp(IoExecutor executor, const config::Host& host,
                                                std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host.address, ec);
  if (ec) co_return absl::InvalidArgumentError(absl::StrCat("bad host address ", host.address));
  TcpSocket socket(executor);
  SteadyTimer timer(executor);
  // The timer's handler may already be queued when the connect completes, so
  // it reaches the socket through state that is cleared before we return.
  struct State {
    TcpSocket* socket;
    bool timed_out = false;
  };
  auto state = std::make_shared<State>(State{&socket});
  timer.expires_after(timeout);
  timer.async_wait([state](const boost::system::error_code& e) {
    if (e || state->socket == nullptr) return;
    state->timed_out = true;
    boost::system::error_code ignored;
    state->socket->close(ignored);
  });
  auto [connect_ec] = co_await socket.async_connect(tcp::endpoint(address, host.port), kNoThrow);
  timer.cancel();
  state->socket = nullptr;
  if (state->timed_out) co_return absl::DeadlineExceededError(absl::StrCat("connect timeout to ", host.Key()));
  if (connect_ec) {
    co_return absl::UnavailableError(absl::StrCat("connect to ", host.Key(), ": ", connect_ec.message()));
  }
  socket.set_option(tcp::no_delay(true), ec);
  co_return std::move(socket);
}

}  // namespace tether::upstream
