#include "src/http/stream_timeouts.h"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/error.hpp>

#include "src/common/recycling_pool.h"

namespace tether::http {

void StreamDeadlines::Start(Clock::time_point now, std::chrono::milliseconds idle, std::chrono::milliseconds request) {
  running_ = true;
  idle_ = idle;
  last_activity_ = now;
  request_deadline_.reset();
  if (request.count() > 0) request_deadline_ = now + request;
}

void StreamDeadlines::Touch(Clock::time_point now) {
  if (running_) last_activity_ = now;
}

void StreamDeadlines::Stop() {
  running_ = false;
  request_deadline_.reset();
}

std::optional<StreamDeadlines::Clock::time_point> StreamDeadlines::Next() const {
  if (!running_) return std::nullopt;
  std::optional<Clock::time_point> next = request_deadline_;
  if (idle_.count() > 0) {
    const Clock::time_point idle_deadline = last_activity_ + idle_;
    if (!next || idle_deadline < *next) next = idle_deadline;
  }
  return next;
}

StreamTimeout StreamDeadlines::Expired(Clock::time_point now) const {
  if (!running_) return StreamTimeout::kNone;
  const bool request = request_deadline_ && now >= *request_deadline_;
  const bool idle = idle_.count() > 0 && now >= last_activity_ + idle_;
  if (request && idle) return *request_deadline_ <= last_activity_ + idle_ ? StreamTimeout::kRequest : StreamTimeout::kIdle;
  if (request) return StreamTimeout::kRequest;
  if (idle) return StreamTimeout::kIdle;
  return StreamTimeout::kNone;
}

StreamTimeouts::StreamTimeouts(const IoExecutor& executor)
    : state_(std::allocate_shared<State>(RecyclingAllocator<State>(), executor)) {}

StreamTimeouts::~StreamTimeouts() {
  // A wait still pending holds the state; it must find nothing to call.
  state_->on_timeout = nullptr;
  state_->deadlines.Stop();
  state_->timer.cancel();
}

void StreamTimeouts::Start(std::chrono::milliseconds idle, std::chrono::milliseconds request, OnTimeout on_timeout) {
  State& s = *state_;
  s.fired = StreamTimeout::kNone;
  s.on_timeout = std::move(on_timeout);
  s.deadlines.Start(Clock::now(), idle, request);
  Schedule(state_);
}

void StreamTimeouts::Touch() {
  // After a timeout the stream is over: activity must not revive it.
  if (state_->fired == StreamTimeout::kNone) state_->deadlines.Touch(Clock::now());
}

void StreamTimeouts::RequestReceived() { state_->deadlines.RequestReceived(); }

void StreamTimeouts::Stop() {
  state_->deadlines.Stop();
  state_->on_timeout = nullptr;
}

// The handler holds the state, not the owner, so a completion after the
// owner is gone finds it stopped.
void StreamTimeouts::Schedule(const std::shared_ptr<State>& state) {
  const std::optional<Clock::time_point> next = state->deadlines.Next();
  if (!next) return;
  // A pending wait that ends no later than the deadline re-checks then.
  if (state->waiting && state->timer.expiry() <= *next) return;
  state->timer.expires_at(*next);  // cancels a later pending wait
  state->waiting = true;
  auto on_expiry = [state](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // replaced by an earlier expiry
    state->waiting = false;
    const StreamTimeout which = state->deadlines.Expired(Clock::now());
    if (which == StreamTimeout::kNone) {
      Schedule(state);  // woke early (activity moved the deadline), or stopped
      return;
    }
    state->deadlines.Stop();
    state->fired = which;
    // Moved out first: the callback may start the next stream.
    OnTimeout callback = std::move(state->on_timeout);
    state->on_timeout = nullptr;
    if (callback) callback(which);
  };
  state->timer.async_wait(boost::asio::bind_allocator(RecyclingAllocator<void>(), std::move(on_expiry)));
}

}  // namespace tether::http
