#include "src/codec/http2_client_connection.h"

#include "absl/strings/str_cat.h"

namespace tether::codec {

absl::StatusOr<std::unique_ptr<Http2ClientConnection>> Http2ClientConnection::Create(ClientCallbacks& callbacks,
                                                                                    const Http2Options& options) {
  if (absl::Status st = ValidateHttp2Options(options); !st.ok()) return st;
  return Checked(std::unique_ptr<Http2ClientConnection>(new Http2ClientConnection(callbacks, options)));
}

Http2ClientConnection::Http2ClientConnection(ClientCallbacks& callbacks, const Http2Options& options)
    : Http2Connection(Role::kClient, options), callbacks_(callbacks) {}

bool Http2ClientConnection::CanOpenStream() const {
  return !failed() && !goaway_received() && !going_away() && nghttp2_session_check_request_allowed(session()) != 0 &&
         ActiveStreams() < PeerMaxConcurrentStreams();
}

uint32_t Http2ClientConnection::PeerMaxConcurrentStreams() const {
  // Until the peer's SETTINGS arrive nghttp2 assumes 100 (RFC 9113 §6.5.2 recommends no less).
  return nghttp2_session_get_remote_settings(session(), NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

absl::StatusOr<StreamId> Http2ClientConnection::NewStream(const HeaderMap& headers, bool end_stream,
                                                          StreamDecoder& decoder) {
  if (!CanOpenStream()) {
    return absl::FailedPreconditionError(
        goaway_received() ? "HTTP/2 connection: the peer sent GOAWAY, no new streams"
                          : "HTTP/2 connection: no stream available (closing, or at the peer's max_concurrent_streams)");
  }
  for (PseudoHeader p : {PseudoHeader::kMethod, PseudoHeader::kPath, PseudoHeader::kScheme}) {
    if (!headers.Has(p) && !(p != PseudoHeader::kMethod && headers.Get(PseudoHeader::kMethod) == "CONNECT")) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(PseudoHeaderName(p)), ": missing from the request"));
    }
  }
  if (headers.Has(PseudoHeader::kStatus)) return absl::InvalidArgumentError(":status: not allowed in a request");
  Http2HeaderBlock block;
  if (absl::Status st = block.Build(headers, false); !st.ok()) return st;
  nghttp2_data_provider provider = DataProvider();
  int32_t id = nghttp2_submit_request(session(), nullptr, block.data(), block.size(), end_stream ? nullptr : &provider,
                                      nullptr);
  if (id < 0) return absl::InternalError(absl::StrCat("nghttp2 request: ", nghttp2_strerror(id)));
  Http2Stream& stream = Add(id);
  stream.decoder = &decoder;
  stream.headers_sent = true;
  stream.local_ended = end_stream;
  return id;
}

void Http2ClientConnection::OnHeadersComplete(Http2Stream& stream, bool end_stream) {
  std::optional<int> status = stream.rx_headers.Status();
  if (status && *status < 200 && !end_stream) {
    // Interim (100 Continue, 103): the final response's block comes next.
    stream.rx_headers.Clear();
    stream.rx_header_bytes = 0;
    return;
  }
  DeliverHeaders(stream, end_stream);
}

void Http2ClientConnection::OnGoAwayReceived(StreamId last_stream, uint32_t error_code) {
  callbacks_.OnGoAway(last_stream, error_code);
}

}  // namespace tether::codec
