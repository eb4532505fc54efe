#pragma once

// The request path's upstream seam (issue 13): HttpConnPool (http_conn_pool.h) implements it for
// both protocols; the ClusterManager hands out one per host and protocol (ChoosePool).

#include "src/common/io.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/codec/codec.h"
#include "src/codec/header_map.h"

namespace tether::upstream {

// Why no stream could be had. Closed set: it maps to response flags and stats.
enum class PoolFailure : uint8_t {
  kConnectFailure,  // refused, reset or unreachable (UF)
  kTimeout,         // connect_timeout passed (UF, upstream_cx_connect_timeout)
  kOverflow,        // a circuit breaker's limit (UO; issue 14)
};

// Lets a caller withdraw a NewStream still waiting for its connection (Envoy's
// ConnectionPool::Cancellable with CancelPolicy::Default): the pool then opens no stream (the
// request never reaches the upstream) and NewStream answers Cancelled. A connection being made for
// it is completed all the same and kept, idle, for the next stream (closed after idle_timeout), and
// the withdrawn request no longer holds a place on it: a client that opens and resets streams (a
// rapid-reset attack) must not churn upstream connections. Kept alive by the caller until NewStream
// completes, as the headers are.
// A pool that parks the request (waiting for room at max_connections) asks to be woken on cancel.
class StreamCancel {
 public:
  void Cancel() {
    cancelled_ = true;
    if (wake_) wake_();
  }
  bool cancelled() const { return cancelled_; }
  void SetWake(std::function<void()> wake) const { wake_ = std::move(wake); }

 private:
  bool cancelled_ = false;
  mutable std::function<void()> wake_;
};

// One stream on a pooled connection, lent to one upstream request. The request's headers went
// with NewStream; the rest of the request is encoded here; the response goes to the decoder given
// to NewStream. Destroying the handle before the stream finished both ways resets it (RST_STREAM
// CANCEL on HTTP/2; on HTTP/1 the connection is closed, never reused mid-exchange).
class UpstreamStream {
 public:
  virtual ~UpstreamStream() = default;
  virtual absl::Status EncodeData(absl::Span<const uint8_t> data, bool end_stream) = 0;
  virtual absl::Status EncodeTrailers(const codec::HeaderMap& trailers) = 0;
  virtual void Reset() = 0;
  // Send-side backpressure: bytes the codec holds for this stream; the decoder's
  // OnSendBufferDrained says when to send more.
  virtual std::size_t BufferedBytes() const = 0;
  // Receive-side backpressure: the request took `bytes` of the response's OnData.
  virtual void ConsumeData(std::size_t bytes) = 0;

  virtual codec::Protocol protocol() const = 0;
  // The connection was used before (a failure before any response byte may be a stale
  // keep-alive connection the upstream closed: worth one retry on a new connection).
  virtual bool reused_connection() const = 0;
  // "10.0.0.1:80", "[::1]:80".
  virtual std::string_view host_address() const = 0;
};

// Connections of one worker to one upstream host speaking one protocol. HTTP/1.1 lends a whole
// connection per stream; HTTP/2 multiplexes up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS per
// connection, opens another when all are full, and stops using one after GOAWAY. Idle connections
// are closed after idle_timeout; one the upstream closed is never handed out (as far as the pool
// can know). Single-threaded: the owning worker only.
class ConnPool {
 public:
  virtual ~ConnPool() = default;

  // A stream on a connection with room, or on a new one connected within connect_timeout; sends
  // `headers` (end_stream: the request has no body). `decoder` hears the response and must outlive
  // the stream (until its last event, or until the handle is destroyed). `headers` is read when the
  // stream opens, after a connect: keep it alive until NewStream completes (co_await it at once).
  // The pool counts the stream in upstream_rq_total / upstream_rq_active (cluster and host): the
  // caller does not. A stream the upstream refuses (REFUSED_STREAM, or beyond a GOAWAY's last
  // stream: OnReset kRemoteRefusedStream / kConnectionTermination before any response) is the
  // caller's to retry. `cancel` (may be null) withdraws the request while it waits (StreamCancel).
  virtual Awaitable<absl::StatusOr<std::unique_ptr<UpstreamStream>>> NewStream(
      const codec::HeaderMap& headers, bool end_stream, codec::StreamDecoder& decoder,
      std::chrono::milliseconds connect_timeout, const StreamCancel* cancel) = 0;
  // NewStream's common case without its coroutine: the stream at once when an open connection has
  // room (sent and counted as NewStream's); nullptr otherwise (none has room, a connect is needed,
  // draining, or an error): then NewStream.
  virtual std::unique_ptr<UpstreamStream> TryNewStream(const codec::HeaderMap& headers, bool end_stream,
                                                       codec::StreamDecoder& decoder) {
    (void)headers, (void)end_stream, (void)decoder;
    return nullptr;
  }

  virtual codec::Protocol protocol() const = 0;
  // The host's "ip:port" ("[::1]:80"), for the access log of a request that got no stream.
  virtual std::string host_address() const = 0;
  // Graceful: no new streams here; open ones finish (host removed, drain).
  virtual void Drain() = 0;
  // Closes the connections that carry no stream (Envoy's closeIdleConnections): after the upstream
  // closed a kept-alive connection under a request, the others idle as long are likely closed too.
  virtual void CloseIdleConnections() = 0;
  virtual std::size_t active_streams() const = 0;
  virtual std::size_t connection_count() const = 0;
};

// NewStream's errors by code: Unavailable = kConnectFailure, DeadlineExceeded = kTimeout,
// ResourceExhausted = kOverflow (Cancelled: the caller withdrew it, no failure of the pool's).
PoolFailure FailureOf(const absl::Status& status);

}  // namespace tether::upstream
