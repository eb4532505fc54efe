#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "src/codec/codec.h"
#include "src/codec/http1_connection.h"
#include "src/codec/http1_options.h"
#include "src/codec/http1_parser.h"

namespace tether::codec {

// The downstream side of HTTP/1.1. Requests are read one at a time (streams 1, 3, 5, ...; a
// pipelined request waits in the input until the response before it has ended). A head is checked
// strictly first (CheckRequestHead: RFC 9112 framing, Host, field syntax, the listener's limits)
// and refused with 400/431 and Connection: close (OnRequestError) before it becomes a stream; a
// valid one becomes a HeaderMap with :method, :scheme (http), :authority (Host, or an absolute-form
// target's authority) and :path (origin-form), the fields as received minus Host and Expect, one
// Content-Length. Bodies (Content-Length or chunked under a ChunkedGuard) stream as OnData pieces
// pointing into the input, chunked trailers as OnTrailers. Expect: 100-continue is answered when the
// request's headers did not get a response right away.
// Responses: status line, fields as given, framing chosen here (the response's Content-Length;
// none for HEAD/204/304/1xx; Content-Length: 0 when it ends with its head; else chunked to
// HTTP/1.1 and close-delimited to HTTP/1.0), Connection: close when the request asked for it, when
// an HTTP/1.0 client did not ask for keep-alive, when the caller's headers say close (drain, max
// requests) or after GoAway(), and then Finished().
class Http1ServerConnection final : public Http1Connection, public ServerConnection {
 public:
  Http1ServerConnection(ServerCallbacks& callbacks, const Http1Options& options = {});

  void RejectPendingRequest(unsigned status, std::string_view body, const HeaderMap& extra_headers) override;
  bool http10() const override { return http10_; }
  bool ReadDisabled() const override;
  void OnTransportClosed() override;
  absl::Status EncodeHeaders(StreamId stream, const HeaderMap& headers, bool end_stream) override;
  absl::Status EncodeData(StreamId stream, absl::Span<const uint8_t> data, bool end_stream) override;
  absl::Status EncodeTrailers(StreamId stream, const HeaderMap& trailers) override;
  void ResetStream(StreamId stream, StreamResetReason reason) override;
  // Drain: the next response says Connection: close and the connection finishes after it.
  void GoAway() override { draining_ = true; }
  bool Finished() const override;

 private:
  std::size_t Parse(std::string_view input) override;
  // Reads a head from the front of `input` (leading empty lines skipped); 0: not complete yet.
  std::size_t ParseHead(std::string_view input);
  // A valid head was parsed: its stream begins.
  void StartStream();
  void OnBodyStep(std::string_view piece);
  // The request's head or body broke the rules: answer (unless a response started) and finish.
  void Refuse(RequestError::Kind kind, unsigned status, std::string_view reason);
  void MaybeEndStream();

  ServerCallbacks& callbacks_;
  std::unique_ptr<Http1Parser<true>> parser_;  // the request of the moment (none while idle)
  StreamId next_id_ = 1;
  std::size_t head_scanned_ = 0;   // bytes of the head searched for its end so far
  bool request_begun_ = false;     // OnRequestBegin raised for the request being read
  bool request_ended_ = false;
  bool http10_ = false;
  bool client_keep_alive_ = true;
  bool head_request_ = false;
  bool continue_sent_ = false;
  bool response_started_ = false;  // the final response's head was encoded
  bool response_ended_ = false;
  bool close_after_response_ = false;
  bool draining_ = false;
  bool closing_ = false;           // no more requests: finish once the output is written
  bool cut_short_ = false;         // reset mid-response: finished now, the output goes out within the close time
  bool transport_closed_ = false;
};

}  // namespace tether::codec
