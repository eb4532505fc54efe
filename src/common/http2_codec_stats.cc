#include "src/common/http2_codec_stats.h"

namespace tether::stats {

#define TETHER_HTTP2_COUNTER(n) n(store.CounterFor(root + ".http2." #n, tags))
#define TETHER_HTTP2_GAUGE(n) n(store.GaugeFor(root + ".http2." #n, tags))

Http2CodecStats::Http2CodecStats(Store& store, const std::string& root, const Tags& tags)
    : TETHER_HTTP2_COUNTER(rx_reset),
      TETHER_HTTP2_COUNTER(tx_reset),
      TETHER_HTTP2_COUNTER(goaway_sent),
      TETHER_HTTP2_COUNTER(header_overflow),
      TETHER_HTTP2_COUNTER(rx_messaging_error),
      TETHER_HTTP2_COUNTER(stream_refused_errors),
      TETHER_HTTP2_COUNTER(trailers),
      TETHER_HTTP2_COUNTER(inbound_empty_frames_flood),
      TETHER_HTTP2_COUNTER(inbound_window_update_frames_flood),
      TETHER_HTTP2_COUNTER(outbound_flood),
      TETHER_HTTP2_COUNTER(outbound_control_flood),
      TETHER_HTTP2_GAUGE(streams_active) {}

#undef TETHER_HTTP2_COUNTER
#undef TETHER_HTTP2_GAUGE

}  // namespace tether::stats
