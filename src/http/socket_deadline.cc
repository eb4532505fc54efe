#include "src/http/socket_deadline.h"

namespace tether::http {

SocketDeadline::SocketDeadline(boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(State{&socket})), timer_(socket.get_executor()) {}

SocketDeadline::~SocketDeadline() { state_->socket = nullptr; }

void SocketDeadline::Arm(std::chrono::milliseconds timeout) {
  Disarm();
  if (timeout.count() <= 0) return;
  state_->expired = false;
  timer_.expires_after(timeout);
  // The handler holds the state, not `this`: a completion already queued when
  // the owner goes away (or re-arms) finds a null socket or a newer generation.
  timer_.async_wait([state = state_, generation = state_->generation](const boost::system::error_code& ec) {
    if (ec || state->socket == nullptr || generation != state->generation) return;
    state->expired = true;
    boost::system::error_code ignored;
    state->socket->cancel(ignored);
  });
}

void SocketDeadline::Disarm() {
  ++state_->generation;
  timer_.cancel();
}

}  // namespace tether::http
