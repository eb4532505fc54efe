#include "src/codec/http2_options.h"

#include "absl/strings/str_cat.h"

namespace tether::codec {
namespace {

constexpr uint32_t kMaxWindow = 0x7fffffff;  // RFC 9113 §6.9.1
constexpr uint32_t kMinWindow = 65535;       // the protocol's initial window; Envoy's minimum

absl::Status OutOfRange(const char* field, uint64_t value, uint64_t lo, uint64_t hi) {
  return absl::InvalidArgumentError(
      absl::StrCat("http2_protocol_options.", field, ": ", value, " is outside [", lo, ", ", hi, "]"));
}

}  // namespace

absl::Status ValidateHttp2Options(const Http2Options& o) {
  struct Range {
    const char* field;
    uint64_t value, lo, hi;
  };
  const Range ranges[] = {
      {"max_concurrent_streams", o.max_concurrent_streams, 1, kMaxWindow},
      {"initial_stream_window_size", o.initial_stream_window_size, kMinWindow, kMaxWindow},
      {"initial_connection_window_size", o.initial_connection_window_size, kMinWindow, kMaxWindow},
      {"max_header_list_size", o.max_header_list_size, 1024, 1024 * 1024},
      {"max_outbound_frames", o.max_outbound_frames, 1, kMaxWindow},
      {"max_outbound_control_frames", o.max_outbound_control_frames, 1, kMaxWindow},
      {"max_consecutive_inbound_frames_with_empty_payload", o.max_consecutive_inbound_frames_with_empty_payload, 0,
       kMaxWindow},
      {"max_inbound_window_update_frames_per_data_frame_sent",
       o.max_inbound_window_update_frames_per_data_frame_sent, 1, kMaxWindow},
      {"max_settings_entries", o.max_settings_entries, 7, 1024},
      {"max_continuation_frames", o.max_continuation_frames, 1, 1024},
      {"premature_reset_total_stream_count", o.premature_reset_total_stream_count, 1, kMaxWindow},
      {"max_output_bytes", o.max_output_bytes, 16 * 1024 + 9, 64 * 1024 * 1024},
  };
  for (const Range& r : ranges) {
    if (r.value < r.lo || r.value > r.hi) return OutOfRange(r.field, r.value, r.lo, r.hi);
  }
  return absl::OkStatus();
}

}  // namespace tether::codec
