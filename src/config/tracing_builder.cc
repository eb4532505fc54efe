#include "src/config/tracing_builder.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "src/config/validation_util.h"

namespace tether::config {

ListenerTracing BuildListenerTracing(const v1::ListenerTracing& t, v1::Listener::TrafficDirection direction) {
  ListenerTracing out;
  out.operation_name = t.operation_name();
  if (out.operation_name.empty()) out.operation_name = direction == v1::Listener::INBOUND ? "ingress" : "egress";
  if (t.has_client_sampling()) out.client_sampling = t.client_sampling().value();
  if (t.has_random_sampling()) out.random_sampling = t.random_sampling().value();
  if (t.has_overall_sampling()) out.overall_sampling = t.overall_sampling().value();
  if (t.has_max_path_tag_length()) out.max_path_tag_length = t.max_path_tag_length().value();
  if (!t.propagation().empty()) {
    out.b3_multi = out.w3c = false;
    for (const int f : t.propagation()) {
      out.b3_multi |= f == v1::ListenerTracing::B3_MULTI;
      out.b3_single |= f == v1::ListenerTracing::B3_SINGLE;
      out.w3c |= f == v1::ListenerTracing::W3C;
      out.ot_span_context |= f == v1::ListenerTracing::OT_SPAN_CONTEXT;
    }
  }
  for (const auto& c : t.custom_tags()) {
    CustomTag tag{c.tag(), CustomTag::Kind::kLiteral, c.literal(), c.default_value()};
    if (c.type_case() == v1::CustomTag::kRequestHeader) {
      tag.kind = CustomTag::Kind::kRequestHeader;
      tag.value = absl::AsciiStrToLower(c.request_header());
    } else if (c.type_case() == v1::CustomTag::kEnvironment) {
      const char* env = std::getenv(c.environment().c_str());  // read once, at load, as Envoy does
      tag.value = env != nullptr ? env : c.default_value();
    }
    out.custom_tags.push_back(std::move(tag));
  }
  return out;
}

absl::StatusOr<std::optional<ZipkinConfig>> BuildZipkin(const v1::Bootstrap& bootstrap) {
  if (!bootstrap.has_tracing() || !bootstrap.tracing().has_zipkin()) return std::nullopt;
  const v1::ZipkinConfig& z = bootstrap.tracing().zipkin();
  ZipkinConfig out;
  out.collector_cluster = z.collector_cluster();
  out.json_v1 = z.collector_endpoint_version() == v1::ZipkinConfig::HTTP_JSON_V1;
  out.collector_endpoint = z.collector_endpoint();
  if (out.collector_endpoint.empty()) out.collector_endpoint = out.json_v1 ? "/api/v1/spans" : "/api/v2/spans";
  out.trace_id_128bit = z.trace_id_128bit();
  if (z.has_shared_span_context()) out.shared_span_context = z.shared_span_context().value();
  if (z.has_max_batch_size()) out.max_batch_size = std::max<uint32_t>(1, z.max_batch_size().value());
  TETHER_RETURN_IF_ERROR(SetDuration(z.has_flush_interval(), z.flush_interval(), "tracing.zipkin.flush_interval",
                                     out.flush_interval));
  if (z.has_max_queue_size()) out.max_queue_size = z.max_queue_size().value();
  out.collector_hostname = z.collector_hostname().empty() ? z.collector_cluster() : z.collector_hostname();
  return out;
}

}  // namespace tether::config
