#include "src/upstream/cluster_stats.h"

namespace tether::upstream {
namespace {

stats::Tags ClusterTags(const std::string& cluster) { return {{"cluster_name", cluster}}; }

}  // namespace

#define TETHER_CLUSTER_COUNTER(n) n(store.CounterFor("cluster." #n, ClusterTags(cluster)))
#define TETHER_CLUSTER_GAUGE(n) n(store.GaugeFor("cluster." #n, ClusterTags(cluster)))

ClusterStats::ClusterStats(stats::Store& store, const std::string& cluster)
    : TETHER_CLUSTER_COUNTER(upstream_cx_total),
      TETHER_CLUSTER_GAUGE(upstream_cx_active),
      TETHER_CLUSTER_COUNTER(upstream_cx_connect_fail),
      TETHER_CLUSTER_COUNTER(upstream_cx_connect_timeout),
      TETHER_CLUSTER_COUNTER(upstream_cx_destroy_remote),
      TETHER_CLUSTER_COUNTER(upstream_cx_idle_timeout),
      TETHER_CLUSTER_COUNTER(upstream_cx_none_healthy),
      TETHER_CLUSTER_COUNTER(upstream_cx_protocol_error),
      TETHER_CLUSTER_COUNTER(upstream_cx_http1_total),
      TETHER_CLUSTER_COUNTER(upstream_cx_http2_total),
      TETHER_CLUSTER_COUNTER(upstream_cx_destroy_local),
      TETHER_CLUSTER_COUNTER(upstream_cx_close_notify),
      TETHER_CLUSTER_COUNTER(upstream_cx_max_requests),
      TETHER_CLUSTER_COUNTER(upstream_cx_destroy_with_active_rq),
      TETHER_CLUSTER_COUNTER(upstream_rq_tx_reset),
      TETHER_CLUSTER_COUNTER(upstream_rq_rx_reset),
      TETHER_CLUSTER_COUNTER(upstream_rq_total),
      TETHER_CLUSTER_GAUGE(upstream_rq_active),
      TETHER_CLUSTER_COUNTER(upstream_rq_1xx),
      TETHER_CLUSTER_COUNTER(upstream_rq_2xx),
      TETHER_CLUSTER_COUNTER(upstream_rq_3xx),
      TETHER_CLUSTER_COUNTER(upstream_rq_4xx),
      TETHER_CLUSTER_COUNTER(upstream_rq_5xx),
      TETHER_CLUSTER_COUNTER(upstream_rq_timeout),
      TETHER_CLUSTER_COUNTER(upstream_rq_reset),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry_stale_connection),
      TETHER_CLUSTER_COUNTER(upstream_cx_overflow),
      TETHER_CLUSTER_COUNTER(upstream_rq_pending_overflow),
      TETHER_CLUSTER_COUNTER(upstream_rq_pending_total),
      TETHER_CLUSTER_GAUGE(upstream_rq_pending_active),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry_success),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry_overflow),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry_limit_exceeded),
      TETHER_CLUSTER_COUNTER(upstream_rq_retry_backoff_exponential),
      TETHER_CLUSTER_COUNTER(upstream_rq_per_try_timeout),
      TETHER_CLUSTER_COUNTER(upstream_rq_per_try_idle_timeout),
      TETHER_CLUSTER_COUNTER(retry_or_shadow_abandoned),
      upstream_rq_time(store.HistogramFor("cluster.upstream_rq_time", ClusterTags(cluster))),
      TETHER_CLUSTER_GAUGE(membership_total),
      TETHER_CLUSTER_COUNTER(upstream_rq_lb_healthy_panic),
      http2(store, "cluster", ClusterTags(cluster)),
      grpc_success(store.CounterFor("cluster.grpc.success", ClusterTags(cluster))),
      grpc_failure(store.CounterFor("cluster.grpc.failure", ClusterTags(cluster))),
      grpc_total(store.CounterFor("cluster.grpc.total", ClusterTags(cluster))) {
  for (size_t code = 0; code < kGrpcStatusCount; ++code) {
    grpc_status_[code] = &store.CounterFor("cluster.grpc." + std::to_string(code), ClusterTags(cluster));
  }
  for (size_t i = 0; i < codec::kStreamResetReasonCount; ++i) {
    stats::Tags tags = ClusterTags(cluster);
    tags.emplace_back("reason", std::string(codec::ResetReasonName(static_cast<codec::StreamResetReason>(i))));
    reset_reason_[i] = &store.CounterFor("cluster.upstream_rq_reset_reason", tags);
  }
}

#undef TETHER_CLUSTER_COUNTER
#undef TETHER_CLUSTER_GAUGE

void ClusterStats::RecordStatus(unsigned status) {
  stats::CountStatusClass(
      status, {&upstream_rq_1xx, &upstream_rq_2xx, &upstream_rq_3xx, &upstream_rq_4xx, &upstream_rq_5xx});
}

void ClusterStats::RecordGrpcStatus(GrpcStatus status) {
  GrpcStatusCounter(status).Inc();
  (status == GrpcStatus::kOk ? grpc_success : grpc_failure).Inc();
  grpc_total.Inc();
}

void ClusterStats::RecordStreamReset(codec::StreamResetReason reason) {
  (codec::ResetByPeer(reason) ? upstream_rq_rx_reset : upstream_rq_tx_reset).Inc();
  reset_reason_[static_cast<size_t>(reason)]->Inc();
}

#define TETHER_HOST_COUNTER(n) n(store.CounterFor("cluster.host." #n, {{"cluster_name", cluster}, {"host", host}}))
#define TETHER_HOST_GAUGE(n) n(store.GaugeFor("cluster.host." #n, {{"cluster_name", cluster}, {"host", host}}))

HostStats::HostStats(stats::Store& store, const std::string& cluster, const std::string& host)
    : TETHER_HOST_COUNTER(cx_total),
      TETHER_HOST_GAUGE(cx_active),
      TETHER_HOST_COUNTER(cx_connect_fail),
      TETHER_HOST_COUNTER(rq_total),
      TETHER_HOST_GAUGE(rq_active),
      TETHER_HOST_COUNTER(rq_error),
      TETHER_HOST_COUNTER(rq_success),
      TETHER_HOST_COUNTER(rq_timeout) {}

#undef TETHER_HOST_COUNTER
#undef TETHER_HOST_GAUGE

}  // namespace tether::upstream
