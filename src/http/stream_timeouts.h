#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "src/common/timer_heap.h"

namespace tether::http {

// Envoy's per-stream timeouts of the HTTP connection manager, protocol-neutral:
// an HTTP/1 connection runs one stream at a time, an HTTP/2 connection one per
// stream. Which one fired decides the answer (408, or a reset once the
// response has started) and the stat.
enum class StreamTimeout : uint8_t {
  kNone,
  kIdle,     // stream_idle_timeout: no bytes either way for the duration
  kRequest,  // request_timeout: the whole request was not received in time
};

// The two deadlines of one stream, as values: no timer, no clock of its own,
// so the rules are tested with made-up times. A zero duration is off.
class StreamDeadlines {
 public:
  using Clock = std::chrono::steady_clock;

  // A stream begins (its first request byte): both deadlines count from `now`.
  void Start(Clock::time_point now, std::chrono::milliseconds idle, std::chrono::milliseconds request);
  // Bytes moved on the stream, either way: the idle deadline moves.
  void Touch(Clock::time_point now);
  // The whole request (head, body, trailers) has arrived: request_timeout stops.
  void RequestReceived() { request_deadline_.reset(); }
  // The stream's idle limit changes (a route's idle_timeout replaces the listener's); zero: off.
  void SetIdle(std::chrono::milliseconds idle) { idle_ = idle; }
  // The stream ended: nothing is armed.
  void Stop();

  bool running() const { return running_; }
  // The earliest armed deadline; none when nothing is armed.
  std::optional<Clock::time_point> Next() const;
  // Which deadline `now` has reached; the one that passed first when both have.
  StreamTimeout Expired(Clock::time_point now) const;

 private:
  bool running_ = false;
  std::chrono::milliseconds idle_{0};
  Clock::time_point last_activity_{};
  std::optional<Clock::time_point> request_deadline_;
};

// StreamDeadlines on the worker's timer. When a deadline passes, `on_timeout`
// runs once (on the worker's thread) and fired() says which; the owner ends the
// stream's pending I/O there, and every later Touch is ignored.
//
// Touch only stores the time; the timer is moved only when a deadline comes
// earlier than its expiry, and a timer that fires early re-arms itself for
// the stored deadline. So touching on every read and write, and re-starting
// per request on a keep-alive connection, costs no timer syscall.
class StreamTimeouts {
 public:
  using OnTimeout = std::function<void(StreamTimeout)>;

  explicit StreamTimeouts(TimerHeap& timers);
  StreamTimeouts(const StreamTimeouts&) = delete;
  StreamTimeouts& operator=(const StreamTimeouts&) = delete;

  // A new stream; clears fired(). Zero durations are off. The callback must not destroy this.
  void Start(std::chrono::milliseconds idle, std::chrono::milliseconds request, OnTimeout on_timeout);
  void Touch();
  void RequestReceived();
  // Replaces the idle limit from now on (Envoy's route idle_timeout); zero turns it off.
  void SetIdle(std::chrono::milliseconds idle);
  void Stop();
  StreamTimeout fired() const { return fired_; }

 private:
  using Clock = StreamDeadlines::Clock;
  // Makes sure the timer wakes no later than the next deadline. Activity only moves the idle
  // deadline later, so Touch() leaves the timer alone: an early wake re-arms.
  void Schedule();
  void OnTimer();

  StreamDeadlines deadlines_;
  OnTimeout on_timeout_;
  StreamTimeout fired_ = StreamTimeout::kNone;
  TimerHeap::Timer timer_;
};

}  // namespace tether::http
