#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/http_filters.pb.h"
#include "tether/config/v1/listener.pb.h"
#include "tether/config/v1/route.pb.h"

namespace tether::config {

// A listener's http_filters (fault injection, local rate limit; Envoy's router entry is accepted
// and means nothing, routing being built in): checked, and written into `out` when it is not null.
// Errors start with the field path; `path` is the listener's own.
absl::Status ApplyHttpFilters(const v1::Listener& l, const std::string& path, Listener* out);

// A route's per_filter_config (its own fault settings and token bucket): checked, written into
// `out` when it is not null. `path` is the route's.
absl::Status ApplyRouteFilters(const v1::Route& r, const std::string& path, Route* out);

// One fault or local rate limit message, checked and compiled (a listener's entry, or a route's
// per_filter_config). `bucket_required`: a route's own limit needs a token bucket.
absl::StatusOr<std::shared_ptr<const FaultConfig>> BuildFault(const v1::HttpFault& in, const std::string& path);
absl::StatusOr<std::shared_ptr<const LocalRateLimitConfig>> BuildLocalRateLimit(const v1::LocalRateLimit& in,
                                                                              const std::string& path,
                                                                              bool bucket_required);

}  // namespace tether::config
