#include "src/http/stream_timeouts.h"

#include "src/common/loop_clock.h"

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

StreamTimeouts::StreamTimeouts(TimerHeap& timers) : timer_(timers, [this] { OnTimer(); }) {}

void StreamTimeouts::Start(std::chrono::milliseconds idle, std::chrono::milliseconds request, OnTimeout on_timeout) {
  fired_ = StreamTimeout::kNone;
  on_timeout_ = std::move(on_timeout);
  deadlines_.Start(LoopClock::Now(), idle, request);
  Schedule();
}

void StreamTimeouts::Touch() {
  // After a timeout the stream is over: activity must not revive it.
  if (fired_ == StreamTimeout::kNone) deadlines_.Touch(LoopClock::Now());
}

void StreamTimeouts::RequestReceived() { deadlines_.RequestReceived(); }

void StreamTimeouts::SetIdle(std::chrono::milliseconds idle) {
  if (fired_ != StreamTimeout::kNone || !deadlines_.running()) return;
  deadlines_.SetIdle(idle);
  Schedule();  // a shorter limit may come before the armed wake
}

void StreamTimeouts::Stop() {
  deadlines_.Stop();
  on_timeout_ = nullptr;
  timer_.Disarm();
}

void StreamTimeouts::Schedule() {
  const std::optional<Clock::time_point> next = deadlines_.Next();
  if (!next) return timer_.Disarm();
  // An armed wake no later than the deadline re-checks then.
  if (timer_.armed() && timer_.expiry() <= *next) return;
  timer_.ArmAt(*next);
}

void StreamTimeouts::OnTimer() {
  // The real clock: a stale time would find the deadline not yet reached and re-arm it as is.
  const StreamTimeout which = deadlines_.Expired(Clock::now());
  if (which == StreamTimeout::kNone) return Schedule();  // woke early: activity moved the deadline
  deadlines_.Stop();
  fired_ = which;
  // Moved out first: the callback may start the next stream.
  OnTimeout callback = std::move(on_timeout_);
  on_timeout_ = nullptr;
  if (callback) callback(which);
}

}  // namespace tether::http
