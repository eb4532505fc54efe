#include "src/http/listener_stats.h"

namespace tether::http {

#define TETHER_HTTP_COUNTER(n) n(store.CounterFor("http." #n, {{"listener", stat_prefix}}))
#define TETHER_HTTP_GAUGE(n) n(store.GaugeFor("http." #n, {{"listener", stat_prefix}}))

ListenerStats::ListenerStats(stats::Store& store, const std::string& stat_prefix)
    : TETHER_HTTP_COUNTER(downstream_cx_total),
      TETHER_HTTP_GAUGE(downstream_cx_active),
      TETHER_HTTP_COUNTER(downstream_cx_protocol_error),
      TETHER_HTTP_COUNTER(downstream_cx_destroy_remote),
      TETHER_HTTP_COUNTER(downstream_cx_idle_timeout),
      TETHER_HTTP_COUNTER(downstream_cx_drain_close),
      TETHER_HTTP_COUNTER(downstream_cx_overflow),
      TETHER_HTTP_COUNTER(downstream_cx_overload_reject),
      TETHER_HTTP_COUNTER(downstream_cx_max_requests_reached),
      TETHER_HTTP_COUNTER(downstream_rq_overload_close),
      TETHER_HTTP_COUNTER(downstream_rq_total),
      TETHER_HTTP_GAUGE(downstream_rq_active),
      TETHER_HTTP_COUNTER(downstream_rq_1xx),
      TETHER_HTTP_COUNTER(downstream_rq_2xx),
      TETHER_HTTP_COUNTER(downstream_rq_3xx),
      TETHER_HTTP_COUNTER(downstream_rq_4xx),
      TETHER_HTTP_COUNTER(downstream_rq_5xx),
      TETHER_HTTP_COUNTER(downstream_rq_headers_too_large),
      TETHER_HTTP_COUNTER(downstream_rq_too_many_headers),
      TETHER_HTTP_COUNTER(downstream_rq_chunk_line_too_long),
      TETHER_HTTP_COUNTER(downstream_rq_failed_path_normalization),
      TETHER_HTTP_COUNTER(downstream_rq_redirected_with_normalized_path),
      TETHER_HTTP_COUNTER(downstream_rq_header_timeout),
      TETHER_HTTP_COUNTER(downstream_rq_idle_timeout),
      TETHER_HTTP_COUNTER(downstream_rq_timeout),
      TETHER_HTTP_COUNTER(downstream_rq_rx_reset),
      TETHER_HTTP_COUNTER(downstream_rq_tx_reset),
      TETHER_HTTP_COUNTER(downstream_cx_http1_total),
      TETHER_HTTP_COUNTER(downstream_cx_http2_total),
      TETHER_HTTP_GAUGE(downstream_cx_http1_active),
      TETHER_HTTP_GAUGE(downstream_cx_http2_active),
      TETHER_HTTP_COUNTER(downstream_rq_http1_total),
      TETHER_HTTP_COUNTER(downstream_rq_http2_total),
      TETHER_HTTP_COUNTER(downstream_rq_too_many_premature_resets),
      TETHER_HTTP_COUNTER(no_route),
      TETHER_HTTP_COUNTER(no_cluster),
      TETHER_HTTP_COUNTER(rq_direct_response),
      TETHER_HTTP_COUNTER(rq_redirect),
      downstream_rq_time(store.HistogramFor("http.downstream_rq_time", {{"listener", stat_prefix}})),
      http2(store, "http", {{"listener", stat_prefix}}) {
  for (size_t i = 0; i < kResponseFlagCount; ++i) {
    const std::string_view code = ShortCode(static_cast<ResponseFlag>(i));
    flag_counters_[i] =
        &store.CounterFor("http.downstream_rq_response_flags", {{"listener", stat_prefix}, {"flag", std::string(code)}});
  }
  for (size_t i = 0; i < codec::kStreamResetReasonCount; ++i) {
    const std::string_view reason = codec::ResetReasonName(static_cast<codec::StreamResetReason>(i));
    reset_counters_[i] = &store.CounterFor("http.downstream_rq_reset_reason",
                                           {{"listener", stat_prefix}, {"reason", std::string(reason)}});
  }
  http2.too_many_premature_resets = &downstream_rq_too_many_premature_resets;
}

#undef TETHER_HTTP_COUNTER
#undef TETHER_HTTP_GAUGE

void ListenerStats::RecordStatus(unsigned status) {
  stats::CountStatusClass(
      status, {&downstream_rq_1xx, &downstream_rq_2xx, &downstream_rq_3xx, &downstream_rq_4xx, &downstream_rq_5xx});
}

void ListenerStats::RecordRequestEnd(unsigned status, const ResponseFlags& flags, std::chrono::microseconds time) {
  RecordStatus(status);
  RecordResponseFlags(flags);
  downstream_rq_time.Record(time);
}

void ListenerStats::CodecOpened(codec::Protocol protocol) {
  const bool h2 = protocol == codec::Protocol::kHttp2;
  (h2 ? downstream_cx_http2_total : downstream_cx_http1_total).Inc();
  (h2 ? downstream_cx_http2_active : downstream_cx_http1_active).Inc();
}

void ListenerStats::CodecClosed(codec::Protocol protocol) {
  (protocol == codec::Protocol::kHttp2 ? downstream_cx_http2_active : downstream_cx_http1_active).Dec();
}

void ListenerStats::RecordRequest(codec::Protocol protocol) {
  (protocol == codec::Protocol::kHttp2 ? downstream_rq_http2_total : downstream_rq_http1_total).Inc();
}

void ListenerStats::RecordStreamReset(codec::StreamResetReason reason) {
  (codec::ResetByPeer(reason) ? downstream_rq_rx_reset : downstream_rq_tx_reset).Inc();
  reset_counters_[static_cast<size_t>(reason)]->Inc();
}

void ListenerStats::RecordResponseFlags(const ResponseFlags& flags) {
  flags.ForEach([this](ResponseFlag flag) { flag_counters_[static_cast<size_t>(flag)]->Inc(); });
}

}  // namespace tether::http
