#include "src/http/request_timer.h"

#include <boost/asio/bind_allocator.hpp>

#include "src/common/recycling_pool.h"

namespace tether::http {

RequestTimer::RequestTimer(const IoExecutor& executor)
    : state_(std::allocate_shared<State>(RecyclingAllocator<State>(), executor)) {}

RequestTimer::~RequestTimer() { Disarm(); }

void RequestTimer::Arm(std::chrono::milliseconds after, std::function<void()> fn) {
  Disarm();
  if (after.count() <= 0) return;
  State& s = *state_;
  s.fn = std::move(fn);
  const uint64_t generation = s.generation;
  s.timer.expires_after(after);
  s.timer.async_wait(boost::asio::bind_allocator(
      RecyclingAllocator<void>(), [state = state_, generation](const boost::system::error_code& ec) {
        if (ec || state->generation != generation || !state->fn) return;
        std::function<void()> fn = std::move(state->fn);
        state->fn = nullptr;
        fn();
      }));
}

void RequestTimer::Disarm() {
  ++state_->generation;
  state_->fn = nullptr;
  state_->timer.cancel();
}

}  // namespace tether::http
