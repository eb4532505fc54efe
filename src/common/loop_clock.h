#pragma once

#include <chrono>

namespace tether {

// The worker's steady clock, read once per I/O step instead of several times per request (a
// request asked the kernel's clock about a dozen times). Inside a Scope, Now() is the time the
// outermost scope began: stale by at most one step's work, which is what timeouts, idle marks and
// durations need. Outside any scope (timer handlers, the main thread, tests) it reads the clock.
// A timer that decides whether a deadline passed reads the real clock: a stale time would
// re-arm the same expiry.
class LoopClock {
 public:
  using Clock = std::chrono::steady_clock;

  static Clock::time_point Now() { return depth_ > 0 ? now_ : Clock::now(); }

  class Scope {
   public:
    Scope() {
      if (depth_++ == 0) now_ = Clock::now();
    }
    ~Scope() { --depth_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

 private:
  static constinit thread_local inline unsigned depth_ = 0;
  static constinit thread_local inline Clock::time_point now_{};
};

}  // namespace tether
