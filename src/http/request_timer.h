#pragma once

#include <chrono>
#include <functional>

#include "src/common/timer_heap.h"

namespace tether::http {

// A one-shot timer a request owns (its route timeout), on the worker's TimerHeap. Disarm or
// destruction guarantees the callback never runs.
class RequestTimer {
 public:
  explicit RequestTimer(TimerHeap& timers);
  RequestTimer(const RequestTimer&) = delete;
  RequestTimer& operator=(const RequestTimer&) = delete;

  // Runs `fn` once after `after`, on the heap's thread; replaces an armed one. Zero disarms. `fn`
  // must not destroy this.
  void Arm(std::chrono::milliseconds after, std::function<void()> fn);
  void Disarm();
  bool armed() const { return timer_.armed(); }

 private:
  void OnTimer();

  std::function<void()> fn_;
  TimerHeap::Timer timer_;
};

}  // namespace tether::http
