// ActiveRequest: the cluster route — choosing the upstream, the upstream request, the route
// timeout, the response coming back, and flow control between the two sides.
#include "src/http/active_request.h"

#include <utility>

#include "src/common/loop_clock.h"
#include "src/http/grpc_timeout.h"
#include "src/http/grpc_utility.h"
#include "src/http/header_translation.h"
#include "src/http/listener_runtime.h"
#include "src/http/router.h"
#include "src/http/stream_headers.h"
#include "src/http/worker_state.h"

namespace tether::http {
namespace {

constexpr std::string_view kResetBefore = "upstream connect error or disconnect/reset before headers. reset reason: ";

// RFC 9110 §9.2.2: repeating these leaves the server as one request would.
bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" || method == "PUT" ||
         method == "DELETE";
}

}  // namespace

void ActiveRequest::StartUpstream(bool end_stream) {
  const std::string& cluster = PickCluster(*info_.route, (*info_.rng)());
  info_.upstream_cluster = cluster;
  WorkerState& worker = context_.worker();
  if (worker.upstreams != nullptr) {
    upstream_choice_ = worker.upstreams->Choose(cluster, info_.protocol);
  } else if (worker.clusters != nullptr) {
    upstream::ClusterManager::PoolPick pick = worker.clusters->ChoosePool(cluster, info_.protocol);
    upstream_choice_ = {pick.config, pick.stats, std::move(pick.pool), pick.host_stats};
  }
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
  // upstream_rq_total / _active are the pool's, per stream (a retry is a second stream).
  UpstreamRequest::Callbacks& callbacks = *this;  // a private base: converted here, where it is accessible
  upstream_ = std::make_unique<UpstreamRequest>(
      callbacks, context_.executor(), upstream_choice_.pool, upstream_choice_.cluster->connect_timeout,
      IsIdempotent(request_headers_.Get(codec::PseudoHeader::kMethod)), &stats);
  upstream_start_ = LoopClock::Now();
  upstream_->Start(std::move(headers), end_stream);
}

// The route timeout runs from the request's end to the response's (Envoy's).
void ActiveRequest::RequestForwarded() {
  if (request_forwarded_) return;
  request_forwarded_ = true;
  if (upstream_ && !response_ended_) route_timer_.Arm(RouteTimeout(*info_.route, info_.grpc, GrpcTimeout(request_headers_)), [this] { OnRouteTimeout(); });
}

void ActiveRequest::OnRouteTimeout() {
  if (done_ || !upstream_) return;
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
  info_.upstream_service_time =
      std::chrono::duration_cast<std::chrono::microseconds>(LoopClock::Now() - upstream_start_);
  upstream::ClusterStats& stats = *upstream_choice_.stats;
  stats.RecordStatus(status);
  stats.upstream_rq_time.Record(*info_.upstream_service_time);
  if (upstream_choice_.host_stats != nullptr) {
    (status >= 500 ? upstream_choice_.host_stats->rq_error : upstream_choice_.host_stats->rq_success).Inc();
  }
  // A trailers-only gRPC response carries its status in the headers.
  if (const auto value = headers.Get(kGrpcStatusHeader)) {
    if (const auto grpc_status = ParseGrpcStatus(*value)) info_.grpc_status = static_cast<int>(*grpc_status);
  }
  if (end_stream) route_timer_.Disarm();
  response_headers_ = std::move(headers);
  TranslateResponseHeaders(response_headers_, info_.protocol);
  ApplyResponseMutations(response_headers_, *info_.listener->config->routes, info_.vhost, info_.route);
  encoder_.Headers(response_headers_, end_stream);
}

void ActiveRequest::OnUpstreamData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_) return;
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
      // A circuit breaker (issue 14 adds its UO flag).
      reply = {503, std::string(kResetBefore) + "overflow", std::nullopt,
               static_cast<int>(GrpcStatus::kResourceExhausted), {}};
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
