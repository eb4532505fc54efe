#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "tether/config/v1/tracing.pb.h"

namespace tether::config {

// Checks of the tracing config, with ValidateBootstrap's field-path errors.
absl::Status ValidateListenerTracing(const std::string& path, const v1::ListenerTracing& tracing);
// `clusters` null: the collector cluster is not looked up (xDS resources).
absl::Status ValidateTracing(const v1::Tracing& tracing, const std::set<std::string>* clusters);

}  // namespace tether::config
