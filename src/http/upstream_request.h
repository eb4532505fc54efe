#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/common/recycling_pool.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/conn_pool.h"

namespace tether::http {

// Why an upstream request ended without finishing.
struct UpstreamFailure {
  enum class Kind : uint8_t {
    kConnectFailure,  // no connection (UF)
    kConnectTimeout,  // connect_timeout (UF)
    kOverflow,        // a circuit breaker (UO)
    kReset,           // the stream was reset (`reason`)
  };
  Kind kind = Kind::kReset;
  codec::StreamResetReason reason = codec::StreamResetReason::kConnectionTermination;
  bool response_started = false;  // response headers had reached the owner
};

// One try of a request on one upstream stream (Envoy's Router::UpstreamRequest): asks the pool
// for a stream with the request's headers, sends the body and trailers as they come (held until
// the stream exists), and hands the response to its owner. A stream that fails before any response
// on a reused connection (a keep-alive connection the upstream closed, or a GOAWAY refusal), with
// no body byte sent, is tried once more on a new stream, as the HTTP/1 path does.
// Destroying it (or Reset) resets a stream still open (freeing it in the pool), or withdraws the
// request from the pool while it waits for a connection (StreamCancel: nothing reaches the upstream).
class UpstreamRequest : public Recycled {
 public:
  class Callbacks {
   public:
    virtual ~Callbacks() = default;
    virtual void OnUpstreamHeaders(codec::HeaderMap&& headers, bool end_stream) = 0;
    virtual void OnUpstreamData(absl::Span<const uint8_t> data, bool end_stream) = 0;
    virtual void OnUpstreamTrailers(codec::HeaderMap&& trailers) = 0;
    // The last event of a try that did not finish.
    virtual void OnUpstreamFailure(const UpstreamFailure& failure) = 0;
    // The stream exists, or its send buffer drained: the owner may credit more request bytes.
    virtual void OnUpstreamSendDrained() = 0;
  };

  // `idempotent`: the method may be repeated after the request was sent whole (RFC 9110 §9.2.2).
  UpstreamRequest(Callbacks& callbacks, IoExecutor executor, std::shared_ptr<upstream::ConnPool> pool,
                  std::chrono::milliseconds connect_timeout, bool idempotent, upstream::ClusterStats* stats);
  ~UpstreamRequest();
  UpstreamRequest(const UpstreamRequest&) = delete;
  UpstreamRequest& operator=(const UpstreamRequest&) = delete;

  void Start(codec::HeaderMap&& headers, bool end_stream);
  void EncodeData(absl::Span<const uint8_t> data, bool end_stream);
  void EncodeTrailers(const codec::HeaderMap& trailers);
  // The owner took `bytes` of the response (receive-side backpressure).
  void ConsumeData(std::size_t bytes);
  // Ends the try now: the stream is reset and no callback follows.
  void Reset();

  // Request bytes not yet on the wire: held here, or buffered in the stream.
  std::size_t BufferedBytes() const;
  bool has_stream() const { return stream_ != nullptr; }
  const std::string& host_address() const { return host_address_; }

 private:
  struct Link;
  static Awaitable<void> RunNewStream(std::shared_ptr<Link> link, std::shared_ptr<upstream::ConnPool> pool,
                                      std::chrono::milliseconds connect_timeout);
  void Connect();
  void OnStream(absl::StatusOr<std::unique_ptr<upstream::UpstreamStream>> stream);
  void OnHeaders(codec::HeaderMap&& headers, bool end_stream);
  void OnData(absl::Span<const uint8_t> data, bool end_stream);
  void OnTrailers(codec::HeaderMap&& trailers);
  void OnReset(codec::StreamResetReason reason);
  void OnSendBufferDrained();
  bool MayRetry(codec::StreamResetReason reason) const;
  void Fail(const UpstreamFailure& failure);
  // Destroys the stream handle after the current call stack (a pool's callback may be running).
  void DropStream();

  Callbacks& callbacks_;
  IoExecutor executor_;
  std::shared_ptr<upstream::ConnPool> pool_;
  std::chrono::milliseconds connect_timeout_;
  bool idempotent_;
  upstream::ClusterStats* stats_;

  std::shared_ptr<Link> link_;  // the current try's
  std::unique_ptr<upstream::UpstreamStream> stream_;
  std::string host_address_;
  bool retried_ = false;
  bool done_ = false;              // failed, reset, or the response ended
  bool response_started_ = false;
  bool body_sent_ = false;         // request body bytes went to a stream: a retry cannot replay them
  bool request_ended_ = false;     // the request's end went to the stream (or with the headers)
  std::string pending_;            // request body waiting for the stream
  bool pending_end_ = false;
  std::optional<codec::HeaderMap> pending_trailers_;
};

}  // namespace tether::http
