#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "src/common/host_port.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// The compiled, immutable form of a Bootstrap (plus resolved DNS and, later,
// xDS resources). Built on the main thread by BuildSnapshot(); each worker holds
// a shared_ptr<const Snapshot> and in-flight requests keep theirs until done.

using Duration = std::chrono::milliseconds;

struct HeaderAdd {
  std::string key;  // lower-case
  std::string value;
  v1::HeaderValueOption::AppendAction action = v1::HeaderValueOption::APPEND_IF_EXISTS_OR_ADD;
};

struct HeaderMutation {
  std::vector<HeaderAdd> add;
  std::vector<std::string> remove;  // lower-case
  bool empty() const { return add.empty() && remove.empty(); }
};

struct HeaderMatch {
  enum class Kind { kExact, kPrefix, kSuffix, kContains, kRegex, kPresent };
  std::string name;  // lower-case
  Kind kind = Kind::kPresent;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // kRegex
  bool present = true;                    // kPresent
  bool invert = false;
};

struct WeightedTarget {
  std::string cluster;
  uint32_t weight = 1;
};

struct Redirect {
  std::string scheme;  // empty = keep
  std::string host;    // empty = keep
  uint32_t port = 0;   // 0 = keep
  std::string path;    // empty = keep
  std::string prefix_rewrite;
  bool has_prefix_rewrite = false;
  unsigned status = 301;
  bool strip_query = false;
};

// Envoy's RetryPolicy, compiled (docs/resilience.md). A route without one still retries when the
// request asks (x-envoy-retry-on), with these defaults.
struct RetryPolicy {
  // The retry_on conditions, one bit each (http/retry_state.h decides with them).
  enum On : uint32_t {
    k5xx = 1u << 0,
    kGatewayError = 1u << 1,
    kReset = 1u << 2,
    kConnectFailure = 1u << 3,
    kRetriable4xx = 1u << 4,
    kRefusedStream = 1u << 5,
    kRetriableStatusCodes = 1u << 6,
    kGrpcCancelled = 1u << 7,
    kGrpcDeadlineExceeded = 1u << 8,
    kGrpcInternal = 1u << 9,
    kGrpcResourceExhausted = 1u << 10,
    kGrpcUnavailable = 1u << 11,
  };
  uint32_t retry_on = 0;
  uint32_t num_retries = 1;
  Duration per_try_timeout{0};       // zero = none
  Duration per_try_idle_timeout{0};  // zero = none
  std::vector<uint32_t> retriable_status_codes;
  Duration base_interval{25};
  Duration max_interval{250};
  bool previous_hosts = false;  // retry_host_predicate previous_hosts
  uint32_t host_selection_retry_max_attempts = 1;
  std::vector<HeaderMatch> retriable_request_headers;  // empty: any request
};

// Envoy's fault filter settings (a listener's, or a route's own). Percentages 0..100.
struct FaultConfig {
  struct Delay {
    bool from_header = false;  // x-envoy-fault-delay-request
    Duration fixed{0};
    double percentage = 100;
  };
  struct Abort {
    bool from_header = false;  // x-envoy-fault-abort-request / -grpc-request
    unsigned http_status = 0;  // 0: from the header, or gRPC
    std::optional<int> grpc_status;
    double percentage = 100;
  };
  std::optional<Delay> delay;
  std::optional<Abort> abort;
  uint32_t max_active_faults = 0;  // 0: unlimited
};

// Envoy's local rate limit filter settings: one token bucket (a listener's, or a route's own).
struct LocalRateLimitConfig {
  std::string stat_prefix;
  bool has_bucket = false;  // a listener's entry may only enable routes' own buckets
  uint32_t max_tokens = 0;
  uint32_t tokens_per_fill = 1;
  Duration fill_interval{0};
  double filter_enabled = 0;
  double filter_enforced = 0;
  unsigned status = 429;
};

// One of a listener's http_filters, in order.
struct HttpFilterConfig {
  std::shared_ptr<const FaultConfig> fault;                // set for a fault filter
  std::shared_ptr<const LocalRateLimitConfig> rate_limit;  // set for a local rate limit
};

// One of a route's hash_policy entries (Envoy's RouteAction.HashPolicy), for RING_HASH and MAGLEV
// clusters. Tether hashes an existing cookie only (no ttl: it never sets one).
struct HashPolicy {
  enum class Kind : uint8_t { kHeader, kCookie, kSourceIp };
  Kind kind = Kind::kHeader;
  std::string name;  // the header (lower-case) or cookie name; empty for kSourceIp
  bool terminal = false;
};

