#include "src/common/socket_deadline.h"

#include "src/common/io.h"

namespace tether {

SocketDeadline::SocketDeadline(TcpSocket& socket)
    : state_(std::make_shared<State>(State{&socket, SteadyTimer(socket.get_executor())})) {}

SocketDeadline::SocketDeadline(const IoExecutor& executor)
    : state_(std::make_shared<State>(State{nullptr, SteadyTimer(executor)})) {}

void SocketDeadline::Attach(TcpSocket* socket) {
  state_->socket = socket;
  state_->armed = false;
  state_->expired = false;
}

SocketDeadline::~SocketDeadline() {
  state_->socket = nullptr;
  state_->timer.cancel();
}

void SocketDeadline::Arm(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) {
    Disarm();
    return;
  }
  State& s = *state_;
  s.armed = true;
  s.expired = false;
  s.deadline = Clock::now() + timeout;
  // A pending wait that ends no later than the deadline will re-check then.
  if (s.waiting && s.timer.expiry() <= s.deadline) return;
  s.timer.expires_at(s.deadline);  // cancels a later pending wait
  Wait(state_);
}

void SocketDeadline::Disarm() { state_->armed = false; }

void SocketDeadline::CancelPending() {
  if (state_->socket == nullptr) return;
  boost::system::error_code ignored;
  state_->socket->cancel(ignored);
}

// The handler holds the state, not the owner: a completion that runs after
// the owner is gone finds a null socket.
void SocketDeadline::Wait(const std::shared_ptr<State>& state) {
  state->waiting = true;
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // replaced by an earlier expiry
    state->waiting = false;
    if (state->socket == nullptr || !state->armed) return;
    if (Clock::now() < state->deadline) {
      state->timer.expires_at(state->deadline);
      Wait(state);
      return;
    }
    state->armed = false;
    state->expired = true;
    boost::system::error_code ignored;
    state->socket->cancel(ignored);
  });
}

}  // namespace tether
