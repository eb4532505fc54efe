// ConnectionManager, HTTP/1's part: the time between a request's first byte and its complete head,
// when there is no stream yet. Envoy's stream (and its request_headers_timeout, stream_idle_timeout
// and request_timeout) begins with the first byte; a head that does not arrive in time gets a 408,
// and a head the codec refused (400/431) is counted and logged here, since no ActiveRequest saw it.
#include "src/http/connection_manager.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "src/common/loop_clock.h"
#include "src/http/listener_runtime.h"
#include "src/http/stream_access_log.h"
#include "src/http/stream_headers.h"
#include "src/http/stream_info.h"

namespace tether::http {

namespace {

using Clock = std::chrono::steady_clock;

// The earliest of the armed deadlines of a request whose head is on its way; kNone: none armed.
struct HeadDeadline {
  Clock::time_point at = Clock::time_point::max();
  enum class Kind : uint8_t { kNone, kHeaders, kIdle, kRequest } kind = Kind::kNone;

  void Offer(Clock::time_point when, Kind what) {
    if (when < at) {
      at = when;
      kind = what;
    }
  }
};

HeadDeadline NextHeadDeadline(const config::Listener& listener, Clock::time_point begin,
                              Clock::time_point last_activity) {
  HeadDeadline next;
  using K = HeadDeadline::Kind;
  if (listener.request_headers_timeout.count() > 0) next.Offer(begin + listener.request_headers_timeout, K::kHeaders);
  if (listener.request_timeout.count() > 0) next.Offer(begin + listener.request_timeout, K::kRequest);
  if (listener.stream_idle_timeout.count() > 0) {
    next.Offer(std::max(begin, last_activity) + listener.stream_idle_timeout, K::kIdle);
  }
  return next;
}

}  // namespace

void ConnectionManager::OnRequestBegin() {
  pending_begin_ = RequestBegin{};
  DisarmIdleTimer();
  // A drain's grace for an idle connection: the request on its way gets its answer (with
  // Connection: close) instead.
  CancelClosingGrace();
  ArmHeadTimer();
}

void ConnectionManager::ArmHeadTimer() {
  if (!pending_begin_ || closed_) return;
  const HeadDeadline next = NextHeadDeadline(*listener()->config, pending_begin_->start, pump_->last_activity());
  if (next.kind == HeadDeadline::Kind::kNone) return;
  if (head_timer_waiting_ && head_timer_.expiry() <= next.at) return;  // it fires first, then re-arms
  head_timer_.expires_at(next.at);
  head_timer_waiting_ = true;
  head_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // replaced by a later wait, or the connection closed
    if (auto self = weak.lock()) {
      self->head_timer_waiting_ = false;
      self->OnHeadTimer();
    }
  });
}

void ConnectionManager::OnHeadTimer() {
  if (!pending_begin_ || closed_) return;
  const HeadDeadline next = NextHeadDeadline(*listener()->config, pending_begin_->start, pump_->last_activity());
  // Bytes arrived since the timer was set: the idle deadline moved on.
  if (next.kind == HeadDeadline::Kind::kNone || next.at > Clock::now()) return ArmHeadTimer();
  ListenerStats& stats = *listener()->stats;
  switch (next.kind) {
    case HeadDeadline::Kind::kHeaders:
      stats.downstream_rq_header_timeout.Inc();
      stats.downstream_cx_protocol_error.Inc();
      return RejectPendingRequest("request headers timeout\n", ResponseFlag::kRequestHeadersTimeout);
    case HeadDeadline::Kind::kIdle:
      stats.downstream_rq_idle_timeout.Inc();
      return RejectPendingRequest("stream timeout\n", ResponseFlag::kStreamIdleTimeout);
    case HeadDeadline::Kind::kRequest:
      stats.downstream_rq_timeout.Inc();  // Envoy sets no flag for request_timeout
      return RejectPendingRequest("request timeout\n", std::nullopt);
    case HeadDeadline::Kind::kNone:
      return;
  }
}

void ConnectionManager::RejectPendingRequest(std::string_view body, std::optional<ResponseFlag> flag) {
  codec::HeaderMap extra;
  ApplyResponseMutations(extra, *listener()->config->routes, nullptr, nullptr);
  codec_->RejectPendingRequest(408, body, extra);
  EndRefusedRequest(408, flag);
  OutputReady();
}

void ConnectionManager::OnRequestError(const codec::RequestError& error, codec::HeaderMap& response_headers) {
  ListenerStats& stats = *listener()->stats;
  stats.downstream_cx_protocol_error.Inc();
  using Kind = codec::RequestError::Kind;
  if (error.kind == Kind::kHeadersTooLarge) stats.downstream_rq_headers_too_large.Inc();
  if (error.kind == Kind::kTooManyHeaders) stats.downstream_rq_too_many_headers.Inc();
  if (error.kind == Kind::kChunkLineTooLong) stats.downstream_rq_chunk_line_too_long.Inc();
  spdlog::debug("{}: refused request from {}: {}", listener_name(), transport_->peer_address(), error.reason);
  ApplyResponseMutations(response_headers, *listener()->config->routes, nullptr, nullptr);
  // A body that broke the framing: its stream was reset and logged itself.
  if (pending_begin_) EndRefusedRequest(error.http_status, ResponseFlag::kDownstreamProtocolError);
}

void ConnectionManager::EndRefusedRequest(unsigned status, std::optional<ResponseFlag> flag) {
  const RequestBegin begin = request_begin();
  pending_begin_.reset();
  StreamInfo info;
  info.active = active();
  info.listener = listener();
  info.protocol = codec::Protocol::kHttp1;
  info.downstream_remote_address = transport_->peer_address();
  info.downstream_local_address = transport_->local_address();
  info.start = begin.start;
  info.start_time = begin.start_time;
  info.status = status;
  if (flag) info.AddFlag(*flag);
  ListenerStats& stats = *info.listener->stats;
  stats.downstream_rq_total.Inc();
  stats.RecordRequestEnd(status, info.response_flags,
                         std::chrono::duration_cast<std::chrono::microseconds>(LoopClock::Now() - info.start));
  WriteAccessLogs(info);
}

}  // namespace tether::http
