#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/codec/header_map.h"

// The codec layer: bytes from a transport in, per-stream events out; per-stream encodes in, bytes
// for the transport out. No sockets, timers or executors inside: the connection's one coroutine
// feeds Dispatch() with what it read and writes PendingOutput() (docs/architecture.md, "Codecs").
// One implementation per protocol (HTTP/2 now, HTTP/1.1 next: docs/decisions/0028-codec-layer.md).
namespace tether::codec {

enum class Protocol : uint8_t { kHttp1, kHttp2 };

// Stream ids as HTTP/2 numbers them (client streams odd). An HTTP/1 codec numbers its requests
// 1, 3, 5, ... so the caller never needs to know which protocol it holds.
using StreamId = int32_t;

// Why a stream ended before both of its directions finished.
enum class StreamResetReason : uint8_t {
  kLocalReset,             // this side's caller reset it (Connection::ResetStream)
  kRemoteReset,            // the peer reset it (RST_STREAM, e.g. CANCEL)
  kRemoteRefusedStream,    // the peer refused it before processing (REFUSED_STREAM: safe to retry)
  kProtocolError,          // a malformed message or frame on this stream (RFC 9113 §8.1.1)
  kOverflow,               // a limit of ours (header list size, buffered output)
  kConnectionTermination,  // the connection ended or went away (GOAWAY) before the stream did
};
inline constexpr std::size_t kStreamResetReasonCount =
    static_cast<std::size_t>(StreamResetReason::kConnectionTermination) + 1;
std::string_view ResetReasonName(StreamResetReason reason);
// The peer ended the stream (its reset, its refusal, or the connection's end), rather than this
// side (its caller, or the codec for the peer's malformed message or a limit): Envoy's rx/tx split.
bool ResetByPeer(StreamResetReason reason);

// What one stream's receiving side hears. Headers come once (then trailers or data, possibly
// none); end_stream on the last one. OnReset is the last event of a stream that did not finish.
// After the stream has ended in both directions (received end_stream and encoded end_stream) the
// codec never calls its decoder again, so the decoder may go then.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  virtual void OnHeaders(HeaderMap&& headers, bool end_stream) = 0;
  // The bytes count against the receive window until Connection::ConsumeData acknowledges them.
  virtual void OnData(absl::Span<const uint8_t> data, bool end_stream) = 0;
  // Trailers end the stream.
  virtual void OnTrailers(HeaderMap&& trailers) = 0;
  virtual void OnReset(StreamResetReason reason) = 0;
  // The stream's buffered outbound data (Connection::BufferedBytes) has all gone to the codec's
  // output: the caller may encode more (send-side backpressure).
  virtual void OnSendBufferDrained() {}
};

// A connection codec. Not thread-safe: one connection, one worker. Decoder callbacks run inside
// Dispatch(), PendingOutput() and OnTransportClosed(), never inside an encode call; a decoder may
// encode, reset and acknowledge from them, but not feed or drain the connection.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Protocol protocol() const = 0;

  // Feeds bytes read from the transport. An error means the connection is over (a connection error
  // or a flood; a GOAWAY may be queued): write PendingOutput() if the peer still reads, then close.
  virtual absl::Status Dispatch(absl::Span<const uint8_t> bytes) = 0;
  // Bytes to write to the transport, produced on demand up to a bound (the output queue is bounded:
  // a peer that stops reading stops getting frames queued for it). Valid until the next call.
  virtual absl::Span<const uint8_t> PendingOutput() = 0;
  // The transport wrote this many bytes of PendingOutput().
  virtual void ConsumeOutput(std::size_t bytes) = 0;
  // The peer closed the byte stream: every open stream is reset (kConnectionTermination).
  virtual void OnTransportClosed() = 0;

  // Encoding on an open stream. Data is buffered per stream until flow control lets it out;
  // BufferedBytes says how much waits (stop encoding above a bound, resume on OnSendBufferDrained).
  virtual absl::Status EncodeHeaders(StreamId stream, const HeaderMap& headers, bool end_stream) = 0;
  virtual absl::Status EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) = 0;
  // Ends the stream after any buffered data.
  virtual absl::Status EncodeTrailers(StreamId stream, const HeaderMap& trailers) = 0;
  // Ends the stream now; its decoder hears nothing more.
  virtual void ResetStream(StreamId stream, StreamResetReason reason) = 0;
  virtual std::size_t BufferedBytes(StreamId stream) const = 0;
  // Receive-side backpressure: the caller took this many bytes of a stream's OnData. Only then are
  // the stream's and connection's windows credited to the peer.
  virtual void ConsumeData(StreamId stream, std::size_t bytes) = 0;

  // Receive-side backpressure without flow-control frames (HTTP/1): true while the codec holds
  // input its streams have not consumed beyond its bound, or (server) a pipelined request waiting
  // for the response before it. The pump stops reading then; after ConsumeData, and after writing
  // output (a response that ended lets the next request go), the pump re-checks and calls
  // Dispatch({}) to go on with held input.
  virtual bool ReadDisabled() const { return false; }
  // How many bytes the next read should take at most: HTTP/1, what its receive bound still allows
  // while a body streams, so that one read does not hand a stream more than the bound (HTTP/2's
  // windows bound the peer instead).
  virtual std::size_t ReadLimit() const { return SIZE_MAX; }
  // True while whatever the peer sends next can only answer what this side has yet to write (or
  // has just encoded): an HTTP/1 client between responses. A FIN that came behind the last bytes
  // read then shows at the next exchange (the write draws a reset) rather than at once, so the
  // pump may trust a short read as a drain and skip re-arming its wait (decision 0054).
  virtual bool PeerQuietUntilWritten() const { return false; }

  // Drain: tell the peer no new streams will be taken (or opened); open ones finish.
  virtual void GoAway() = 0;
  virtual std::size_t ActiveStreams() const = 0;
  // Nothing more to read or write: close the transport once PendingOutput() is empty.
  virtual bool Finished() const = 0;
};

