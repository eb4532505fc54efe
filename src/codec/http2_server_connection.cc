#include "src/codec/http2_server_connection.h"

namespace tether::codec {

absl::StatusOr<std::unique_ptr<Http2ServerConnection>> Http2ServerConnection::Create(ServerCallbacks& callbacks,
                                                                                    const Http2Options& options) {
  if (absl::Status st = ValidateHttp2Options(options); !st.ok()) return st;
  return Checked(std::unique_ptr<Http2ServerConnection>(new Http2ServerConnection(callbacks, options)));
}

Http2ServerConnection::Http2ServerConnection(ServerCallbacks& callbacks, const Http2Options& options)
    : Http2Connection(Role::kServer, options), callbacks_(callbacks) {}

void Http2ServerConnection::OnHeadersComplete(Http2Stream& stream, bool end_stream) {
  if (stream.decoder == nullptr) stream.decoder = &callbacks_.OnNewStream(stream.id);
  DeliverHeaders(stream, end_stream);
}

}  // namespace tether::codec
