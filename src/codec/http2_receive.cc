// Http2Connection's receiving side: nghttp2's callbacks during nghttp2_session_mem_recv turned into
// StreamDecoder events, the receive limits and the flood guard.
#include "absl/strings/str_cat.h"
#include "src/codec/http2_connection.h"

namespace tether::codec {
namespace {

// RFC 9113 §4.3.1's 32 octets of overhead per field.
constexpr std::size_t kFieldOverhead = 32;

StreamResetReason ReasonFor(const Http2Stream& s, uint32_t error_code) {
  if (s.reset_by_peer) {
    return error_code == NGHTTP2_REFUSED_STREAM ? StreamResetReason::kRemoteRefusedStream
                                                : StreamResetReason::kRemoteReset;
  }
  switch (error_code) {
    case NGHTTP2_PROTOCOL_ERROR:
      return StreamResetReason::kProtocolError;
    case NGHTTP2_REFUSED_STREAM:
      // Beyond a GOAWAY's last stream: never processed, safe to retry.
      return StreamResetReason::kRemoteRefusedStream;
    case NGHTTP2_INTERNAL_ERROR:
      return s.header_overflow ? StreamResetReason::kOverflow : StreamResetReason::kConnectionTermination;
    default:
      return StreamResetReason::kConnectionTermination;
  }
}

}  // namespace

int Http2Connection::OnBeginHeaders(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS) return 0;
  if (role_ == Role::kServer && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
    Add(frame.hd.stream_id);
    flood_guard_.OnStreamOpened();
    return 0;
  }
  // A response (after an interim one) or trailers: a fresh block.
  if (Http2Stream* s = Find(frame.hd.stream_id)) {
    s->rx_headers.Clear();
    s->rx_header_bytes = 0;
  }
  return 0;
}