// Raised by a server codec when a request's headers have arrived complete and valid. The returned
// decoder gets that request's events, starting with OnHeaders right away.
// A request the server codec refused (HTTP/1): before it became a stream (a malformed head, one too
// large or with too many fields), or after, when its body broke the framing (a bad chunk, a
// chunk-size line or trailer section beyond its limits: the stream heard OnReset(kProtocolError)
// first). The codec has queued the error response (Connection: close) unless a response had
// started, and finishes once it is written.
struct RequestError {
  enum class Kind : uint8_t { kMalformed, kHeadersTooLarge, kTooManyHeaders, kChunkLineTooLong };
  Kind kind = Kind::kMalformed;
  unsigned http_status = 400;  // 400, 431
  std::string_view reason;     // for logs and the reply's body
};

class ServerCallbacks {
 public:
  virtual ~ServerCallbacks() = default;
  virtual StreamDecoder& OnNewStream(StreamId stream) = 0;
  // HTTP/1 only: the first byte of a request arrived (its request_headers_timeout and stream
  // timeouts start here, as Envoy's).
  virtual void OnRequestBegin() {}
  // HTTP/1 only: see RequestError. Stats and the access log are the callee's; it may add fields
  // to the error response (a route table's response_headers_to_add) before the codec queues it.
  virtual void OnRequestError(const RequestError& /*error*/, HeaderMap& /*response_headers*/) {}
};

// `virtual`: a protocol's implementation shares one Connection base between its server and client.
class ServerConnection : public virtual Connection {
 public:
  // HTTP/1: answers the request still being read (no stream yet: a request-headers timeout) with
  // `status` and `body`, Connection: close, and finishes. HTTP/2 has no such request: no-op.
  virtual void RejectPendingRequest(unsigned /*status*/, std::string_view /*body*/,
                                    const HeaderMap& /*extra_headers*/) {}
  // HTTP/1: the request being served is HTTP/1.0 (%PROTOCOL%).
  virtual bool http10() const { return false; }
};

class ClientCallbacks {
 public:
  virtual ~ClientCallbacks() = default;
  // The peer will process no stream above last_stream; later ones were reset
  // (kConnectionTermination) and NewStream fails from now on. error_code is HTTP/2's.
  virtual void OnGoAway(StreamId last_stream, uint32_t error_code) = 0;
};

class ClientConnection : public virtual Connection {
 public:
  // Opens a stream with the request's headers; `decoder` hears the response.
  virtual absl::StatusOr<StreamId> NewStream(const HeaderMap& headers, bool end_stream,
                                             StreamDecoder& decoder) = 0;
  // Whether NewStream may be called: not after GOAWAY, and not beyond the peer's
  // SETTINGS_MAX_CONCURRENT_STREAMS (a pool opens another connection then).
  virtual bool CanOpenStream() const = 0;
  virtual uint32_t PeerMaxConcurrentStreams() const = 0;
};

}  // namespace tether::codec
