#include "src/config/tracing_validator.h"

#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

absl::Status CheckPercent(const std::string& path, bool has, double value) {
  if (has && !(value >= 0 && value <= 100)) return Err(path, StrCat(value, " is not a percentage (0-100)"));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateListenerTracing(const std::string& path, const v1::ListenerTracing& t) {
  TETHER_RETURN_IF_ERROR(CheckPercent(path + ".client_sampling", t.has_client_sampling(), t.client_sampling().value()));
  TETHER_RETURN_IF_ERROR(CheckPercent(path + ".random_sampling", t.has_random_sampling(), t.random_sampling().value()));
  TETHER_RETURN_IF_ERROR(CheckPercent(path + ".overall_sampling", t.has_overall_sampling(), t.overall_sampling().value()));
  for (int i = 0; i < t.custom_tags_size(); ++i) {
    const auto& tag = t.custom_tags(i);
    const std::string tp = StrCat(path, ".custom_tags[", i, "]");
    if (tag.tag().empty()) return Err(tp + ".tag", "required");
    if (tag.type_case() == v1::CustomTag::TYPE_NOT_SET) return Err(tp, "needs one of literal, request_header, environment");
  }
  return absl::OkStatus();
}

absl::Status ValidateTracing(const v1::Tracing& tracing, const std::set<std::string>* clusters) {
  if (!tracing.has_zipkin()) return Err("tracing.zipkin", "required (the only tracer so far)");
  const auto& z = tracing.zipkin();
  if (z.collector_cluster().empty()) return Err("tracing.zipkin.collector_cluster", "required");
  if (clusters != nullptr && !clusters->contains(z.collector_cluster())) {
    return Err("tracing.zipkin.collector_cluster", StrCat("unknown cluster \"", z.collector_cluster(), "\""));
  }
  if (!z.collector_endpoint().empty() && !z.collector_endpoint().starts_with("/")) {
    return Err("tracing.zipkin.collector_endpoint", "must start with \"/\"");
  }
  if (z.has_flush_interval()) TETHER_RETURN_IF_ERROR(CheckDuration("tracing.zipkin.flush_interval", z.flush_interval(), true));
  if (z.has_max_batch_size() && z.max_batch_size().value() == 0) return Err("tracing.zipkin.max_batch_size", "must be at least 1");
  return absl::OkStatus();
}

}  // namespace tether::config
