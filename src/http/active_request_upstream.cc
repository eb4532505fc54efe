// ActiveRequest: the cluster route — choosing the upstream, the upstream request, the route
// timeout, the response coming back, and flow control between the two sides.
#include "src/http/active_request.h"

#include <algorithm>
#include <string>
#include <utility>

#include "src/common/loop_clock.h"
#include "src/http/grpc_timeout.h"
#include "src/http/grpc_utility.h"
#include "src/http/header_translation.h"
#include "src/http/internal_request.h"
#include "src/http/listener_runtime.h"
#include "src/http/request_hash.h"
#include "src/http/router.h"
#include "src/http/stream_headers.h"
#include "src/http/worker_state.h"

namespace tether::http {
namespace {

constexpr std::string_view kResetBefore = "upstream connect error or disconnect/reset before headers. reset reason: ";

}  // namespace

UpstreamChoice ActiveRequest::ChooseUpstream() {
  WorkerState& worker = context_.worker();
  const std::string& cluster = info_.upstream_cluster;
  // The route's hash_policy: the same key reaches the same host on every worker (RING_HASH, MAGLEV).
  std::optional<uint64_t> hash;
  if (!info_.route->hash_policy.empty()) {
    hash = RequestHash(info_.route->hash_policy, request_headers_, info_.downstream_remote_address);
  }
  const auto choose = [&]() -> UpstreamChoice {
    if (worker.upstreams != nullptr) return worker.upstreams->Choose(cluster, info_.protocol, hash);
    if (worker.clusters == nullptr) return {};
    upstream::ClusterManager::PoolPick pick = worker.clusters->ChoosePool(cluster, info_.protocol, hash);
    return {pick.config, pick.stats, std::move(pick.pool), pick.host_stats, pick.resources, pick.health};
  };
  UpstreamChoice choice = choose();
  if (!retry_ || !retry_->state.previous_hosts() || retry_->tried_hosts.empty()) return choice;
  // retry_host_predicate previous_hosts: pick again, up to host_selection_retry_max_attempts times.
  const auto tried = [&](const UpstreamChoice& c) {
    const std::string host = c.pool->host_address();
    return std::find(retry_->tried_hosts.begin(), retry_->tried_hosts.end(), host) != retry_->tried_hosts.end();
  };
  for (uint32_t i = 0; i < retry_->state.host_selection_max_attempts() && choice.pool && tried(choice); ++i) {
    if (hash) hash = RehashForAttempt(*hash, i + 1);  // the same hash would find the same host
    choice = choose();
  }
  return choice;
}

void ActiveRequest::StartUpstream(bool end_stream) {
  info_.upstream_cluster = PickCluster(*info_.route, (*info_.rng)());
  envoy_headers_trusted_ = TrustsEnvoyHeaders(*info_.listener->config, info_.downstream_remote_address);
  if (auto state = RetryState::Create(info_.route->retry_policy.get(), request_headers_, envoy_headers_trusted_)) {
    retry_ = std::make_unique<RetryContext>(*std::move(state), context_.timers());
    // A per-try timeout alone keeps no body: nothing would replay it.
    retry_->body_abandoned = !retry_->state.retries_left();
  }
  upstream_choice_ = ChooseUpstream();
  if (upstream_choice_.cluster == nullptr || upstream_choice_.stats == nullptr) {
    // The route names a cluster this sidecar does not have (Envoy's NC).
    info_.listener->stats->no_cluster.Inc();
    return SendLocalReply({503, "", ResponseFlag::kNoClusterFound, std::nullopt, {}});
  }
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  if (!upstream_choice_.pool) {
    stats.upstream_cx_none_healthy.Inc();
    return SendLocalReply({503, "no healthy upstream", ResponseFlag::kNoHealthyUpstream, std::nullopt, {}});
  }
  codec::HeaderMap headers = request_headers_;
  PrepareUpstreamHeaders(headers, {*info_.listener->config, info_.vhost, *info_.route, info_.downstream_remote_address,
                                   info_.protocol, upstream_choice_.pool->protocol()});
  if (!envoy_headers_trusted_) RemoveEnvoyControlHeaders(headers);
  if (retry_) retry_->headers = headers;  // replayed by each retry
  StartTry(std::move(headers), end_stream);
}

// The route timeout runs from the request's end to the response's (Envoy's).
void ActiveRequest::RequestForwarded() {
  if (request_forwarded_) return;
  request_forwarded_ = true;
  if (!upstream_ || response_ended_) return;
  std::chrono::milliseconds timeout = RouteTimeout(*info_.route, info_.grpc, GrpcTimeout(request_headers_));
  // x-envoy-upstream-rq-timeout-ms replaces the route's timeout when the listener trusts it.
  if (envoy_headers_trusted_) {
    if (const auto header = ParseTimeoutHeader(request_headers_, "x-envoy-upstream-rq-timeout-ms")) timeout = *header;
  }
  route_timer_.Arm(timeout, [this] { OnRouteTimeout(); });
  ArmPerTryTimers();
}

void ActiveRequest::OnRouteTimeout() {
  if (done_ || !upstream_) return;
  // A try in flight timed out (during a retry's back-off, the last try's result was reported already).
  if (!response_headers_sent_ && !(retry_ && retry_->backoff.armed())) {
    ReportTryLocal(upstream_choice_, upstream::OutlierDetector::LocalOrigin::kTimeout);
  }
  if (retry_) retry_->backoff.Disarm();  // the route timeout covers the retries too: none follows
  upstream_choice_.stats->upstream_rq_timeout.Inc();
  if (upstream_choice_.host_stats != nullptr) upstream_choice_.host_stats->rq_timeout.Inc();
  upstream_->Reset();
  if (response_headers_sent_) {
    info_.AddFlag(ResponseFlag::kUpstreamRequestTimeout);
    return ResetDownstream();
  }
  SendLocalReply({504, "upstream request timeout", ResponseFlag::kUpstreamRequestTimeout,
                  static_cast<int>(GrpcStatus::kDeadlineExceeded), {}});
}

void ActiveRequest::OnUpstreamHeaders(codec::HeaderMap&& headers, bool end_stream) {
  if (done_) return;
  info_.upstream_host = upstream_->host_address();
  const unsigned status = static_cast<unsigned>(headers.Status().value_or(0));
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  // Every try's status counts (Envoy's upstream_rq_<code>), a retried one too.
  stats.RecordStatus(status);
  if (upstream_choice_.host_stats != nullptr) {
    (status >= 500 ? upstream_choice_.host_stats->rq_error : upstream_choice_.host_stats->rq_success).Inc();
  }
  ReportTryLocal(upstream_choice_, upstream::OutlierDetector::LocalOrigin::kSuccess);
  ReportTryStatus(upstream_choice_, status);
  bool retriable = false;
  if (retry_) {
    retriable = retry_->state.WouldRetryHeaders(headers);
    if (MaybeRetry(retriable)) return;
    // The response goes downstream: no try follows, per_try_timeout has nothing left to bound.
    retry_->per_try.Disarm();
    retry_->backoff.Disarm();
    if (!end_stream && retry_->state.per_try_idle_timeout().count() > 0) {
      retry_->idle.Arm(retry_->state.per_try_idle_timeout(), [this] { OnPerTryTimeout(true); });
    }
  }
  info_.upstream_service_time =
      std::chrono::duration_cast<std::chrono::microseconds>(LoopClock::Now() - upstream_start_);
  stats.upstream_rq_time.Record(*info_.upstream_service_time);
  // A trailers-only gRPC response carries its status in the headers.
  if (const auto value = headers.Get(kGrpcStatusHeader)) {
    if (const auto grpc_status = ParseGrpcStatus(*value)) info_.grpc_status = static_cast<int>(*grpc_status);
  }
  if (end_stream) route_timer_.Disarm();
  if (attempts_ > 1 && !retriable) stats.upstream_rq_retry_success.Inc();
  response_headers_ = std::move(headers);
  if (info_.route->include_attempt_count_in_response) {
    response_headers_.Set("x-envoy-attempt-count", std::to_string(attempts_));
  }
  TranslateResponseHeaders(response_headers_, info_.protocol);
  ApplyResponseMutations(response_headers_, *info_.listener->config->routes, info_.vhost, info_.route);
  encoder_.Headers(response_headers_, end_stream);
}

void ActiveRequest::OnUpstreamData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_) return;
  if (retry_ && retry_->idle.armed()) {
    if (end_stream) {
      retry_->idle.Disarm();
    } else {
      retry_->idle.Arm(retry_->state.per_try_idle_timeout(), [this] { OnPerTryTimeout(true); });
    }
  }
  response_unconsumed_ += data.size();
  timeouts_.Touch();
  if (end_stream) route_timer_.Disarm();
  encoder_.Data(data, end_stream);
  MaybeConsumeUpstream();
}

