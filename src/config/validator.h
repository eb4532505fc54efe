#pragma once

#include "absl/status/status.h"
#include "src/config/compiled_regexes.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// Semantic checks the JSON mapping cannot make: required fields, port ranges,
// duplicate names, routes naming unknown clusters, regexes that do not compile,
// weights, status codes. The first error wins; its message starts with the
// field path, e.g. `static_resources.listeners[0].address.socket_address.port_value: 70000 is not a port (1-65535)`.
// The control plane links this too, so both sides refuse the same things.
// The route regexes it compiles go into `regexes` when given, so the
// BuildSnapshot that follows takes them instead of compiling them again.
absl::Status ValidateBootstrap(const v1::Bootstrap& bootstrap, CompiledRegexes* regexes = nullptr);

// One resource as the control plane delivers it: the same checks, with
// paths from the resource ("address.socket_address.port_value: ..."), except
// that cluster and route names are not resolved: a listener naming a cluster
// that has not arrived yet warms instead of being refused.
absl::Status ValidateListenerResource(const v1::Listener& listener);
absl::Status ValidateClusterResource(const v1::Cluster& cluster);
absl::Status ValidateRouteConfigurationResource(const v1::RouteConfiguration& route_config);
absl::Status ValidateClusterLoadAssignment(const v1::ClusterLoadAssignment& assignment);
absl::Status ValidateTracingResource(const v1::Tracing& tracing);

}  // namespace tether::config