struct Route {
  enum class PathKind { kPrefix, kExact, kRegex };
  enum class Action { kCluster, kRedirect, kDirectResponse };

  std::string name;
  PathKind path_kind = PathKind::kPrefix;
  std::string path;                       // prefix or exact path
  std::shared_ptr<const re2::RE2> regex;  // kRegex, full match
  bool case_sensitive = true;
  std::vector<HeaderMatch> headers;

  Action action = Action::kCluster;
  std::vector<WeightedTarget> clusters;  // one entry for a plain `cluster`
  uint32_t total_weight = 0;
  bool has_prefix_rewrite = false;
  std::string prefix_rewrite;
  std::string host_rewrite;
  Duration timeout{std::chrono::seconds(15)};  // zero = none
  // Envoy's max_grpc_timeout: set, a gRPC request's grpc-timeout (none = infinity) replaces
  // `timeout`, capped by this (zero = no cap). Unset, grpc-timeout only shortens `timeout`.
  std::optional<Duration> max_grpc_timeout;
  // Envoy's grpc_timeout_offset: taken off a gRPC request's grpc-timeout (when longer) before it
  // bounds the request, so the sidecar answers DEADLINE_EXCEEDED before the caller gives up.
  Duration grpc_timeout_offset{0};
  // Envoy's route idle_timeout: replaces the listener's stream_idle_timeout (zero: none).
  std::optional<Duration> idle_timeout;
  // The route's retry policy, else its virtual host's; null: none (retries only on request).
  std::shared_ptr<const RetryPolicy> retry_policy;
  // hash_policy, in order: the request's hash for RING_HASH and MAGLEV (none: a random host).
  std::vector<HashPolicy> hash_policy;
  // The virtual host's attempt-count switches, and the body bytes kept for a retry.
  bool include_request_attempt_count = false;
  bool include_attempt_count_in_response = false;
  uint32_t per_request_buffer_limit_bytes = 1 << 20;
  // per_filter_config: the route's own fault settings and token bucket (null: the listener's).
  std::shared_ptr<const FaultConfig> fault;
  std::shared_ptr<const LocalRateLimitConfig> rate_limit;
  Redirect redirect;
  unsigned direct_status = 200;
  std::string direct_body;

  HeaderMutation request_headers;
  HeaderMutation response_headers;
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // lower-case
  std::vector<Route> routes;
  HeaderMutation request_headers;
  HeaderMutation response_headers;
};

struct RouteTable {
  std::string name;
  std::vector<VirtualHost> virtual_hosts;
  HeaderMutation request_headers;
  HeaderMutation response_headers;
};

struct AccessLogConfig {
  std::string path;
  std::string format;  // never empty: the default is filled in
};

struct CustomTag {
  enum class Kind { kLiteral, kRequestHeader };  // environment tags are read at load: literals
  std::string tag;
  Kind kind = Kind::kLiteral;
  std::string value;  // the literal, or the header name (lower-case)
  std::string default_value;
};

struct ListenerTracing {
  std::string operation_name;  // "ingress" / "egress" unless configured
  double client_sampling = 100;
  double random_sampling = 100;
  double overall_sampling = 100;
  std::vector<CustomTag> custom_tags;
  uint32_t max_path_tag_length = 256;
  bool b3_multi = true;
  bool b3_single = false;
  bool w3c = true;
  bool ot_span_context = false;
};

struct ZipkinConfig {
  std::string collector_cluster;
  std::string collector_endpoint = "/api/v2/spans";
  bool json_v1 = false;
  bool trace_id_128bit = false;
  bool shared_span_context = true;
  uint32_t max_batch_size = 100;
  Duration flush_interval{std::chrono::seconds(1)};
  uint32_t max_queue_size = 10000;
  std::string collector_hostname;  // Host header; default the cluster name
};

// Envoy's http2_protocol_options (a listener's HCM, a cluster); the codec's Http2Options is made
// from it. Defaults as codec::Http2Options.
struct Http2ProtocolOptions {
  uint32_t max_concurrent_streams = 100;
  uint32_t initial_stream_window_size = 64 * 1024;
  uint32_t initial_connection_window_size = 1024 * 1024;
  uint32_t max_outbound_frames = 10000;
  uint32_t max_outbound_control_frames = 1000;
  uint32_t max_consecutive_inbound_frames_with_empty_payload = 1;
  uint32_t max_inbound_window_update_frames_per_data_frame_sent = 10;
};

