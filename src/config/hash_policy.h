#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/route.pb.h"

namespace tether::config {

// The largest ring_hash_lb_config sizes and maglev_lb_config.table_size (Envoy's bounds).
inline constexpr uint64_t kMaxRingSize = 8 * 1024 * 1024;
inline constexpr uint64_t kMaxMaglevTableSize = 5000011;

// A cluster's ring_hash_lb_config and maglev_lb_config (docs/resilience.md#consistent-hashing):
// checked, and written into `out` when it is not null (the validator passes null, the snapshot
// builder its struct), as circuit_breakers.h. Errors start with the field path; `path` is the
// cluster's own. Checked whatever lb_policy is (Envoy ignores them then; a bad value is a mistake).
absl::Status ApplyClusterHashLb(const v1::Cluster& c, const std::string& path, Cluster* out);

// A route action's hash_policy, the same way; `path` is the action's ("...routes[0].route").
// Tether hashes an existing cookie only, so a cookie policy with ttl or path is refused.
absl::Status ApplyRouteHashPolicy(const v1::RouteAction& a, const std::string& path, Route* out);

}  // namespace tether::config
