#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "src/codec/codec.h"
#include "src/common/http2_codec_stats.h"
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
  stats::Counter& downstream_rq_rx_reset;  // the client reset the stream, or the connection ended under it
  stats::Counter& downstream_rq_tx_reset;  // Tether reset it (timeout after the response began, protocol error, limit)
  // Per protocol (Envoy's names): connections once their codec is known (AUTO decides from the
  // first bytes), and requests.
  stats::Counter& downstream_cx_http1_total;
  stats::Counter& downstream_cx_http2_total;
  stats::Gauge& downstream_cx_http1_active;
  stats::Gauge& downstream_cx_http2_active;
  stats::Counter& downstream_rq_http1_total;
  stats::Counter& downstream_rq_http2_total;
  // Rapid reset (CVE-2023-44487): connections ended with GOAWAY ENHANCE_YOUR_CALM because too many
  // of their streams were reset before completing (Envoy's name).
  stats::Counter& downstream_rq_too_many_premature_resets;
  stats::Counter& no_route;
  stats::Counter& no_cluster;
  stats::Counter& rq_direct_response;
  stats::Counter& rq_redirect;
  stats::Histogram& downstream_rq_time;
  stats::Http2CodecStats http2;  // http.<prefix>.http2.*

  void RecordStatus(unsigned status);
  // A request ended (answered, refused or reset): the status class, its flags, downstream_rq_time.
  void RecordRequestEnd(unsigned status, const ResponseFlags& flags, std::chrono::microseconds time);
  // A connection's codec was chosen / the connection closed: downstream_cx_http{1,2}_total and _active.
  void CodecOpened(codec::Protocol protocol);
  void CodecClosed(codec::Protocol protocol);
  // A request arrived on a stream: downstream_rq_http{1,2}_total.
  void RecordRequest(codec::Protocol protocol);
  // A request's stream ended by a reset: downstream_rq_rx_reset (by the peer, or its connection
  // ended) or downstream_rq_tx_reset (by Tether), and its cause,
  // `http.<prefix>.<reason>.downstream_rq_reset_reason` (codec::ResetReasonName). The HTTP/2
  // frames themselves (http2.rx_reset, tx_reset, rx_messaging_error) are the codec's to count.
  void RecordStreamReset(codec::StreamResetReason reason);
  stats::Counter& StreamResetCounter(codec::StreamResetReason reason) {
    return *reset_counters_[static_cast<size_t>(reason)];
  }
  // Every ResponseFlag has a counter `http.<prefix>.<FLAG>.downstream_rq_response_flags`,
  // created up front so counting one takes no lock.
  void RecordResponseFlags(const ResponseFlags& flags);

 private:
  std::array<stats::Counter*, kResponseFlagCount> flag_counters_{};
  std::array<stats::Counter*, codec::kStreamResetReasonCount> reset_counters_{};
};

}  // namespace tether::http
