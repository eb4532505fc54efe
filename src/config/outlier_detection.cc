#include "src/config/outlier_detection.h"

#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

// A UInt32Value field: its value when set, checked against [min, max].
absl::Status Count(bool has, uint32_t value, const std::string& path, uint32_t min, uint32_t max, uint32_t& out) {
  if (!has) return absl::OkStatus();
  if (value < min || value > max) return Err(path, StrCat(value, " is out of range (", min, "-", max, ")"));
  out = value;
  return absl::OkStatus();
}

absl::Status Percent(bool has, uint32_t value, const std::string& path, uint32_t& out) {
  return Count(has, value, path, 0, 100, out);
}

absl::Status Positive(bool has, const google::protobuf::Duration& d, const std::string& path,
                      std::chrono::milliseconds& out) {
  if (has) TETHER_RETURN_IF_ERROR(CheckDuration(path, d, /*positive=*/true));
  return SetDuration(has, d, path, out);
}

absl::Status ApplyCounts(const v1::OutlierDetection& o, const std::string& p, OutlierDetection& out) {
  constexpr uint32_t kAny = UINT32_MAX;
  TETHER_RETURN_IF_ERROR(Count(o.has_consecutive_5xx(), o.consecutive_5xx().value(), p + ".consecutive_5xx", 1, kAny,
                               out.consecutive_5xx));
  TETHER_RETURN_IF_ERROR(Count(o.has_consecutive_gateway_failure(), o.consecutive_gateway_failure().value(),
                               p + ".consecutive_gateway_failure", 1, kAny, out.consecutive_gateway_failure));
  TETHER_RETURN_IF_ERROR(Count(o.has_consecutive_local_origin_failure(), o.consecutive_local_origin_failure().value(),
                               p + ".consecutive_local_origin_failure", 1, kAny,
                               out.consecutive_local_origin_failure));
  TETHER_RETURN_IF_ERROR(Count(o.has_success_rate_minimum_hosts(), o.success_rate_minimum_hosts().value(),
                               p + ".success_rate_minimum_hosts", 1, kAny, out.success_rate_minimum_hosts));
  TETHER_RETURN_IF_ERROR(Count(o.has_success_rate_request_volume(), o.success_rate_request_volume().value(),
                               p + ".success_rate_request_volume", 1, kAny, out.success_rate_request_volume));
  TETHER_RETURN_IF_ERROR(Count(o.has_success_rate_stdev_factor(), o.success_rate_stdev_factor().value(),
                               p + ".success_rate_stdev_factor", 0, kAny, out.success_rate_stdev_factor));
  TETHER_RETURN_IF_ERROR(Percent(o.has_failure_percentage_threshold(), o.failure_percentage_threshold().value(),
                                 p + ".failure_percentage_threshold", out.failure_percentage_threshold));
  TETHER_RETURN_IF_ERROR(Count(o.has_failure_percentage_minimum_hosts(), o.failure_percentage_minimum_hosts().value(),
                               p + ".failure_percentage_minimum_hosts", 1, kAny, out.failure_percentage_minimum_hosts));
  TETHER_RETURN_IF_ERROR(Count(o.has_failure_percentage_request_volume(),
                               o.failure_percentage_request_volume().value(), p + ".failure_percentage_request_volume",
                               1, kAny, out.failure_percentage_request_volume));
  return absl::OkStatus();
}

