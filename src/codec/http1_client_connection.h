#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/codec/codec.h"
#include "src/codec/http1_connection.h"
#include "src/codec/http1_options.h"
#include "src/codec/http1_parser.h"
#include "src/codec/http1_response_parser.h"

namespace tether::codec {

// The upstream side of HTTP/1.1: one request at a time on a connection (PeerMaxConcurrentStreams
// is 1; a pool lends the connection). NewStream writes the request head (request line from
// :method and :path, Host from :authority, the regular fields) and frames the body by the
// request's Content-Length, else chunked when a body follows (trailers as chunked trailers). The
// response is parsed in place with the head's limits (Http1Options), interim (1xx) responses
// skipped, no body for HEAD, 204 and 304, a close-delimited body ended by OnTransportClosed.
// A malformed response or one beyond a limit resets the stream (kProtocolError) and ends the
// connection. It is reusable (CanOpenStream) only after a complete exchange that keeps it alive.
class Http1ClientConnection final : public Http1Connection, public ClientConnection {
 public:
  explicit Http1ClientConnection(const Http1Options& options = {});

  absl::StatusOr<StreamId> NewStream(const HeaderMap& headers, bool end_stream, StreamDecoder& decoder) override;
  bool CanOpenStream() const override;
  uint32_t PeerMaxConcurrentStreams() const override { return 1; }

  void OnTransportClosed() override;
  absl::Status EncodeHeaders(StreamId stream, const HeaderMap& headers, bool end_stream) override;
  absl::Status EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) override;
  absl::Status EncodeTrailers(StreamId stream, const HeaderMap& trailers) override;
  void ResetStream(StreamId stream, StreamResetReason reason) override;
  void GoAway() override { going_away_ = true; }
  bool Finished() const override;
  // Between responses: no byte of the current exchange has come (or none is asked for).
  bool PeerQuietUntilWritten() const override { return error_.ok() && (!stream_active_ || !response_begun_); }

 private:
  std::size_t Parse(std::string_view input) override;
  // The response's head is complete: skip an interim one, else deliver it. False: stop parsing.
  bool OnResponseHead();
  // Delivers the body piece the last step produced, and the end of the response.
  void OnBodyStep(std::string_view piece);
  // Both directions ended: the stream goes (its decoder hears nothing more).
  void MaybeEndStream();
  // The connection cannot go on: the stream (if any) hears `reason`, Dispatch returns `why`.
  void Fail(StreamResetReason reason, absl::Status why);

  std::unique_ptr<Http1ResponseParser> parser_;  // the response of the moment (none while idle)
  StreamId next_id_ = 1;
  int interim_ = 0;
  bool head_request_ = false;
  bool response_begun_ = false;    // a byte of this exchange's response came
  bool response_started_ = false;  // the final response's head was parsed
  std::optional<HeaderMap> held_head_;  // parsed, raised with the first body byte
  bool response_ended_ = false;
  bool reusable_ = true;           // nothing so far forbids another request on this connection
  bool going_away_ = false;
  bool transport_closed_ = false;
};

}  // namespace tether::codec
