// ActiveRequest: the request's way in — headers, path normalisation, overload, filters, routing.
#include "src/http/active_request.h"

#include <algorithm>
#include <utility>

#include "src/common/loop_clock.h"
#include "src/http/grpc_utility.h"
#include "src/http/header_utils.h"
#include "src/http/listener_runtime.h"
#include "src/http/path_normalizer.h"
#include "src/http/router.h"
#include "src/http/worker_state.h"

namespace tether::http {
ActiveRequest::ActiveRequest(StreamContext& context, codec::StreamId stream)
    : context_(context), stream_(stream), timeouts_(context.timers()), route_timer_(context.timers()) {
  const StreamContext::RequestBegin begin = context.request_begin();
  info_.start = begin.start;
  info_.start_time = begin.start_time;
}

ActiveRequest::~ActiveRequest() {
  // Destroyed by its connection before it completed (the connection is gone): reset the upstream.
  if (upstream_) upstream_->Reset();
  if (begun_ && !done_) info_.listener->stats->downstream_rq_active.Dec();
}

void ActiveRequest::Begin() {
  begun_ = true;
  info_.active = context_.active();
  info_.listener = context_.listener();
  info_.rng = &context_.worker().rng;
  info_.protocol = context_.codec().protocol();
  info_.http10 = context_.codec().http10();
  info_.downstream_remote_address = context_.peer_address();
  info_.downstream_local_address = context_.local_address();
  const config::Listener& listener = *info_.listener->config;
  buffer_limit_ = listener.per_connection_buffer_limit_bytes;
  info_.listener->stats->downstream_rq_total.Inc();
  info_.listener->stats->downstream_rq_active.Inc();
  // request_timeout counts from the request's first byte (HTTP/1's head may have taken a while).
  std::chrono::milliseconds request_timeout = listener.request_timeout;
  if (request_timeout.count() > 0) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(LoopClock::Now() - info_.start);
    request_timeout = std::max(request_timeout - elapsed, std::chrono::milliseconds(1));
  }
  timeouts_.Start(listener.stream_idle_timeout, request_timeout,
                  [this](StreamTimeout which) { OnStreamTimeout(which); });
}

void ActiveRequest::OnHeaders(codec::HeaderMap&& headers, bool end_stream) {
  request_headers_ = std::move(headers);
  info_.request_headers = &request_headers_;
  request_received_ = end_stream;
  Begin();
  if (end_stream) timeouts_.RequestReceived();
  // Before a deferral: a stream timeout that fires first answers in the request's terms.
  info_.grpc = IsGrpcRequest(request_headers_);
  head_request_ = request_headers_.Get(codec::PseudoHeader::kMethod) == "HEAD";
  if (end_stream && context_.DeferHeaders(stream_, *this)) return;
  ProcessHeaders(end_stream);
}

void ActiveRequest::RunDeferredHeaders() {
  if (!done_) ProcessHeaders(true);  // a reset meanwhile ended it
}

void ActiveRequest::ProcessHeaders(bool end_stream) {
  CreateFilters();
  if (!NormalizePath()) return;
  // The overload manager's stop_accepting_requests (one atomic load): 503 before routing.
  const OverloadState* overload = context_.worker().overload;
  if (overload != nullptr && overload->stop_accepting_requests()) {
    info_.listener->stats->downstream_rq_overload_close.Inc();
    LocalReply reply{503, "envoy overloaded", ResponseFlag::kOverloadManager, std::nullopt, {}};
    reply.headers.Set("x-envoy-overloaded", "true");
    return SendLocalReply(std::move(reply));
  }
  const RouteMatchResult match = http::Route(*info_.listener->config->routes, request_headers_);
  info_.vhost = match.vhost;
  info_.route = match.route;
  decoder_.Headers(request_headers_, end_stream);
}

void ActiveRequest::CreateFilters() {
  for (const auto& factory : info_.listener->http_filters) {
    filters_.push_back(factory->Create());
    filters_.back()->SetCallbacks(*this);
  }
}

