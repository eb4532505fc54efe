#pragma once

#include "src/common/io.h"

#include <chrono>

namespace tether::transport {

// A one-waiter wake-up for coroutines of one worker: Wait() returns at once when Notify() came
// since the last Wait(), else when it comes. A timer that never expires is the parking place;
// Notify() cancels it. Not thread-safe (one worker).
class Wakeup {
 public:
  explicit Wakeup(const IoExecutor& executor) : timer_(executor) {}
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  Awaitable<void> Wait() {
    if (!notified_) {
      waiting_ = true;
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
      co_await timer_.async_wait(kNoThrow);
      waiting_ = false;
    }
    notified_ = false;
  }
  void Notify() {
    notified_ = true;
    if (waiting_) timer_.cancel();
  }
  bool waiting() const { return waiting_; }

 private:
  SteadyTimer timer_;
  bool notified_ = false;
  bool waiting_ = false;
};

}  // namespace tether::transport
