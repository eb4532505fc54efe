#pragma once

#include "src/common/io.h"

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tether {

// A deadline for the I/O pending on one socket: when it passes, the socket's
// operations are cancelled (they complete with operation_aborted) and
// expired() says why. Safe to destroy with the timer pending.
//
// Re-arming is cheap: the deadline is a time stored here, and the timer is
// only moved when the new deadline is earlier than the timer's expiry. A
// timer that fires early re-arms itself for the stored deadline. So a
// keep-alive connection arming per request makes no timer syscall per request.
class SocketDeadline {
 public:
  explicit SocketDeadline(TcpSocket& socket);
  // Not watching a socket until Attach(): for deadlines that move from one
  // socket to the next (a downstream connection's upstream exchanges).
  explicit SocketDeadline(const IoExecutor& executor);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Watches `socket` from now on (nullptr: none), disarmed and not expired.
  void Attach(TcpSocket* socket);
  // A zero duration disarms.
  void Arm(std::chrono::milliseconds timeout);
  void Disarm();
  bool expired() const { return state_->expired; }
  // Cancels the I/O pending on the watched socket now, without expiring
  // (another deadline, the stream's, ended it).
  void CancelPending();

 private:
  using Clock = std::chrono::steady_clock;
  struct State {
    TcpSocket* socket;
    SteadyTimer timer;
    bool armed = false;
    bool expired = false;
    bool waiting = false;         // the timer has a wait pending
    Clock::time_point deadline;   // valid when armed
  };
  static void Wait(const std::shared_ptr<State>& state);

  std::shared_ptr<State> state_;
};

}  // namespace tether
