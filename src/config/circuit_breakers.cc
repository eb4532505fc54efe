#include "src/config/circuit_breakers.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;
using Thresholds = v1::CircuitBreakers::Thresholds;

absl::Status ApplyThresholds(const Thresholds& t, const std::string& path, CircuitBreakerThresholds& out) {
  if (t.has_max_connections()) out.max_connections = t.max_connections().value();
  if (t.has_max_pending_requests()) out.max_pending_requests = t.max_pending_requests().value();
  if (t.has_max_requests()) out.max_requests = t.max_requests().value();
  if (t.has_max_retries()) out.max_retries = t.max_retries().value();
  out.track_remaining = t.track_remaining();
  if (t.has_retry_budget()) {
    CircuitBreakerThresholds::RetryBudget budget;
    const auto& b = t.retry_budget();
    if (b.has_budget_percent()) {
      const double percent = b.budget_percent().value();
      if (!(percent >= 0 && percent <= 100)) {
        return Err(path + ".retry_budget.budget_percent.value", StrCat(percent, " is out of range (0-100)"));
      }
      budget.budget_percent = percent;
    }
    if (b.has_min_retry_concurrency()) budget.min_retry_concurrency = b.min_retry_concurrency().value();
    out.retry_budget = budget;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyCircuitBreakers(const v1::Cluster& c, const std::string& path, Cluster* out) {
  const std::string cb = path + ".circuit_breakers";
  std::array<CircuitBreakerThresholds, kPriorityCount> thresholds;
  std::array<bool, kPriorityCount> seen{};
  for (int i = 0; i < c.circuit_breakers().thresholds_size(); ++i) {
    const Thresholds& t = c.circuit_breakers().thresholds(i);
    const std::string tp = StrCat(cb, ".thresholds[", i, "]");
    if (!v1::RoutingPriority_IsValid(t.priority())) return Err(tp + ".priority", StrCat("unknown priority ", t.priority()));
    const auto index = static_cast<std::size_t>(t.priority());
    if (seen[index]) {
      return Err(tp + ".priority", StrCat("a second entry for ", v1::RoutingPriority_Name(t.priority()),
                                          " (one thresholds entry per priority)"));
    }
    seen[index] = true;
    TETHER_RETURN_IF_ERROR(ApplyThresholds(t, tp, thresholds[index]));
  }
  uint32_t per_host_max_connections = 0;
  for (int i = 0; i < c.circuit_breakers().per_host_thresholds_size(); ++i) {
    const Thresholds& t = c.circuit_breakers().per_host_thresholds(i);
    const std::string tp = StrCat(cb, ".per_host_thresholds[", i, "]");
    // Envoy honours max_connections alone per host; the others would silently mean nothing.
    if (t.has_max_pending_requests() || t.has_max_requests() || t.has_max_retries() || t.has_retry_budget()) {
      return Err(tp, "only max_connections is a per-host limit");
    }
    if (t.priority() != v1::DEFAULT) return Err(tp + ".priority", "per-host limits are DEFAULT priority only");
    if (i > 0) return Err(tp, "one per_host_thresholds entry at most");
    if (t.has_max_connections()) {
      if (t.max_connections().value() == 0) return Err(tp + ".max_connections", "must be at least 1");
      per_host_max_connections = t.max_connections().value();
    }
  }
  if (out != nullptr) {
    out->thresholds = thresholds;
    out->per_host_max_connections = per_host_max_connections;
  }
  return absl::OkStatus();
}

}  // namespace tether::config
