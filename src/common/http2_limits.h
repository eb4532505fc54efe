#pragma once

#include <cstdint>

namespace tether {

// The bounds of the http2_protocol_options fields, Envoy's (RFC 9113 §6.5.2, §6.9.1). In common
// so that the config validator (errors naming the config field) and the codec's
// ValidateHttp2Options check the same ranges: one source of truth.
struct Http2Limit {
  const char* field;  // the http2_protocol_options field name
  uint32_t min;
  uint32_t max;
};

inline constexpr uint32_t kHttp2MaxWindow = 0x7fffffff;  // RFC 9113 §6.9.1
inline constexpr uint32_t kHttp2MinWindow = 65535;       // the protocol's initial window; Envoy's minimum

inline constexpr Http2Limit kHttp2MaxConcurrentStreams{"max_concurrent_streams", 1, kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2InitialStreamWindowSize{"initial_stream_window_size", kHttp2MinWindow,
                                                          kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2InitialConnectionWindowSize{"initial_connection_window_size", kHttp2MinWindow,
                                                              kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2MaxOutboundFrames{"max_outbound_frames", 1, kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2MaxOutboundControlFrames{"max_outbound_control_frames", 1, kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2MaxConsecutiveInboundFramesWithEmptyPayload{
    "max_consecutive_inbound_frames_with_empty_payload", 0, kHttp2MaxWindow};
inline constexpr Http2Limit kHttp2MaxInboundWindowUpdateFramesPerDataFrameSent{
    "max_inbound_window_update_frames_per_data_frame_sent", 1, kHttp2MaxWindow};

}  // namespace tether
