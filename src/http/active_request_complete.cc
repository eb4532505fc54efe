// ActiveRequest: the way out — local replies, the response to the codec, resets, timeouts, and
// the end (stats, filters' OnComplete, access log, OnStreamDone).
#include "src/http/active_request.h"

#include <utility>

#include "src/common/loop_clock.h"
#include "src/http/access_log_sink.h"
#include "src/http/grpc_utility.h"
#include "src/http/stream_access_log.h"
#include "src/http/listener_runtime.h"
#include "src/http/local_reply.h"
#include "src/http/stream_headers.h"
#include "src/http/worker_state.h"

namespace tether::http {

void ActiveRequest::SendLocalReply(LocalReply reply) {
  if (done_ || downstream_reset_) return;
  if (reply.flag) info_.AddFlag(*reply.flag);
  if (response_headers_sent_) return ResetDownstream();  // too late for a reply
  local_reply_ = true;
  route_timer_.Disarm();
  decoder_.Abort();  // later decode filters and the router do not run; the body is dropped
  if (upstream_) upstream_->Reset();
  LocalReplyMessage message = MakeLocalReply(reply, info_.grpc, head_request_);
  if (message.grpc_status >= 0) info_.grpc_status = message.grpc_status;
  if (info_.listener != nullptr) {
    ApplyResponseMutations(message.headers, *info_.listener->config->routes, info_.vhost, info_.route);
  }
  response_headers_ = std::move(message.headers);
  local_body_ = std::move(message.body);
  // A reply replaces a response an encode filter was holding.
  encoder_.Restart();
  encoder_.Headers(response_headers_, message.end_stream_with_headers);
  if (!message.end_stream_with_headers) {
    encoder_.Data({reinterpret_cast<const uint8_t*>(local_body_.data()), local_body_.size()}, true);
  }
  MaybeConsumeDownstream();  // what the client still sends is dropped
}

void ActiveRequest::EncodeSink::ChainHeaders(codec::HeaderMap& headers, bool end_stream) {
  request.EncodeHeaders(headers, end_stream);
}
void ActiveRequest::EncodeSink::ChainData(absl::Span<const uint8_t> data, bool end_stream) {
  request.EncodeData(data, end_stream);
}
void ActiveRequest::EncodeSink::ChainTrailers(codec::HeaderMap& trailers) { request.EncodeTrailers(trailers); }

void ActiveRequest::EncodeHeaders(codec::HeaderMap& headers, bool end_stream) {
  if (done_ || downstream_reset_) return;
  // A draining HTTP/1 connection ends after this response.
  if (info_.protocol == codec::Protocol::kHttp1 && context_.draining()) headers.Set("connection", "close");
  info_.status = static_cast<unsigned>(headers.Status().value_or(0));
  info_.response_headers = &headers;
  response_headers_sent_ = true;
  timeouts_.Touch();
  if (!context_.codec().EncodeHeaders(stream_, headers, end_stream).ok()) return ResetDownstream();
  context_.OutputReady();
  if (end_stream) ResponseEnded();
}

void ActiveRequest::EncodeData(absl::Span<const uint8_t> data, bool end_stream) {
  if (done_ || downstream_reset_) return;
  info_.bytes_sent += data.size();
  timeouts_.Touch();
  if (!context_.codec().EncodeData(stream_, data, end_stream).ok()) return ResetDownstream();
  context_.OutputReady();
  if (end_stream) ResponseEnded();
}

void ActiveRequest::EncodeTrailers(codec::HeaderMap& trailers) {
  if (done_ || downstream_reset_) return;
  info_.response_trailers = &trailers;
  timeouts_.Touch();
  if (!context_.codec().EncodeTrailers(stream_, trailers).ok()) return ResetDownstream();
  context_.OutputReady();
  ResponseEnded();
}

void ActiveRequest::ResponseEnded() {
  response_ended_ = true;
  route_timer_.Disarm();
  // A response that ended before its request did: the upstream side needs nothing more, and what
  // the client still sends is acknowledged and dropped.
  if (!request_received_) {
    decoder_.Abort();
    if (upstream_) upstream_->Reset();
    local_reply_ = true;
    MaybeConsumeDownstream();
    // A client that never ends its request does not hold the stream: after a grace for the
    // response to leave, the stream is reset (the route timer has nothing left to time).
    route_timer_.Arm(kRequestEndGrace, [this] { ResetDownstream(); });
  }
  MaybeComplete();
}

void ActiveRequest::OnStreamTimeout(StreamTimeout which) {
  if (done_) return;
  ListenerStats& stats = *info_.listener->stats;
  const bool idle = which != StreamTimeout::kRequest;
  // Envoy sets no flag for request_timeout, SI for the idle one.
  if (idle) {
    stats.downstream_rq_idle_timeout.Inc();
    info_.AddFlag(ResponseFlag::kStreamIdleTimeout);
  } else {
    stats.downstream_rq_timeout.Inc();
  }
  if (upstream_) upstream_->Reset();
  if (response_headers_sent_) return ResetDownstream();
  SendLocalReply({408, idle ? "stream timeout\n" : "request timeout\n", std::nullopt,
                  static_cast<int>(GrpcStatus::kDeadlineExceeded), {}});
}

void ActiveRequest::ResetDownstream() {
  if (done_ || downstream_reset_) return;
  downstream_reset_ = true;
  if (begun_) info_.listener->stats->RecordStreamReset(codec::StreamResetReason::kLocalReset);
  context_.codec().ResetStream(stream_, codec::StreamResetReason::kLocalReset);
  context_.OutputReady();
  Complete();
}

void ActiveRequest::OnReset(codec::StreamResetReason reason) {
  if (done_) return;
  downstream_reset_ = true;
  if (begun_ && !context_.worker().draining) info_.listener->stats->RecordStreamReset(reason);
  if (reason == codec::StreamResetReason::kProtocolError) {
    // The request broke the protocol (an HTTP/1 body's framing, an HTTP/2 message): the codec
    // answers it (400) when no response had started, or ends the stream.
    info_.AddFlag(ResponseFlag::kDownstreamProtocolError);
    if (!response_headers_sent_ && info_.protocol == codec::Protocol::kHttp1) info_.status = 400;
  } else {
    // The client cancelled (RST_STREAM) or its connection ended: the upstream stream is reset too.
    info_.AddFlag(ResponseFlag::kDownstreamConnectionTermination);
  }
  Complete();
}

void ActiveRequest::Abort() {
  if (done_) return;
  info_.AddFlag(ResponseFlag::kDownstreamConnectionTermination);
  ResetDownstream();
}

void ActiveRequest::MaybeComplete() {
  if (!done_ && response_ended_ && request_received_) Complete();
}

void ActiveRequest::Complete() {
  if (done_) return;
  done_ = true;
  timeouts_.Stop();
  route_timer_.Disarm();
  retry_.reset();  // its timers, and its place under max_retries
  decoder_.Abort();
  encoder_.Abort();
  if (upstream_) upstream_->Reset();  // a no-op when it finished
  if (begun_) {
    ListenerStats& stats = *info_.listener->stats;
    stats.downstream_rq_active.Dec();
    stats.RecordRequestEnd(info_.status, info_.response_flags,
                           std::chrono::duration_cast<std::chrono::microseconds>(LoopClock::Now() - info_.start));
    // A gRPC call that reached a cluster: cluster.<name>.grpc.<code> (Envoy's grpc stats).
    if (info_.grpc && info_.grpc_status && upstream_choice_.stats != nullptr) {
      const int code = *info_.grpc_status;
      const bool known = code >= 0 && static_cast<size_t>(code) < kGrpcStatusCount;
      upstream_choice_.stats->RecordGrpcStatus(known ? static_cast<GrpcStatus>(code) : GrpcStatus::kUnknown);
    }
    for (auto& filter : filters_) filter->OnComplete(info_);
    WriteAccessLogs(info_);
  }
  context_.OnStreamDone(stream_);
}

}  // namespace tether::http
