#pragma once

#include <array>
#include <string>

#include "src/codec/codec.h"
#include "src/common/grpc_status.h"
#include "src/common/http2_codec_stats.h"
#include "src/common/stats_store.h"

namespace tether::upstream {

// Envoy-named per-cluster stats: flat `cluster.<name>.<stat>`.
struct ClusterStats {
  ClusterStats(stats::Store& store, const std::string& cluster);

  stats::Counter& upstream_cx_total;
  stats::Gauge& upstream_cx_active;
  stats::Counter& upstream_cx_connect_fail;
  stats::Counter& upstream_cx_connect_timeout;
  stats::Counter& upstream_cx_destroy_remote;  // connections the upstream closed
  stats::Counter& upstream_cx_idle_timeout;    // pooled connections dropped after idle_timeout
  stats::Counter& upstream_cx_none_healthy;
  stats::Counter& upstream_cx_protocol_error;  // a response that broke HTTP/1 or a limit: 502 UPE
  // The connection pools (conn_pool.h), Envoy's names.
  stats::Counter& upstream_cx_http1_total;
  stats::Counter& upstream_cx_http2_total;
  stats::Counter& upstream_cx_destroy_local;    // closed by us (idle, drain, a stream cancelled on HTTP/1)
  stats::Counter& upstream_cx_close_notify;     // the upstream said it takes no more (GOAWAY, Connection: close)
  stats::Counter& upstream_cx_max_requests;     // closed after max_requests_per_connection
  stats::Counter& upstream_cx_destroy_with_active_rq;
  stats::Counter& upstream_rq_tx_reset;         // streams we reset (the request went away, a malformed response)
  stats::Counter& upstream_rq_rx_reset;         // streams the upstream or the connection's end reset
  stats::Counter& upstream_rq_total;
  stats::Gauge& upstream_rq_active;
  stats::Counter& upstream_rq_1xx;
  stats::Counter& upstream_rq_2xx;
  stats::Counter& upstream_rq_3xx;
  stats::Counter& upstream_rq_4xx;
  stats::Counter& upstream_rq_5xx;
  stats::Counter& upstream_rq_timeout;
  stats::Counter& upstream_rq_reset;
  stats::Counter& upstream_rq_retry_stale_connection;
  // Circuit breakers (cluster_resources.h) and retries (docs/resilience.md), Envoy's names.
  stats::Counter& upstream_cx_overflow;          // a connection not made: max_connections
  stats::Counter& upstream_rq_pending_overflow;  // a request failed: max_pending_requests or max_requests
  stats::Counter& upstream_rq_pending_total;     // requests that waited for a connection
  stats::Gauge& upstream_rq_pending_active;
  stats::Counter& upstream_rq_retry;
  stats::Counter& upstream_rq_retry_success;
  stats::Counter& upstream_rq_retry_overflow;        // a retry not made: max_retries or the budget
  stats::Counter& upstream_rq_retry_limit_exceeded;  // a retriable try with no retries left
  stats::Counter& upstream_rq_retry_backoff_exponential;
  stats::Counter& upstream_rq_per_try_timeout;
  stats::Counter& upstream_rq_per_try_idle_timeout;
  stats::Counter& retry_or_shadow_abandoned;  // a retry given up: the body outgrew the replay buffer
  stats::Histogram& upstream_rq_time;
  stats::Gauge& membership_total;
  stats::Counter& upstream_rq_lb_healthy_panic;  // picks from all hosts: too few healthy (panic threshold)
  stats::Http2CodecStats http2;  // cluster.<name>.http2.*
  // gRPC calls routed to this cluster, as Envoy's: `grpc.success` (OK), `grpc.failure`,
  // `grpc.total`, and one counter per status code, `grpc.<code>` (0..16, numeric as Envoy's).
  stats::Counter& grpc_success;
  stats::Counter& grpc_failure;
  stats::Counter& grpc_total;

  void RecordStatus(unsigned status);
  // A gRPC call's final status (http::ResponseGrpcStatus: trailers, trailers-only, or mapped).
  void RecordGrpcStatus(GrpcStatus status);
  // A pool stream ended by a reset: upstream_rq_rx_reset or upstream_rq_tx_reset (as the listener's
  // split, codec::ResetByPeer), and its cause, `cluster.<name>.<reason>.upstream_rq_reset_reason`.
  void RecordStreamReset(codec::StreamResetReason reason);
  stats::Counter& StreamResetCounter(codec::StreamResetReason reason) {
    return *reset_reason_[static_cast<size_t>(reason)];
  }
  stats::Counter& GrpcStatusCounter(GrpcStatus status) { return *grpc_status_[static_cast<size_t>(status)]; }

 private:
  std::array<stats::Counter*, kGrpcStatusCount> grpc_status_{};  // created up front: counting takes no lock
  std::array<stats::Counter*, codec::kStreamResetReasonCount> reset_reason_{};
};

// Per-host stats, shown by the admin /clusters page: flat
// `cluster.<name>.<host:port>.host.<stat>`.
struct HostStats {
  HostStats(stats::Store& store, const std::string& cluster, const std::string& host);

  stats::Counter& cx_total;
  stats::Gauge& cx_active;
  stats::Counter& cx_connect_fail;
  stats::Counter& rq_total;
  stats::Gauge& rq_active;
  stats::Counter& rq_error;
  stats::Counter& rq_success;
  stats::Counter& rq_timeout;
};

}  // namespace tether::upstream
