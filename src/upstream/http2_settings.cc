#include "src/upstream/http2_settings.h"

namespace tether::upstream {

codec::Http2Options Http2OptionsFrom(const config::Http2ProtocolOptions& from) {
  codec::Http2Options options;
  options.max_concurrent_streams = from.max_concurrent_streams;
  options.initial_stream_window_size = from.initial_stream_window_size;
  options.initial_connection_window_size = from.initial_connection_window_size;
  options.max_outbound_frames = from.max_outbound_frames;
  options.max_outbound_control_frames = from.max_outbound_control_frames;
  options.max_consecutive_inbound_frames_with_empty_payload = from.max_consecutive_inbound_frames_with_empty_payload;
  options.max_inbound_window_update_frames_per_data_frame_sent =
      from.max_inbound_window_update_frames_per_data_frame_sent;
  return options;
}

}  // namespace tether::upstream