absl::Status ApplyEnforcing(const v1::OutlierDetection& o, const std::string& p, OutlierDetection& out) {
  TETHER_RETURN_IF_ERROR(Percent(o.has_max_ejection_percent(), o.max_ejection_percent().value(),
                                 p + ".max_ejection_percent", out.max_ejection_percent));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_consecutive_5xx(), o.enforcing_consecutive_5xx().value(),
                                 p + ".enforcing_consecutive_5xx", out.enforcing_consecutive_5xx));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_success_rate(), o.enforcing_success_rate().value(),
                                 p + ".enforcing_success_rate", out.enforcing_success_rate));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_consecutive_gateway_failure(),
                                 o.enforcing_consecutive_gateway_failure().value(),
                                 p + ".enforcing_consecutive_gateway_failure",
                                 out.enforcing_consecutive_gateway_failure));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_consecutive_local_origin_failure(),
                                 o.enforcing_consecutive_local_origin_failure().value(),
                                 p + ".enforcing_consecutive_local_origin_failure",
                                 out.enforcing_consecutive_local_origin_failure));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_local_origin_success_rate(),
                                 o.enforcing_local_origin_success_rate().value(),
                                 p + ".enforcing_local_origin_success_rate", out.enforcing_local_origin_success_rate));
  TETHER_RETURN_IF_ERROR(Percent(o.has_enforcing_failure_percentage(), o.enforcing_failure_percentage().value(),
                                 p + ".enforcing_failure_percentage", out.enforcing_failure_percentage));
  return Percent(o.has_enforcing_failure_percentage_local_origin(),
                 o.enforcing_failure_percentage_local_origin().value(),
                 p + ".enforcing_failure_percentage_local_origin", out.enforcing_failure_percentage_local_origin);
}

absl::Status ApplyTimes(const v1::OutlierDetection& o, const std::string& p, OutlierDetection& out) {
  TETHER_RETURN_IF_ERROR(Positive(o.has_interval(), o.interval(), p + ".interval", out.interval));
  TETHER_RETURN_IF_ERROR(
      Positive(o.has_base_ejection_time(), o.base_ejection_time(), p + ".base_ejection_time", out.base_ejection_time));
  TETHER_RETURN_IF_ERROR(
      Positive(o.has_max_ejection_time(), o.max_ejection_time(), p + ".max_ejection_time", out.max_ejection_time));
  if (o.has_max_ejection_time_jitter()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(p + ".max_ejection_time_jitter", o.max_ejection_time_jitter(), false));
  }
  TETHER_RETURN_IF_ERROR(SetDuration(o.has_max_ejection_time_jitter(), o.max_ejection_time_jitter(),
                                     p + ".max_ejection_time_jitter", out.max_ejection_time_jitter));
  // Envoy refuses a cap below the base: the first ejection would already exceed it.
  if (o.has_max_ejection_time() && out.max_ejection_time < out.base_ejection_time) {
    return Err(p + ".max_ejection_time", StrCat("must be at least base_ejection_time (",
                                                out.base_ejection_time.count(), "ms)"));
  }
  // Only the default cap gives way to a longer base (Envoy's).
  if (!o.has_max_ejection_time()) out.max_ejection_time = std::max(out.max_ejection_time, out.base_ejection_time);
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyOutlierDetection(const v1::Cluster& c, const std::string& path, Cluster* out) {
  if (c.has_common_lb_config() && c.common_lb_config().has_healthy_panic_threshold()) {
    const double threshold = c.common_lb_config().healthy_panic_threshold().value();
    if (!(threshold >= 0 && threshold <= 100)) {
      return Err(path + ".common_lb_config.healthy_panic_threshold.value",
                 StrCat(threshold, " is out of range (0-100)"));
    }
    if (out != nullptr) out->healthy_panic_threshold = threshold;
  }
  if (!c.has_outlier_detection()) return absl::OkStatus();
  const v1::OutlierDetection& o = c.outlier_detection();
  const std::string p = path + ".outlier_detection";
  OutlierDetection od;
  TETHER_RETURN_IF_ERROR(ApplyCounts(o, p, od));
  TETHER_RETURN_IF_ERROR(ApplyEnforcing(o, p, od));
  TETHER_RETURN_IF_ERROR(ApplyTimes(o, p, od));
  od.split_external_local_origin_errors = o.split_external_local_origin_errors();
  if (o.has_successful_active_health_check_uneject_host()) {
    od.successful_active_health_check_uneject_host = o.successful_active_health_check_uneject_host().value();
  }
  if (out != nullptr) out->outlier_detection = od;
  return absl::OkStatus();
}

}  // namespace tether::config
