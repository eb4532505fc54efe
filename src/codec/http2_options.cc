#include "src/codec/http2_options.h"

#include "absl/strings/str_cat.h"
#include "src/common/http2_limits.h"

namespace tether::codec {
namespace {

absl::Status OutOfRange(const char* field, uint64_t value, uint64_t lo, uint64_t hi) {
  return absl::InvalidArgumentError(
      absl::StrCat("http2_protocol_options.", field, ": ", value, " is outside [", lo, ", ", hi, "]"));
}

}  // namespace

absl::Status ValidateHttp2Options(const Http2Options& o) {
  struct Range {
    const char* field;
    uint64_t value, lo, hi;
    Range(const char* f, uint64_t v, uint64_t l, uint64_t h) : field(f), value(v), lo(l), hi(h) {}
    // The fields config also takes: their bounds come from the one table (common/http2_limits.h).
    Range(const Http2Limit& limit, uint64_t v) : Range(limit.field, v, limit.min, limit.max) {}
  };
  const Range ranges[] = {
      {kHttp2MaxConcurrentStreams, o.max_concurrent_streams},
      {kHttp2InitialStreamWindowSize, o.initial_stream_window_size},
      {kHttp2InitialConnectionWindowSize, o.initial_connection_window_size},
      {"max_header_list_size", o.max_header_list_size, 1024, 1024 * 1024},
      {kHttp2MaxOutboundFrames, o.max_outbound_frames},
      {kHttp2MaxOutboundControlFrames, o.max_outbound_control_frames},
      {kHttp2MaxConsecutiveInboundFramesWithEmptyPayload, o.max_consecutive_inbound_frames_with_empty_payload},
      {kHttp2MaxInboundWindowUpdateFramesPerDataFrameSent, o.max_inbound_window_update_frames_per_data_frame_sent},
      {"max_settings_entries", o.max_settings_entries, 7, 1024},
      {"max_continuation_frames", o.max_continuation_frames, 1, 1024},
      {"premature_reset_total_stream_count", o.premature_reset_total_stream_count, 1, kHttp2MaxWindow},
      {"max_output_bytes", o.max_output_bytes, 16 * 1024 + 9, 64 * 1024 * 1024},
  };
  for (const Range& r : ranges) {
    if (r.value < r.lo || r.value > r.hi) return OutOfRange(r.field, r.value, r.lo, r.hi);
  }
  return absl::OkStatus();
}

}  // namespace tether::codec
