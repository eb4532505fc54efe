#include "src/http/request_timer.h"

#include <utility>

#include "src/common/loop_clock.h"

namespace tether::http {

RequestTimer::RequestTimer(TimerHeap& timers) : timer_(timers, [this] { OnTimer(); }) {}

void RequestTimer::Arm(std::chrono::milliseconds after, std::function<void()> fn) {
  Disarm();
  if (after.count() <= 0) return;
  fn_ = std::move(fn);
  timer_.ArmAt(LoopClock::Now() + after);
}

void RequestTimer::Disarm() {
  timer_.Disarm();
  fn_ = nullptr;
}

void RequestTimer::OnTimer() {
  // Moved out first: the callback may arm this timer again.
  std::function<void()> fn = std::move(fn_);
  fn_ = nullptr;
  if (fn) fn();
}

}  // namespace tether::http
