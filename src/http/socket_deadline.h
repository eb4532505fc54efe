#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tether::http {

// A deadline for the I/O pending on one socket: when it expires, the socket's
// operations are cancelled (they complete with operation_aborted) and
// expired() says why. Safe to destroy with the timer pending.
class SocketDeadline {
 public:
  explicit SocketDeadline(boost::asio::ip::tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // A zero duration disarms.
  void Arm(std::chrono::milliseconds timeout);
  void Disarm();
  bool expired() const { return state_->expired; }

 private:
  struct State {
    boost::asio::ip::tcp::socket* socket;
    bool expired = false;
    uint64_t generation = 0;
  };
  std::shared_ptr<State> state_;
  boost::asio::steady_timer timer_;
};

}  // namespace tether::http
