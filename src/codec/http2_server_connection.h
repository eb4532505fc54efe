#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "src/codec/codec.h"
#include "src/codec/http2_connection.h"
#include "src/codec/http2_options.h"

namespace tether::codec {

// The downstream side of HTTP/2: expects the client preface, raises OnNewStream for each request
// whose headers arrive complete and valid (RFC 9113 §8.2 checks by nghttp2; a malformed request is
// reset with PROTOCOL_ERROR and never reaches the callbacks), encodes responses.
class Http2ServerConnection final : public Http2Connection, public ServerConnection {
 public:
  // Fails on options out of range (naming the field).
  static absl::StatusOr<std::unique_ptr<Http2ServerConnection>> Create(ServerCallbacks& callbacks,
                                                                      const Http2Options& options);

 private:
  Http2ServerConnection(ServerCallbacks& callbacks, const Http2Options& options);
  void OnHeadersComplete(Http2Stream& stream, bool end_stream) override;
  void OnGoAwayReceived(StreamId, uint32_t) override {}

  ServerCallbacks& callbacks_;
};

}  // namespace tether::codec