// http_connection_manager.codec_type: AUTO tells HTTP/2 by its connection preface.
enum class CodecType : uint8_t { kAuto, kHttp1, kHttp2 };
// A cluster's protocol towards its hosts; USE_DOWNSTREAM speaks what the client spoke.
enum class UpstreamProtocol : uint8_t { kHttp1, kHttp2, kUseDownstream };

struct Listener {
  std::string name;
  std::string stat_prefix;
  std::string address;
  uint16_t port = 0;
  v1::Listener::TrafficDirection direction = v1::Listener::UNSPECIFIED;
  std::shared_ptr<const RouteTable> routes;
  std::vector<AccessLogConfig> access_logs;
  uint32_t max_request_headers_bytes = 60 * 1024;
  uint32_t max_headers_count = 100;
  Duration request_headers_timeout{std::chrono::seconds(10)};  // zero = none
  Duration idle_timeout{std::chrono::hours(1)};
  // Per stream (Envoy's HCM): no bytes either way for this long; the whole
  // request received within this. Zero = off.
  Duration stream_idle_timeout{std::chrono::minutes(5)};
  Duration request_timeout{0};
  Duration drain_timeout{std::chrono::seconds(5)};
  bool use_remote_address = false;
  std::string forwarded_proto = "http";
  std::optional<ListenerTracing> tracing;  // absent: no spans
  bool generate_request_id = true;
  bool preserve_external_request_id = false;
  bool always_set_request_id_in_response = false;
  // Envoy's HCM path options; the router and the upstream see the result.
  bool normalize_path = false;
  bool merge_slashes = false;
  v1::HttpConnectionManager::PathWithEscapedSlashesAction escaped_slashes_action = v1::HttpConnectionManager::KEEP_UNCHANGED;
  // Per-connection limits (connection_limits.h; docs/security.md).
  uint32_t per_connection_buffer_limit_bytes = 1 << 20;
  uint32_t max_connections = 0;              // on this listener, all workers; 0 = unlimited
  uint32_t max_requests_per_connection = 0;  // downstream; 0 = unlimited
  CodecType codec_type = CodecType::kAuto;
  Http2ProtocolOptions http2;  // also max_request_headers_bytes as SETTINGS_MAX_HEADER_LIST_SIZE
  std::vector<HttpFilterConfig> http_filters;  // after tracing, before the router
};

struct Host {
  std::string address;  // IP literal
  uint16_t port = 0;
  uint32_t weight = 1;
  // The endpoint's EDS health_status is UNHEALTHY, DRAINING or TIMEOUT: out of load balancing.
  bool eds_unhealthy = false;
  std::string Key() const { return HostPort(address, port); }  // "10.0.0.1:80", "[::1]:80"
};

struct DnsName {
  std::string hostname;
  uint16_t port = 0;
  uint32_t weight = 1;
};

// Envoy's circuit breaker thresholds of one priority, with Envoy's defaults.
struct CircuitBreakerThresholds {
  uint32_t max_connections = 1024;
  uint32_t max_pending_requests = 1024;
  uint32_t max_requests = 1024;
  uint32_t max_retries = 3;
  bool track_remaining = false;
  // retry_budget: set, it replaces max_retries.
  struct RetryBudget {
    double budget_percent = 20;
    uint32_t min_retry_concurrency = 3;
  };
  std::optional<RetryBudget> retry_budget;
};
// Indexes CircuitBreakers::thresholds (Envoy's RoutingPriority).
enum class Priority : uint8_t { kDefault, kHigh };
inline constexpr std::size_t kPriorityCount = 2;

// Envoy's OutlierDetection, with Envoy's defaults (percentages 0..100).
struct OutlierDetection {
  uint32_t consecutive_5xx = 5;
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds base_ejection_time{30000};
  std::chrono::milliseconds max_ejection_time{300000};
  std::chrono::milliseconds max_ejection_time_jitter{0};
  uint32_t max_ejection_percent = 10;
  uint32_t enforcing_consecutive_5xx = 100;
  uint32_t enforcing_success_rate = 100;
  uint32_t success_rate_minimum_hosts = 5;
  uint32_t success_rate_request_volume = 100;
  uint32_t success_rate_stdev_factor = 1900;
  uint32_t consecutive_gateway_failure = 5;
  uint32_t enforcing_consecutive_gateway_failure = 0;
  bool split_external_local_origin_errors = false;
  uint32_t consecutive_local_origin_failure = 5;
  uint32_t enforcing_consecutive_local_origin_failure = 100;
  uint32_t enforcing_local_origin_success_rate = 100;
  uint32_t failure_percentage_threshold = 85;
  uint32_t enforcing_failure_percentage = 0;
  uint32_t enforcing_failure_percentage_local_origin = 0;
  uint32_t failure_percentage_minimum_hosts = 5;
  uint32_t failure_percentage_request_volume = 50;
  bool successful_active_health_check_uneject_host = true;
};

