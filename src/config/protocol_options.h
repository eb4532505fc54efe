#pragma once

#include <string>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/base.pb.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"

namespace tether::config {

// The protocols of a listener (http_connection_manager.codec_type and http2_protocol_options)
// and a cluster (protocol and http2_protocol_options): checked, and written into `out` when it
// is not null (the validator passes null, the snapshot builder its struct), as connection_limits.h.
// Errors start with the field path; `path` is the listener's or cluster's own
// ("static_resources.clusters[0]", or "" for an xDS resource).
absl::Status ApplyListenerProtocol(const v1::Listener& l, const std::string& path, Listener* out);
absl::Status ApplyClusterProtocol(const v1::Cluster& c, const std::string& path, Cluster* out);

// One http2_protocol_options message at `path`: every field set within Envoy's range
// (src/common/http2_limits.h, the codec's bounds too); unset fields keep `out`'s defaults.
absl::Status ApplyHttp2ProtocolOptions(const v1::Http2ProtocolOptions& in, const std::string& path,
                                       Http2ProtocolOptions* out);

}  // namespace tether::config
