#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "src/config/compiled_regexes.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/route.pb.h"

namespace tether::config {

// One retry_on condition by Envoy's name ("5xx", "reset", "unavailable"...); nullopt: unknown.
std::optional<RetryPolicy::On> RetryOnCondition(std::string_view name);

// A route's retry settings (docs/resilience.md): its own retry_policy or else its virtual host's,
// the virtual host's attempt-count switches, and per_request_buffer_limit_bytes (the route's, else
// the virtual host's). Checked, and written into `out` when it is not null (the validator passes
// null, the snapshot builder the route it builds, whose timeout is already set). Errors start with
// the field path of the virtual host (`vhost_path`) or route (`route_path`).
absl::Status ApplyRouteRetry(const v1::VirtualHost& vh, const std::string& vhost_path, const v1::Route& r,
                             const std::string& route_path, CompiledRegexes& regexes, Route* out);

}  // namespace tether::config