void ActiveRequest::OnUpstreamTrailers(codec::HeaderMap&& trailers) {
  if (done_) return;
  timeouts_.Touch();
  route_timer_.Disarm();
  if (const auto value = trailers.Get(kGrpcStatusHeader)) {
    if (const auto grpc_status = ParseGrpcStatus(*value)) info_.grpc_status = static_cast<int>(*grpc_status);
  }
  encoder_.Trailers(std::move(trailers));
}

void ActiveRequest::OnUpstreamFailure(const UpstreamFailure& failure) {
  if (done_) return;
  ReportFailure(failure);
  if (retry_) {
    retry_->idle.Disarm();
    if (MaybeRetry(retry_->state.WouldRetryFailure(failure, false))) return;
  }
  route_timer_.Disarm();
  // The host tried, also when no stream was had (%UPSTREAM_HOST% of a connect failure).
  if (info_.upstream_host.empty() && upstream_choice_.pool) info_.upstream_host = upstream_choice_.pool->host_address();
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  if (upstream_choice_.host_stats != nullptr && !failure.response_started) upstream_choice_.host_stats->rq_error.Inc();
  LocalReply reply{503, "", std::nullopt, std::nullopt, {}};
  switch (failure.kind) {
    case UpstreamFailure::Kind::kConnectFailure:
    case UpstreamFailure::Kind::kConnectTimeout:
      reply = {503, std::string(kResetBefore) + "connection failure", ResponseFlag::kUpstreamConnectionFailure,
               std::nullopt, {}};
      break;
    case UpstreamFailure::Kind::kOverflow:
      // A circuit breaker: Envoy's answer, 503 UO with x-envoy-overloaded (gRPC: UNAVAILABLE, as 503 maps).
      reply = {503, std::string(kResetBefore) + "overflow", ResponseFlag::kUpstreamOverflow, std::nullopt, {}};
      reply.headers.Set("x-envoy-overloaded", "true");
      break;
    case UpstreamFailure::Kind::kReset:
      switch (failure.reason) {
        case codec::StreamResetReason::kConnectionTermination:
          stats.upstream_rq_reset.Inc();
          reply = {503, std::string(kResetBefore) + "connection termination",
                   ResponseFlag::kUpstreamConnectionTermination, std::nullopt, {}};
          break;
        case codec::StreamResetReason::kProtocolError:
        case codec::StreamResetReason::kOverflow:
          // A response that broke the protocol or our limits (Envoy's answer to a codec error);
          // upstream_cx_protocol_error is the connection's to count.
          reply = {502, std::string(kResetBefore) + "protocol error", ResponseFlag::kUpstreamProtocolError,
                   std::nullopt, {}};
          break;
        default:
          stats.upstream_rq_reset.Inc();
          reply = {503, std::string(kResetBefore) + "remote reset", ResponseFlag::kUpstreamRemoteReset, std::nullopt,
                   {}};
          break;
      }
      break;
  }
  if (response_headers_sent_) {
    // Headers are gone already: all that is left is to cut the client off.
    if (reply.flag) info_.AddFlag(*reply.flag);
    return ResetDownstream();
  }
  SendLocalReply(std::move(reply));
}

