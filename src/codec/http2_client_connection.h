#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "src/codec/codec.h"
#include "src/codec/http2_connection.h"
#include "src/codec/http2_options.h"

namespace tether::codec {

// The upstream side of HTTP/2: sends the connection preface, opens a stream per request (up to
// the peer's SETTINGS_MAX_CONCURRENT_STREAMS), hears GOAWAY (no new streams after it; streams
// beyond its last id are reset as refused, so a pool may retry them elsewhere). Interim (1xx)
// responses are skipped: the decoder hears the final one.
class Http2ClientConnection final : public Http2Connection, public ClientConnection {
 public:
  static absl::StatusOr<std::unique_ptr<Http2ClientConnection>> Create(ClientCallbacks& callbacks,
                                                                      const Http2Options& options);

  absl::StatusOr<StreamId> NewStream(const HeaderMap& headers, bool end_stream, StreamDecoder& decoder) override;
  bool CanOpenStream() const override;
  uint32_t PeerMaxConcurrentStreams() const override;

 private:
  Http2ClientConnection(ClientCallbacks& callbacks, const Http2Options& options);
  void OnHeadersComplete(Http2Stream& stream, bool end_stream) override;
  void OnGoAwayReceived(StreamId last_stream, uint32_t error_code) override;

  ClientCallbacks& callbacks_;
};

}  // namespace tether::codec
