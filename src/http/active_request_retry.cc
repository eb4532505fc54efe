// ActiveRequest: tries and retries — each try's upstream request, the per-try timeouts, the
// decision to retry (RetryState, the cluster's max_retries), the back-off and the replay.
#include "src/http/active_request.h"

#include <algorithm>
#include <string>
#include <utility>

#include "src/common/loop_clock.h"
#include "src/http/grpc_utility.h"
#include "src/http/listener_runtime.h"

namespace tether::http {
void ActiveRequest::StartTry(codec::HeaderMap&& headers, bool end_stream) {
  if (info_.route->include_request_attempt_count) headers.Set("x-envoy-attempt-count", std::to_string(attempts_));
  // upstream_rq_total / _active are the pool's, per stream (a retry is another stream).
  UpstreamRequest::Callbacks& callbacks = *this;  // a private base: converted here, where it is accessible
  upstream_ = std::make_unique<UpstreamRequest>(
      callbacks, context_.executor(), upstream_choice_.pool, upstream_choice_.cluster->connect_timeout,
      codec::IsIdempotentMethod(request_headers_.Get(codec::PseudoHeader::kMethod)), upstream_choice_.stats);
  upstream_start_ = LoopClock::Now();
  info_.upstream_attempts = attempts_;
  upstream_->Start(std::move(headers), end_stream);
}

// Envoy starts a try's per_try_timeout once the whole request went upstream.
void ActiveRequest::ArmPerTryTimers() {
  if (!retry_ || !upstream_ || !request_forwarded_ || response_headers_sent_) return;
  const RetryState& state = retry_->state;
  if (state.per_try_timeout().count() > 0) retry_->per_try.Arm(state.per_try_timeout(), [this] { OnPerTryTimeout(false); });
  if (state.per_try_idle_timeout().count() > 0) {
    retry_->idle.Arm(state.per_try_idle_timeout(), [this] { OnPerTryTimeout(true); });
  }
}

void ActiveRequest::OnPerTryTimeout(bool idle) {
  if (done_ || !upstream_ || !retry_) return;
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  (idle ? stats.upstream_rq_per_try_idle_timeout : stats.upstream_rq_per_try_timeout).Inc();
  if (upstream_choice_.host_stats != nullptr) upstream_choice_.host_stats->rq_timeout.Inc();
  retry_->per_try.Disarm();
  retry_->idle.Disarm();
  if (!response_headers_sent_) ReportTryLocal(upstream_choice_, upstream::OutlierDetector::LocalOrigin::kTimeout);
  if (info_.upstream_host.empty() && upstream_choice_.pool) info_.upstream_host = upstream_choice_.pool->host_address();
  const UpstreamFailure failure{UpstreamFailure::Kind::kReset, codec::StreamResetReason::kLocalReset, false};
  if (!response_headers_sent_ && MaybeRetry(retry_->state.WouldRetryFailure(failure, true))) return;
  upstream_->Reset();
  route_timer_.Disarm();
  if (response_headers_sent_) {
    info_.AddFlag(ResponseFlag::kUpstreamRequestTimeout);
    return ResetDownstream();
  }
  SendLocalReply({504, "upstream request timeout", ResponseFlag::kUpstreamRequestTimeout,
                  static_cast<int>(GrpcStatus::kDeadlineExceeded), {}});
}

bool ActiveRequest::MaybeRetry(bool retriable) {
  if (!retriable || response_headers_sent_ || done_ || retry_->body_abandoned) return false;
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  if (!retry_->state.retries_left()) {
    // The last try's outcome goes downstream as it is (Envoy's URX).
    stats.upstream_rq_retry_limit_exceeded.Inc();
    info_.AddFlag(ResponseFlag::kUpstreamRetryLimitExceeded);
    return false;
  }
  // One of the cluster's max_retries (or its retry budget) for as long as this retry runs.
  retry_->ReleaseSlot();
  if (upstream_choice_.resources != nullptr) {
    if (!upstream_choice_.resources->TryAcquireRetry(config::Priority::kDefault)) {
      stats.upstream_rq_retry_overflow.Inc();
      info_.AddFlag(ResponseFlag::kUpstreamOverflow);
      return false;
    }
    retry_->slot = upstream_choice_.resources;
  }
  if (upstream_choice_.pool) retry_->tried_hosts.push_back(upstream_choice_.pool->host_address());
  retry_->per_try.Disarm();
  retry_->idle.Disarm();
  upstream_->Reset();  // the try is over; its object goes when the retry replaces it
  stats.upstream_rq_retry_backoff_exponential.Inc();
  const std::chrono::milliseconds backoff = retry_->state.NextBackOff(*info_.rng);
  // Arm(0) would disarm: the shortest back-off is one millisecond, off this call stack either way.
  retry_->backoff.Arm(std::max(backoff, std::chrono::milliseconds(1)), [this] { DoRetry(); });
  return true;
}

void ActiveRequest::DoRetry() {
  if (done_ || response_headers_sent_) return;
  ++attempts_;
  upstream_choice_.stats->upstream_rq_retry.Inc();
  info_.upstream_host.clear();
  UpstreamChoice choice = ChooseUpstream();
  if (!choice.pool) {
    upstream_choice_.stats->upstream_cx_none_healthy.Inc();
    route_timer_.Disarm();
    return SendLocalReply({503, "no healthy upstream", ResponseFlag::kNoHealthyUpstream, std::nullopt, {}});
  }
  upstream_choice_ = std::move(choice);
  codec::HeaderMap headers = retry_->headers;
  const bool has_body = !retry_->body.empty();
  const bool has_trailers = retry_->trailers.has_value();
  // What the client sent so far goes again; what it still sends follows through the chain.
  StartTry(std::move(headers), request_forwarded_ && !has_body && !has_trailers);
  if (has_body) {
    const std::string& body = retry_->body;
    upstream_->EncodeData({reinterpret_cast<const uint8_t*>(body.data()), body.size()},
                          request_forwarded_ && !has_trailers);
  }
  if (has_trailers) upstream_->EncodeTrailers(*retry_->trailers);
  ArmPerTryTimers();
}

void ActiveRequest::KeepForRetry(absl::Span<const uint8_t> data) {
  if (retry_->body_abandoned || data.empty()) return;
  if (retry_->body.size() + data.size() > info_.route->per_request_buffer_limit_bytes) {
    // Too long to replay: this request is not retried (Envoy's retry_or_shadow_abandoned).
    retry_->body_abandoned = true;
    std::string().swap(retry_->body);
    if (upstream_choice_.stats != nullptr) upstream_choice_.stats->retry_or_shadow_abandoned.Inc();
    return;
  }
  retry_->body.append(reinterpret_cast<const char*>(data.data()), data.size());
}

void ActiveRequest::KeepTrailersForRetry(const codec::HeaderMap& trailers) {
  if (!retry_->body_abandoned) retry_->trailers = trailers;
}

}  // namespace tether::http
