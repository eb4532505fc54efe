#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "controlplane/server/resource.h"
#include "src/xds/server_stream.h"

namespace tether::controlplane {

// What a sidecar can receive: each xDS response (one type's resources for
// one node) must fit the shared --max-message-bytes (src/config/limits.h),
// or the sidecar's gRPC refuses it and reconnects in a loop.

// The size of the response carrying `resources` of `type_url`, with room for
// the longest version and nonce.
size_t ResponseBytes(const std::string& type_url, const std::vector<google::protobuf::Any>& resources);

// `Kind 'name': is N bytes as an xDS response, over the limit of M bytes
// (--max-message-bytes)` when the resource alone does not fit.
absl::Status CheckResourceSize(const StoredResource& resource, size_t limit);

// The first type of `snapshot` whose response does not fit; `who` names the
// node in the message ("node web-1").
absl::Status CheckSnapshotSize(const xds::NodeSnapshot& snapshot, const std::string& who, size_t limit);

}  // namespace tether::controlplane
