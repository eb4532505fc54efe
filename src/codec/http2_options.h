#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "src/common/http2_codec_stats.h"

namespace tether::codec {

// HTTP/2 limits, named and defaulted as Envoy's http2_protocol_options where it has the field
// (docs/security.md, "HTTP/2"). A plain struct: the listener's and cluster's config fill it, their
// owners add the stats.
struct Http2Options {
  // SETTINGS_MAX_CONCURRENT_STREAMS we advertise; a stream beyond it is refused (REFUSED_STREAM).
  uint32_t max_concurrent_streams = 100;
  // SETTINGS_INITIAL_WINDOW_SIZE and the connection's receive window. Envoy's edge advice (64 KiB,
  // 1 MiB), not its 256 MiB default: a sidecar holds at most this much unread per stream.
  uint32_t initial_stream_window_size = 64 * 1024;
  uint32_t initial_connection_window_size = 1024 * 1024;
  // SETTINGS_MAX_HEADER_LIST_SIZE, enforced on receive (RFC 9113 §6.5.2 sizing): HTTP/1's 60 KiB.
  uint32_t max_header_list_size = 60 * 1024;
  // Frames queued for a peer that does not read (Envoy: max_outbound_frames); PING and SETTINGS
  // acknowledgements among them (max_outbound_control_frames, nghttp2's max_outbound_ack).
  uint32_t max_outbound_frames = 10000;
  uint32_t max_outbound_control_frames = 1000;
  // Consecutive DATA frames with neither payload nor END_STREAM (CVE-2019-9518).
  uint32_t max_consecutive_inbound_frames_with_empty_payload = 1;
  // WINDOW_UPDATE frames per DATA frame sent (CVE-2019-9511's cousin).
  uint32_t max_inbound_window_update_frames_per_data_frame_sent = 10;
  // Entries in one SETTINGS frame (nghttp2's max_settings) and CONTINUATION frames after one
  // HEADERS (nghttp2's max_continuations, CVE-2024-27316): beyond either, GOAWAY.
  uint32_t max_settings_entries = 32;
  uint32_t max_continuation_frames = 8;
  // Rapid reset (CVE-2023-44487): once this many streams have closed, a connection where half or
  // more were reset before their response completed (by the peer, or by us for its malformed
  // requests) gets GOAWAY ENHANCE_YOUR_CALM (Envoy's overload.premature_reset_total_stream_count).
  uint32_t premature_reset_total_stream_count = 500;
  // Bytes of output the codec produces ahead of the transport (PendingOutput's bound).
  std::size_t max_output_bytes = 64 * 1024;
  // Where the codec counts Envoy's http2.* stats: the owner's (a listener's or a cluster's), or
  // none. Shared so the counters outlive every connection counting into them.
  std::shared_ptr<stats::Http2CodecStats> stats;
};

// Checks ranges (RFC 9113 §6.5.2, §6.9.2; Envoy's bounds), naming the first bad field.
absl::Status ValidateHttp2Options(const Http2Options& options);

}  // namespace tether::codec