// Every route matcher, the upstream and the access log see the normalised path (as in Envoy).
bool ActiveRequest::NormalizePath() {
  const PathNormalization options = PathNormalizationFor(*info_.listener->config);
  const std::string_view path = request_headers_.Get(codec::PseudoHeader::kPath);
  if (!options.enabled() || !path.starts_with('/')) return true;
  NormalizedPath normalized = http::NormalizePath(path, options);
  ListenerStats& stats = *info_.listener->stats;
  switch (normalized.verdict) {
    case PathVerdict::kReject:
      stats.downstream_rq_failed_path_normalization.Inc();
      SendLocalReply({400, "invalid path\n", ResponseFlag::kDownstreamProtocolError, std::nullopt, {}});
      return false;
    case PathVerdict::kRedirect: {
      stats.downstream_rq_redirected_with_normalized_path.Inc();
      LocalReply reply{307, "", std::nullopt, std::nullopt, {}};
      reply.headers.Set("location", normalized.path);
      SendLocalReply(std::move(reply));
      return false;
    }
    case PathVerdict::kForward:
      if (normalized.path != path) request_headers_.Set(codec::PseudoHeader::kPath, normalized.path);
      return true;
  }
  return true;
}

void ActiveRequest::OnData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_) return;
  request_unconsumed_ += data.size();
  info_.bytes_received += data.size();
  timeouts_.Touch();
  if (end_stream) {
    request_received_ = true;
    timeouts_.RequestReceived();
  }
  decoder_.Data(data, end_stream);
  MaybeConsumeDownstream();
  if (end_stream) MaybeComplete();
}

void ActiveRequest::OnTrailers(codec::HeaderMap&& trailers) {
  if (done_) return;
  request_received_ = true;
  timeouts_.Touch();
  timeouts_.RequestReceived();
  decoder_.Trailers(std::move(trailers));
  MaybeComplete();
}

void ActiveRequest::ContinueDecoding() {
  if (done_) return;
  decoder_.Continue();
  MaybeConsumeDownstream();
}

void ActiveRequest::ContinueEncoding() {
  if (done_) return;
  encoder_.Continue();
  MaybeConsumeUpstream();
}

// The router: the last stop of the request's headers.
void ActiveRequest::DecodeSink::ChainHeaders(codec::HeaderMap& /*headers*/, bool end_stream) {
  request.Route(end_stream);
}

void ActiveRequest::DecodeSink::ChainData(absl::Span<const uint8_t> data, bool end_stream) {
  if (request.retry_) request.KeepForRetry(data);
  if (request.upstream_) request.upstream_->EncodeData(data, end_stream);
  if (end_stream) request.RequestForwarded();
}

void ActiveRequest::DecodeSink::ChainTrailers(codec::HeaderMap& trailers) {
  if (request.retry_) request.KeepTrailersForRetry(trailers);
  if (request.upstream_) request.upstream_->EncodeTrailers(trailers);
  request.RequestForwarded();
}

void ActiveRequest::Route(bool end_stream) {
  ListenerStats& stats = *info_.listener->stats;
  const config::Route* route = info_.route;
  if (route == nullptr) {
    stats.no_route.Inc();
    return SendLocalReply({404, "", ResponseFlag::kNoRouteFound, std::nullopt, {}});
  }
  switch (route->action) {
    case config::Route::Action::kDirectResponse:
      stats.rq_direct_response.Inc();
      return SendLocalReply({route->direct_status, route->direct_body, std::nullopt, std::nullopt, {}});
    case config::Route::Action::kRedirect: {
      stats.rq_redirect.Inc();
      std::string_view host = request_headers_.Get(codec::PseudoHeader::kAuthority);
      if (host.empty()) host = request_headers_.Get("host").value_or("");
      LocalReply reply{route->redirect.status, "", std::nullopt, std::nullopt, {}};
      reply.headers.Set("location", RedirectLocation(*route, info_.listener->config->forwarded_proto, host,
                                                     request_headers_.Get(codec::PseudoHeader::kPath)));
      return SendLocalReply(std::move(reply));
    }
    case config::Route::Action::kCluster:
      if (route->idle_timeout) timeouts_.SetIdle(*route->idle_timeout);
      StartUpstream(end_stream);
      if (end_stream) RequestForwarded();
      return;
  }
}

std::unique_ptr<codec::StreamDecoder> NewActiveRequest(StreamContext& context, codec::StreamId stream) {
  return std::make_unique<ActiveRequest>(context, stream);
}

}  // namespace tether::http
