#pragma once

#include <array>
#include <string>
#include <string_view>

#include "src/common/stats_store.h"
#include "src/http/response_flags.h"

namespace tether::http {

// Envoy-named per-listener HTTP stats: flat `http.<stat_prefix>.<stat>`.
struct ListenerStats {
  ListenerStats(stats::Store& store, const std::string& stat_prefix);

  stats::Counter& downstream_cx_total;
  stats::Gauge& downstream_cx_active;
  stats::Counter& downstream_cx_protocol_error;
  stats::Counter& downstream_cx_destroy_remote;
  stats::Counter& downstream_cx_idle_timeout;
  stats::Counter& downstream_cx_drain_close;
  stats::Counter& downstream_cx_overflow;               // over the listener's max_connections: closed at once
  stats::Counter& downstream_cx_overload_reject;        // overload: stop_accepting_connections
  stats::Counter& downstream_cx_max_requests_reached;   // max_requests_per_connection: closed after the response
  stats::Counter& downstream_cx_http1_total;            // connections served as HTTP/1 (codec_type or detected)
  stats::Counter& downstream_cx_http2_total;            // connections served as HTTP/2
  stats::Counter& downstream_rq_http2_total;            // HTTP/2 streams begun
  stats::Counter& downstream_rq_overload_close;         // overload: stop_accepting_requests (503)
  stats::Counter& downstream_rq_total;
  stats::Gauge& downstream_rq_active;
  stats::Counter& downstream_rq_1xx;
  stats::Counter& downstream_rq_2xx;
  stats::Counter& downstream_rq_3xx;
  stats::Counter& downstream_rq_4xx;
  stats::Counter& downstream_rq_5xx;
  stats::Counter& downstream_rq_headers_too_large;
  stats::Counter& downstream_rq_too_many_headers;
  stats::Counter& downstream_rq_chunk_line_too_long;  // a chunk-size line (extensions) beyond 4 KiB
  stats::Counter& downstream_rq_failed_path_normalization;       // 400: escaped slashes refused
  stats::Counter& downstream_rq_redirected_with_normalized_path;  // 307: unescaped slashes
  stats::Counter& downstream_rq_header_timeout;
  stats::Counter& downstream_rq_idle_timeout;  // stream_idle_timeout: 408 or reset
  stats::Counter& downstream_rq_timeout;       // request_timeout: 408 or reset
  stats::Counter& downstream_rq_rx_reset;
  stats::Counter& no_route;
  stats::Counter& no_cluster;
  stats::Counter& rq_direct_response;
  stats::Counter& rq_redirect;
  stats::Histogram& downstream_rq_time;

  void RecordStatus(unsigned status);
  // Every ResponseFlag has a counter `http.<prefix>.<FLAG>.downstream_rq_response_flags`,
  // created up front so counting one takes no lock.
  void RecordResponseFlags(const ResponseFlags& flags);

 private:
  std::array<stats::Counter*, kResponseFlagCount> flag_counters_{};
};

}  // namespace tether::http
