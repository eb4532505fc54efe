#pragma once

#include <string>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/cluster.pb.h"

namespace tether::config {

// Tether runs one active health check per cluster (Envoy allows several, each setting the same
// failed_active_hc flag); a second is refused rather than silently ignored.
inline constexpr int kMaxHealthChecks = 1;

// A cluster's health_checks (Envoy's HealthCheck, docs/resilience.md): checked, and written into
// `out` when it is not null (the validator passes null, the snapshot builder its struct), as
// circuit_breakers.h. Errors start with the field path; `path` is the cluster's own.
absl::Status ApplyHealthChecks(const v1::Cluster& c, const std::string& path, Cluster* out);

}  // namespace tether::config
