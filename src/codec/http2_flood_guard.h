#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "src/codec/http2_options.h"

namespace tether::codec {

// What a peer flooded us with (each has its counter in stats::Http2CodecStats).
enum class Http2Flood : uint8_t {
  kEmptyDataFrames,     // max_consecutive_inbound_frames_with_empty_payload
  kWindowUpdateFrames,  // max_inbound_window_update_frames_per_data_frame_sent
  kPrematureResets,     // premature_reset_total_stream_count (rapid reset)
};
std::string_view Http2FloodName(Http2Flood flood);

// Counts what nghttp2 does not bound by itself and says when a peer crossed a limit
// (Http2Options; Envoy's codec_impl.cc keeps the same counters). Each On* returns what was
// flooded, and the connection answers with GOAWAY ENHANCE_YOUR_CALM. Counts, never clocks: the
// verdict depends only on the frames, so tests and fuzzing see the same thing every time.
// PRIORITY frames need no count (Envoy's max_inbound_priority_frames_per_stream): we send
// SETTINGS_NO_RFC7540_PRIORITIES and nghttp2 then skips them unprocessed.
class Http2FloodGuard {
 public:
  explicit Http2FloodGuard(const Http2Options& options) : options_(options) {}

  // Every frame received, after nghttp2 accepted it (frame type and flags as on the wire).
  std::optional<Http2Flood> OnInboundFrame(uint8_t type, std::size_t length, uint8_t flags);
  void OnOutboundDataFrame() { ++outbound_data_frames_; }
  void OnStreamOpened() { ++opened_streams_; }
  // A stream closed; premature: reset before its response was complete, not by our caller's choice.
  std::optional<Http2Flood> OnStreamClosed(bool premature);

  uint64_t premature_resets() const { return premature_resets_; }

 private:
  const Http2Options& options_;
  uint32_t consecutive_empty_frames_ = 0;
  uint64_t inbound_window_update_frames_ = 0;
  uint64_t outbound_data_frames_ = 0;
  uint64_t opened_streams_ = 0;
  uint64_t closed_streams_ = 0;
  uint64_t premature_resets_ = 0;
};

}  // namespace tether::codec
