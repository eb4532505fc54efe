#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace tether::http {

// A one-shot timer a request owns (its route timeout). Disarm or destruction guarantees the
// callback never runs, even with a completion already queued: the pending wait holds the state,
// not the owner, and finds its generation outdated.
class RequestTimer {
 public:
  explicit RequestTimer(const IoExecutor& executor);
  ~RequestTimer();
  RequestTimer(const RequestTimer&) = delete;
  RequestTimer& operator=(const RequestTimer&) = delete;

  // Runs `fn` once after `after`, on the executor's thread; replaces an armed one. Zero disarms.
  void Arm(std::chrono::milliseconds after, std::function<void()> fn);
  void Disarm();
  bool armed() const { return static_cast<bool>(state_->fn); }

 private:
  struct State {
    explicit State(const IoExecutor& executor) : timer(executor) {}
    SteadyTimer timer;
    std::function<void()> fn;
    uint64_t generation = 0;
  };
  std::shared_ptr<State> state_;
};

}  // namespace tether::http
