#pragma once

#include "absl/status/status.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// Semantic checks the JSON mapping cannot make: required fields, port ranges,
// duplicate names, routes naming unknown clusters, regexes that do not compile,
// weights, status codes. The first error wins; its message starts with the
// field path, e.g. `static_resources.listeners[0].address.socket_address.port_value: 70000 is not a port (1-65535)`.
// The control plane links this too, so both sides refuse the same things.
absl::Status ValidateBootstrap(const v1::Bootstrap& bootstrap);

}  // namespace tether::config
