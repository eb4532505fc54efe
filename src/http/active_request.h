#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/common/recycling_pool.h"
#include "src/http/filter.h"
#include "src/http/filter_chain.h"
#include "src/http/request_timer.h"
#include "src/http/retry_context.h"
#include "src/http/stream_context.h"
#include "src/http/stream_info.h"
#include "src/http/stream_timeouts.h"
#include "src/http/upstream_request.h"
#include "src/http/upstream_selector.h"

namespace tether::http {

// One downstream request/stream, the same for HTTP/1 and HTTP/2 (Envoy's ActiveStream): the
// codec's decoder for the request, the filter chain (filter.h), the router (route actions: direct
// response, redirect, cluster), the upstream request over a pooled stream (one per try: retries
// and per-try timeouts, RetryState), local replies (gRPC-shaped for gRPC requests), the stream's
// timeouts, and stats and access log at the end.
//
// Full duplex: request body flows upstream while the response flows downstream. Backpressure both
// ways: received bytes are acknowledged to their sender (Connection::ConsumeData) only while what
// waits for the other side — in the filter chain, or buffered in the other side's codec — is under
// the listener's per_connection_buffer_limit_bytes; the other side's OnSendBufferDrained resumes.
//
// The connection manager creates it in OnNewStream (ServerCallbacks), keeps it until
// StreamContext::OnStreamDone, and destroys it outside the codec's callbacks.
class ActiveRequest final : public Recycled,
                            public codec::StreamDecoder,
                            private StreamContext::DeferredHeaders,
                            private FilterCallbacks,
                            private UpstreamRequest::Callbacks {
 public:
  ActiveRequest(StreamContext& context, codec::StreamId stream);
  ~ActiveRequest() override;
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

  // codec::StreamDecoder: the downstream request.
  void OnHeaders(codec::HeaderMap&& headers, bool end_stream) override;
  void OnData(absl::Span<const uint8_t> data, bool end_stream) override;
  void OnTrailers(codec::HeaderMap&& trailers) override;
  void OnReset(codec::StreamResetReason reason) override;
  void OnSendBufferDrained() override;

  // The connection ends the stream now (a drain's deadline): both sides are reset, the request
  // completes (stats, access log, OnStreamDone).
  void Abort();

  // How long a stream whose response ended waits for the rest of its request.
  static constexpr std::chrono::milliseconds kRequestEndGrace{1000};

  codec::StreamId stream_id() const { return stream_; }
  const StreamInfo& info() const { return info_; }
  bool done() const { return done_; }

 private:
  // The request side's end of the filter chain: the router.
  struct DecodeSink final : FilterChainSink {
    explicit DecodeSink(ActiveRequest& r) : request(r) {}
    void ChainHeaders(codec::HeaderMap& headers, bool end_stream) override;
    void ChainData(absl::Span<const uint8_t> data, bool end_stream) override;
    void ChainTrailers(codec::HeaderMap& trailers) override;
    ActiveRequest& request;
  };
  // The response side's end: the downstream codec.
  struct EncodeSink final : FilterChainSink {
    explicit EncodeSink(ActiveRequest& r) : request(r) {}
    void ChainHeaders(codec::HeaderMap& headers, bool end_stream) override;
    void ChainData(absl::Span<const uint8_t> data, bool end_stream) override;
    void ChainTrailers(codec::HeaderMap& trailers) override;
    ActiveRequest& request;
  };

  // FilterCallbacks.
  StreamInfo& stream_info() override { return info_; }
  IoExecutor executor() override { return context_.executor(); }
  void ContinueDecoding() override;
  void ContinueEncoding() override;
  void SendLocalReply(LocalReply reply) override;

  // UpstreamRequest::Callbacks (active_request_upstream.cc).
  void OnUpstreamHeaders(codec::HeaderMap&& headers, bool end_stream) override;
  void OnUpstreamData(absl::Span<const uint8_t> data, bool end_stream) override;
  void OnUpstreamTrailers(codec::HeaderMap&& trailers) override;
  void OnUpstreamFailure(const UpstreamFailure& failure) override;
  void OnUpstreamSendDrained() override;

  // active_request.cc: the request's way in.
  void Begin();
  // The request's headers through the filters and the router (OnHeaders, now or deferred).
  void ProcessHeaders(bool end_stream);
  void RunDeferredHeaders() override;
  bool NormalizePath();  // false: answered locally
  void CreateFilters();
  void Route(bool end_stream);
  void RequestForwarded();  // the whole request went through the chain

  // active_request_upstream.cc: the cluster route.
  void StartUpstream(bool end_stream);
  // A host of the route's cluster for a try (a retry avoids the hosts tried, if its policy says).
  UpstreamChoice ChooseUpstream();
  void OnRouteTimeout();
  // Outlier detection hears of a failed try.
  void ReportFailure(const UpstreamFailure& failure);
  void MaybeConsumeDownstream();
  void MaybeConsumeUpstream();

  // active_request_retry.cc: tries, per-try timeouts and retries (docs/resilience.md).
  void StartTry(codec::HeaderMap&& headers, bool end_stream);
  void ArmPerTryTimers();
  void OnPerTryTimeout(bool idle);
  // The try's outcome is `retriable`: it is dropped and a retry scheduled (true), or it stands.
  bool MaybeRetry(bool retriable);
  void DoRetry();
  // Request body and trailers, kept for a replay.
  void KeepForRetry(absl::Span<const uint8_t> data);
  void KeepTrailersForRetry(const codec::HeaderMap& trailers);

  // active_request_complete.cc: the way out.
  void EncodeHeaders(codec::HeaderMap& headers, bool end_stream);
  void EncodeData(absl::Span<const uint8_t> data, bool end_stream);
  void EncodeTrailers(codec::HeaderMap& trailers);
  void ResponseEnded();
  void OnStreamTimeout(StreamTimeout which);
  // Cuts the client off (the response had begun): the codec resets the stream.
  void ResetDownstream();
  void MaybeComplete();
  void Complete();

  StreamContext& context_;
  const codec::StreamId stream_;
  StreamInfo info_;
  std::size_t buffer_limit_ = 1 << 20;

  codec::HeaderMap request_headers_;
  codec::HeaderMap response_headers_;
  std::string local_body_;
  FilterList filters_;
  DecodeSink decode_sink_{*this};
  EncodeSink encode_sink_{*this};
  FilterIteration decoder_{filters_, FilterIteration::Direction::kDecode, decode_sink_};
  FilterIteration encoder_{filters_, FilterIteration::Direction::kEncode, encode_sink_};

  UpstreamChoice upstream_choice_;
  std::unique_ptr<UpstreamRequest> upstream_;
  std::unique_ptr<RetryContext> retry_;  // null: one try, no per-try timeout
  uint32_t attempts_ = 1;
  std::chrono::steady_clock::time_point upstream_start_;
  StreamTimeouts timeouts_;
  RequestTimer route_timer_;  // the route timeout; after the response, kRequestEndGrace

  std::size_t request_unconsumed_ = 0;   // received from the client, not yet acknowledged
  std::size_t response_unconsumed_ = 0;  // received from the upstream, not yet acknowledged
  bool begun_ = false;                   // counted in the listener's stats
  bool envoy_headers_trusted_ = false;   // x-envoy-* control headers honoured (StartUpstream decides)
  bool head_request_ = false;
  bool request_received_ = false;        // the codec delivered the request's end
  bool request_forwarded_ = false;       // ...and it passed the chain
  bool response_headers_sent_ = false;
  bool response_ended_ = false;
  bool local_reply_ = false;
  bool downstream_reset_ = false;
  bool done_ = false;
};

// ConnectionManager's StreamFactory: every stream of a codec connection is an ActiveRequest.
std::unique_ptr<codec::StreamDecoder> NewActiveRequest(StreamContext& context, codec::StreamId stream);

}  // namespace tether::http
