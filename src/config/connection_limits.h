#pragma once

#include <string>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"

namespace tether::config {

// The per-connection resource limits of a listener (per_connection_buffer_limit_bytes,
// max_connections, the HCM's common_http_protocol_options) and a cluster
// (per_connection_buffer_limit_bytes): checked, and written into `out` when
// it is not null (the validator passes null, the snapshot builder its
// struct). Errors start with the field path; `path` is the listener's or
// cluster's own ("static_resources.listeners[0]", or "" for an xDS resource).
absl::Status ApplyListenerConnectionLimits(const v1::Listener& l, const std::string& path, Listener* out);
absl::Status ApplyClusterConnectionLimits(const v1::Cluster& c, const std::string& path, Cluster* out);

// The smallest per_connection_buffer_limit_bytes taken: below it a body
// would be relayed a few bytes at a time.
inline constexpr uint32_t kMinConnectionBufferBytes = 1024;

}  // namespace tether::config