int Http2Connection::OnHeader(const nghttp2_frame& frame, std::string_view name, std::string_view value) {
  Http2Stream* s = Find(frame.hd.stream_id);
  if (s == nullptr) return 0;
  s->rx_header_bytes += name.size() + value.size() + kFieldOverhead;
  if (s->rx_header_bytes > options_.max_header_list_size) {
    // As Envoy: nghttp2 resets the stream (INTERNAL_ERROR) and skips the rest of the block.
    if (!s->header_overflow && stats_ != nullptr) stats_->header_overflow.Inc();
    s->header_overflow = true;
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  if (!name.empty() && name.front() == ':') {
    std::optional<PseudoHeader> pseudo = ParsePseudoHeader(name);
    // nghttp2 has checked placement and duplicates; :protocol (extended CONNECT) is not enabled.
    if (!pseudo) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    s->rx_headers.Set(*pseudo, value);
  } else {
    s->rx_headers.Add(name, value);
  }
  return 0;
}

int Http2Connection::OnFrameRecv(const nghttp2_frame& frame) {
  if (std::optional<Http2Flood> flood = flood_guard_.OnInboundFrame(frame.hd.type, frame.hd.length, frame.hd.flags)) {
    Flooded(*flood);
    return 0;
  }
  const bool end_stream = (frame.hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  switch (frame.hd.type) {
    case NGHTTP2_HEADERS: {
      Http2Stream* s = Find(frame.hd.stream_id);
      if (s == nullptr || s->remote_ended) break;
      if (!s->headers_delivered) {
        OnHeadersComplete(*s, end_stream);
        break;
      }
      // A second block is trailers; nghttp2 has checked it ends the stream and has no pseudo-headers.
      s->remote_ended = true;
      if (stats_ != nullptr) stats_->trailers.Inc();
      HeaderMap trailers = std::move(s->rx_headers);
      s->rx_headers = HeaderMap();
      s->rx_header_bytes = 0;
      if (s->decoder != nullptr) s->decoder->OnTrailers(std::move(trailers));
      MaybeDetach(*s);
      break;
    }
    case NGHTTP2_DATA: {
      Http2Stream* s = Find(frame.hd.stream_id);
      if (s == nullptr || !end_stream || s->remote_ended) break;
      s->remote_ended = true;
      if (s->decoder != nullptr) s->decoder->OnData({}, true);
      MaybeDetach(*s);
      break;
    }
    case NGHTTP2_RST_STREAM:
      if (stats_ != nullptr) stats_->rx_reset.Inc();
      if (Http2Stream* s = Find(frame.hd.stream_id)) s->reset_by_peer = true;
      break;
    case NGHTTP2_GOAWAY:
      goaway_received_ = true;
      OnGoAwayReceived(frame.goaway.last_stream_id, frame.goaway.error_code);
      break;
    default:
      break;
  }
  return 0;
}

int Http2Connection::OnDataChunk(StreamId id, const uint8_t* data, std::size_t length) {
  Http2Stream* s = Find(id);
  if (s == nullptr || s->decoder == nullptr) {
    // Nobody will take these bytes: give the window back now.
    nghttp2_session_consume(session(), id, length);
    return 0;
  }
  s->unconsumed += length;
  s->decoder->OnData(absl::MakeConstSpan(data, length), false);
  return 0;
}

int Http2Connection::OnStreamClose(StreamId id, uint32_t error_code) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return 0;
  std::unique_ptr<Http2Stream> s = std::move(it->second);
  streams_.erase(it);
  StreamsGone(1);
  // Bytes delivered but never acknowledged still count against the connection's window.
  if (s->unconsumed > 0) nghttp2_session_consume_connection(session(), s->unconsumed);
  // NO_ERROR after one side completed is an orderly end (e.g. a response sent before the whole
  // request arrived, RFC 9113 §8.1).
  const bool orderly = error_code == NGHTTP2_NO_ERROR && (s->local_ended || s->remote_ended);
  if (s->decoder != nullptr && !orderly && !s->reset_by_caller) s->decoder->OnReset(ReasonFor(*s, error_code));
  if (role_ == Role::kServer) {
    // Reset before our response completed, by the peer or by nghttp2 for the peer's malformed
    // request: what a rapid-reset attack produces.
    const bool premature = !s->reset_by_caller && error_code != NGHTTP2_NO_ERROR && !s->local_ended;
    if (std::optional<Http2Flood> flood = flood_guard_.OnStreamClosed(premature)) Flooded(*flood);
  }
  return 0;
}

int Http2Connection::OnFrameSend(const nghttp2_frame& frame) {
  if (stats_ != nullptr) {
    if (frame.hd.type == NGHTTP2_RST_STREAM) stats_->tx_reset.Inc();
    if (frame.hd.type == NGHTTP2_GOAWAY) stats_->goaway_sent.Inc();
  }
  if (frame.hd.type == NGHTTP2_DATA) {
    flood_guard_.OnOutboundDataFrame();
  } else if (frame.hd.type == NGHTTP2_GOAWAY && frame.goaway.error_code != NGHTTP2_NO_ERROR && error_.ok()) {
    // nghttp2 found a connection error (RFC 9113 §5.4.1) and says so to the peer; ENHANCE_YOUR_CALM
    // is its flood verdict (e.g. max_settings_entries).
    std::string why = absl::StrCat("HTTP/2 connection error: ", nghttp2_http2_strerror(frame.goaway.error_code));
    error_ = frame.goaway.error_code == NGHTTP2_ENHANCE_YOUR_CALM ? absl::ResourceExhaustedError(why)
                                                                  : absl::InvalidArgumentError(why);
  }
  return 0;
}

// nghttp2 found something wrong in what the peer sent and answers for itself (RST_STREAM or
// GOAWAY); we only count, as Envoy's onInvalidFrame: a malformed message resets its stream
// (RFC 9113 §8.1.1), a stream beyond max_concurrent_streams is refused.
int Http2Connection::OnInvalidFrame(const nghttp2_frame&, int lib_error) {
  if (stats_ == nullptr) return 0;
  if (lib_error == NGHTTP2_ERR_HTTP_HEADER || lib_error == NGHTTP2_ERR_HTTP_MESSAGING) {
    stats_->rx_messaging_error.Inc();
  } else if (lib_error == NGHTTP2_ERR_REFUSED_STREAM) {
    stats_->stream_refused_errors.Inc();
  }
  return 0;
}

}  // namespace tether::codec
