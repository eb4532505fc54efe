#include "src/codec/http2_flood_guard.h"

#include <nghttp2/nghttp2.h>

namespace tether::codec {

std::string_view Http2FloodName(Http2Flood flood) {
  switch (flood) {
    case Http2Flood::kEmptyDataFrames:
      return "consecutive empty DATA frames";
    case Http2Flood::kWindowUpdateFrames:
      return "WINDOW_UPDATE frames";
    case Http2Flood::kPrematureResets:
      return "streams reset before their response (rapid reset)";
  }
  return "unknown";
}

std::optional<Http2Flood> Http2FloodGuard::OnInboundFrame(uint8_t type, std::size_t length, uint8_t flags) {
  if (type == NGHTTP2_DATA) {
    // A DATA frame that carries nothing and ends nothing costs us work and the peer nothing.
    if (length == 0 && (flags & NGHTTP2_FLAG_END_STREAM) == 0) {
      if (++consecutive_empty_frames_ > options_.max_consecutive_inbound_frames_with_empty_payload) {
        return Http2Flood::kEmptyDataFrames;
      }
    } else {
      consecutive_empty_frames_ = 0;
    }
    return std::nullopt;
  }
  if (type == NGHTTP2_WINDOW_UPDATE) {
    // Envoy's formula: some slack for the connection's own updates, then per stream and DATA sent.
    if (++inbound_window_update_frames_ >
        5 + 2 * (opened_streams_ +
                 static_cast<uint64_t>(options_.max_inbound_window_update_frames_per_data_frame_sent) *
                     outbound_data_frames_)) {
      return Http2Flood::kWindowUpdateFrames;
    }
  }
  return std::nullopt;
}

std::optional<Http2Flood> Http2FloodGuard::OnStreamClosed(bool premature) {
  ++closed_streams_;
  if (premature) ++premature_resets_;
  if (closed_streams_ >= options_.premature_reset_total_stream_count && premature_resets_ * 2 >= closed_streams_) {
    return Http2Flood::kPrematureResets;
  }
  return std::nullopt;
}

}  // namespace tether::codec