// The table sizes of RING_HASH (ring_hash_lb_config) and MAGLEV (maglev_lb_config), Envoy's defaults.
struct HashLbConfig {
  uint64_t minimum_ring_size = 1024;
  uint64_t maximum_ring_size = 8 * 1024 * 1024;
  uint64_t maglev_table_size = 65537;
  bool operator==(const HashLbConfig&) const = default;
};

// Envoy's HealthCheck (active health checking), compiled (docs/resilience.md). Durations resolved:
// unhealthy_interval defaults to interval, expected_statuses to [200, 201).
struct HealthCheck {
  enum class Kind : uint8_t { kHttp, kTcp };
  struct StatusRange {
    int64_t start = 200;  // inclusive
    int64_t end = 201;    // exclusive
  };
  Kind kind = Kind::kHttp;
  Duration timeout{0};
  Duration interval{0};
  Duration interval_jitter{0};
  Duration initial_jitter{0};
  Duration no_traffic_interval{std::chrono::seconds(60)};
  Duration unhealthy_interval{0};
  uint32_t unhealthy_threshold = 1;
  uint32_t healthy_threshold = 1;
  // kHttp.
  std::string host;  // Host header; empty: the cluster's name
  std::string path;
  std::vector<HeaderAdd> request_headers_to_add;
  std::vector<StatusRange> expected_statuses;
};

struct Cluster {
  std::string name;
  v1::Cluster::DiscoveryType type = v1::Cluster::STATIC;
  v1::Cluster::LbPolicy lb_policy = v1::Cluster::ROUND_ROBIN;
  v1::Cluster::DnsLookupFamily dns_lookup_family = v1::Cluster::AUTO;
  Duration connect_timeout{std::chrono::seconds(5)};
  Duration dns_refresh_rate{std::chrono::seconds(5)};
  Duration idle_timeout{std::chrono::seconds(60)};
  uint32_t max_requests_per_connection = 0;
  uint32_t max_response_headers_count = 100;  // common_http_protocol_options.max_headers_count
  uint32_t max_idle_connections_per_host = 1024;
  uint32_t per_connection_buffer_limit_bytes = 1 << 20;  // an upstream connection's read buffer
  std::vector<DnsName> dns_names;  // STRICT_DNS: what the resolver looks up
  std::vector<Host> hosts;         // resolved; empty = no healthy upstream
  UpstreamProtocol protocol = UpstreamProtocol::kHttp1;
  Http2ProtocolOptions http2;
  std::array<CircuitBreakerThresholds, kPriorityCount> thresholds;
  uint32_t per_host_max_connections = 0;  // per_host_thresholds; 0 = no limit
  std::optional<OutlierDetection> outlier_detection;  // absent: no passive health checking
  double healthy_panic_threshold = 50;  // common_lb_config, percent; 0 = never panic
  HashLbConfig hash_lb;
  std::vector<HealthCheck> health_checks;  // active health checks: one at most (config/health_check.h)
};

struct Snapshot {
  uint64_t version = 0;
  v1::Bootstrap bootstrap;  // as loaded, for /config_dump
  std::vector<std::shared_ptr<const Listener>> listeners;
  std::map<std::string, std::shared_ptr<const Cluster>> clusters;
  std::optional<ZipkinConfig> zipkin;  // absent: no tracer

  const Cluster* FindCluster(const std::string& name) const {
    auto it = clusters.find(name);
    return it == clusters.end() ? nullptr : it->second.get();
  }
  const Listener* FindListener(const std::string& name) const {
    for (const auto& l : listeners) {
      if (l->name == name) return l.get();
    }
    return nullptr;
  }
};

// STRICT_DNS results by cluster name; missing = not resolved yet.
using ResolvedHosts = std::map<std::string, std::vector<Host>>;

}  // namespace tether::config
