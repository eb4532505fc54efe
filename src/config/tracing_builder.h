#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "src/config/snapshot.h"

namespace tether::config {

// The tracing parts of a snapshot (BuildSnapshot's helpers): the bootstrap's
// Zipkin tracer and a listener's tracing settings, defaults filled in.
ListenerTracing BuildListenerTracing(const v1::ListenerTracing& tracing, v1::Listener::TrafficDirection direction);
absl::StatusOr<std::optional<ZipkinConfig>> BuildZipkin(const v1::Bootstrap& bootstrap);

}  // namespace tether::config
