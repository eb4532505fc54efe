#include "src/config/field_hints.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tether::config {
namespace {

constexpr char kDoc[] = "docs/envoy-differences.md#";

// Envoy's names for things Tether spells differently or does not have. `type`
// is the Tether message the key was found in ("" = any message); `anchor` is
// the section of docs/envoy-differences.md that explains it (the docs test
// checks that each anchor exists).
struct EnvoyField {
  std::string_view type;
  std::string_view key;
  std::string_view advice;
  std::string_view anchor;
};

constexpr EnvoyField kEnvoyFields[] = {
    {"", "typed_config", "Tether takes the message's fields directly, without typed_config and @type", "typed-config"},
    {"", "@type", "Tether takes the message's fields directly, without typed_config and @type", "typed-config"},
    {"Listener", "filter_chains", "Tether listeners take http_connection_manager directly", "listeners"},
    {"Listener", "listener_filters", "Tether listeners have no listener filters", "listeners"},
    {"SocketAddress", "protocol", "Tether listens and connects over TCP only; leave it out", "listeners"},
    {"Route", "typed_per_filter_config", "Tether takes per_filter_config: {fault: {...}, local_ratelimit: {...}}",
     "routes"},
    {"HttpConnectionManager", "rds",
     "Tether takes rds_route_config_name: NAME (routes come over dynamic_resources.ads)", "http-connection-manager"},
    {"AccessLog", "name", "Tether access logs are {path, format}, without name and typed_config", "access-logs"},
    {"AccessLog", "log_format", "Tether takes format: \"...\" (an Envoy format string)", "access-logs"},
    {"ListenerTracing", "provider", "the tracer is the bootstrap's tracing.zipkin", "tracing"},
    {"Tracing", "http", "Tether takes tracing: {zipkin: {...}} (Zipkin is its tracer)", "tracing"},
    {"HeaderMatcher", "string_match",
     "Tether header matchers take exact_match, prefix_match, suffix_match, contains_match or safe_regex_match "
     "directly",
     "header-matchers"},
    {"HeaderMatcher", "range_match", "not supported", "header-matchers"},
    {"RegexMatcher", "google_re2", "not needed: RE2 is Tether's only engine, write regex alone", "header-matchers"},
    {"HeaderValueOption", "append",
     "Tether takes append_action: APPEND_IF_EXISTS_OR_ADD (append: true) or OVERWRITE_IF_EXISTS_OR_ADD "
     "(append: false)",
     "header-mutations"},
    {"HeaderValueOption", "keep_empty_value", "not supported: an empty value is added as it is", "header-mutations"},
    {"RouteMatch", "runtime_fraction", "not supported; split traffic with weighted_clusters", "routes"},
    {"RouteMatch", "query_parameters", "not supported", "routes"},
    {"RouteMatch", "grpc", "not supported", "routes"},
    {"RouteAction", "host_rewrite", "Tether takes host_rewrite_literal", "routes"},
    {"RouteAction", "auto_host_rewrite", "not supported; use host_rewrite_literal", "routes"},
    {"RouteAction", "regex_rewrite", "not supported; use prefix_rewrite", "routes"},
    {"RouteAction", "cluster_header", "not supported; name the cluster or use weighted_clusters", "routes"},
    {"RouteAction", "max_stream_duration",
     "not supported; the route's timeout bounds the exchange, max_grpc_timeout and grpc_timeout_offset "
     "(Envoy's older fields) cap and offset grpc-timeout",
     "routes"},
    {"RouteAction", "hedge_policy", "hedging is not supported yet", "resilience"},
    {"RouteAction", "request_mirror_policies", "mirroring is not supported yet", "resilience"},
    {"RouteAction", "rate_limits", "rate limiting is not supported yet", "resilience"},
    {"VirtualHost", "rate_limits", "rate limiting is not supported yet", "resilience"},
    {"WeightedCluster", "total_weight", "Tether weights are relative: leave total_weight out", "routes"},
    {"Cluster", "transport_socket", "TLS to upstreams is not supported", "clusters"},
    {"Cluster", "typed_extension_protocol_options",
     "Tether takes protocol: HTTP1 | HTTP2 | USE_DOWNSTREAM and http2_protocol_options on the cluster itself",
     "clusters"},
    {"Http2ProtocolOptions", "max_inbound_priority_frames_per_stream",
     "not needed: Tether turns RFC 7540 priorities off and skips PRIORITY frames unread", "http2-protocol-options"},
    {"Http2ProtocolOptions", "hpack_table_size", "not supported: the HPACK table has the protocol default, 4096 bytes", "http2-protocol-options"},
    {"Http2ProtocolOptions", "allow_connect", "not supported", "http2-protocol-options"},
    {"Http2ProtocolOptions", "allow_metadata", "not supported", "http2-protocol-options"},
    {"Http2ProtocolOptions", "stream_error_on_invalid_http_messaging",
     "not needed: an invalid message always resets its stream only (RFC 9113 8.1.1)", "http2-protocol-options"},
    {"Http2ProtocolOptions", "override_stream_error_on_invalid_http_message",
     "not needed: an invalid message always resets its stream only (RFC 9113 8.1.1)", "http2-protocol-options"},
    {"Http2ProtocolOptions", "connection_keepalive", "not supported yet", "http2-protocol-options"},
    {"HttpProtocolOptions", "idle_timeout",
     "Tether takes idle_timeout on the cluster (or the http_connection_manager) itself", "clusters"},
    {"Cluster", "eds_cluster_config",
     "not needed: an EDS cluster's endpoints are the ClusterLoadAssignment named like the cluster", "clusters"},
    {"LocalityLbEndpoints", "locality", "localities are not supported yet: all hosts form one set", "clusters"},
    {"LocalityLbEndpoints", "priority", "priorities are not supported yet: all hosts form one set", "clusters"},
    {"LocalityLbEndpoints", "load_balancing_weight", "locality weights are not supported yet", "clusters"},
    {"DynamicResources", "ads_config",
     "Tether takes ads: {address: HOST:PORT} or ads: {cluster_name: NAME}", "dynamic-resources"},
    {"DynamicResources", "cds_config", "every type comes over the one ADS stream: dynamic_resources.ads alone",
     "dynamic-resources"},
    {"DynamicResources", "lds_config", "every type comes over the one ADS stream: dynamic_resources.ads alone",
     "dynamic-resources"},
    {"Bootstrap", "layered_runtime", "Tether has no runtime layer", "bootstrap"},
    {"Bootstrap", "stats_sinks", "not supported; scrape /stats/prometheus", "bootstrap"},
    {"Bootstrap", "cluster_manager", "not supported", "bootstrap"},
};

const EnvoyField* FindEnvoyField(const google::protobuf::Descriptor& message, std::string_view key) {
  for (const EnvoyField& f : kEnvoyFields) {
    if (f.key == key && (f.type.empty() || f.type == message.name())) return &f;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> EnvoyDifferencesAnchors() {
  std::vector<std::string> out;
  for (const EnvoyField& f : kEnvoyFields) out.emplace_back(f.anchor);
  out.emplace_back("percentages");  // EnvoyShapeHint's
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // One row of the classic table at a time.
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string UnknownFieldHint(const google::protobuf::Descriptor& message, std::string_view key) {
  if (const EnvoyField* f = FindEnvoyField(message, key)) return absl::StrCat(": ", std::string(f->advice), " (", kDoc, std::string(f->anchor), ")");
  // A short key is one or two letters from any short field name: be stricter.
  const size_t limit = key.size() <= 3 ? 1 : 2;
  const google::protobuf::FieldDescriptor* best = nullptr;
  size_t best_distance = limit + 1;
  for (int i = 0; i < message.field_count(); ++i) {
    const auto* field = message.field(i);
    // Keys may be snake_case or camelCase: compare with both, suggest snake_case.
    const size_t d = std::min(EditDistance(key, field->name()), EditDistance(key, field->json_name()));
    if (d < best_distance) {
      best = field;
      best_distance = d;
    }
  }
  if (best == nullptr) return {};
  return absl::StrCat(" (did you mean \"", best->name(), "\"?)");
}

std::string EnvoyShapeHint(const google::protobuf::FieldDescriptor& field, const YAML::Node& value) {
  if (!value.IsMap()) return {};
  const bool percent = value["value"].IsDefined() || value["numerator"].IsDefined();
  if (field.message_type() == nullptr || field.message_type()->full_name() != "google.protobuf.DoubleValue" ||
      !percent) {
    return {};
  }
  return absl::StrCat(": Tether takes a plain percentage (", field.name(), ": 50), not Envoy's {value: 50} (", kDoc,
                      "percentages)");
}

}  // namespace tether::config