// Outlier detection's view of a failed try: the connection or the stream failed on our side of
// the answer (local origin); an overflow is the circuit breaker's, not the host's.
void ActiveRequest::ReportFailure(const UpstreamFailure& failure) {
  using upstream::OutlierDetector;
  switch (failure.kind) {
    case UpstreamFailure::Kind::kConnectFailure:
    case UpstreamFailure::Kind::kConnectTimeout:
      return ReportTryLocal(upstream_choice_, OutlierDetector::LocalOrigin::kConnectFailed);
    case UpstreamFailure::Kind::kReset:
      if (failure.response_started) return;  // its answer's status was reported already
      return ReportTryLocal(upstream_choice_, OutlierDetector::LocalOrigin::kReset);
    case UpstreamFailure::Kind::kOverflow: return;
  }
}

void ActiveRequest::OnUpstreamSendDrained() { MaybeConsumeDownstream(); }

void ActiveRequest::OnSendBufferDrained() { MaybeConsumeUpstream(); }

// Request bytes are acknowledged to the client while what waits for the upstream is under the
// limit; the upstream's OnSendBufferDrained (or the chain's Continue) comes back here.
void ActiveRequest::MaybeConsumeDownstream() {
  if (request_unconsumed_ == 0 || downstream_reset_) return;
  const bool discarding = local_reply_ || (request_forwarded_ && !upstream_) || done_;
  if (!discarding) {
    // What waits plus what acknowledging lets in next stays within the limit (something always
    // moves: with nothing waiting, the bytes are taken whatever their size).
    const std::size_t waiting = decoder_.queued_bytes() + (upstream_ ? upstream_->BufferedBytes() : 0);
    if (waiting > 0 && waiting + request_unconsumed_ > buffer_limit_) return;
  }
  context_.codec().ConsumeData(stream_, request_unconsumed_);
  request_unconsumed_ = 0;
  // HTTP/1 holds input until it is consumed: the connection may read again.
  context_.OutputReady();
}

// Response bytes are acknowledged to the upstream while what waits for the client is under the
// limit; the downstream's OnSendBufferDrained comes back here.
void ActiveRequest::MaybeConsumeUpstream() {
  if (response_unconsumed_ == 0 || !upstream_) return;
  const std::size_t waiting = encoder_.queued_bytes() + context_.codec().BufferedBytes(stream_);
  if (waiting > 0 && waiting + response_unconsumed_ > buffer_limit_ && !done_) return;
  upstream_->ConsumeData(response_unconsumed_);
  response_unconsumed_ = 0;
}

}  // namespace tether::http
