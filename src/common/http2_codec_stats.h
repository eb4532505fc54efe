#pragma once

#include <string>

#include "src/common/stats_store.h"

namespace tether::stats {

// Envoy's HTTP/2 codec stats, for one listener (`http.<prefix>.http2.<stat>`) or one cluster
// (`cluster.<name>.http2.<stat>`, as Envoy's upstream ones). Envoy keeps the downstream ones at
// the root (`http2.<stat>`); Tether keeps them per listener. `root` is "http" or "cluster",
// `tags` the listener's or cluster's tag. The HTTP/2 codec counts them (codec::Http2Options::stats),
// its owners (connection manager, pool) hand them over.
struct Http2CodecStats {
  Http2CodecStats(Store& store, const std::string& root, const Tags& tags);

  Counter& rx_reset;                            // RST_STREAM received
  Counter& tx_reset;                            // RST_STREAM sent
  Counter& goaway_sent;
  Counter& header_overflow;                     // a header list beyond the limit: stream reset
  Counter& rx_messaging_error;                  // a malformed message (RFC 9113 §8.1.1): stream reset
  Counter& stream_refused_errors;               // REFUSED_STREAM: beyond max_concurrent_streams
  Counter& trailers;                            // trailers received
  // Connections ended with GOAWAY ENHANCE_YOUR_CALM for a flood (docs/security.md).
  Counter& inbound_empty_frames_flood;          // max_consecutive_inbound_frames_with_empty_payload
  Counter& inbound_window_update_frames_flood;  // max_inbound_window_update_frames_per_data_frame_sent
  Counter& outbound_flood;                      // max_outbound_frames
  Counter& outbound_control_flood;              // max_outbound_control_frames
  Gauge& streams_active;
  // Rapid reset (CVE-2023-44487) has no http2.* counter in Envoy: a listener points this at its
  // downstream_rq_too_many_premature_resets (Envoy's name); a cluster leaves it null.
  Counter* too_many_premature_resets = nullptr;
};

}  // namespace tether::stats
