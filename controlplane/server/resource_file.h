#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controlplane/server/resource.h"

namespace tether::controlplane {

// Resource files (docs/controlplane.md): YAML with one resource per document
// (`---` between them), or JSON with one object or a list of them. Each is
//   kind: Listener | RouteConfiguration | Cluster | ClusterLoadAssignment | Tracing
//   selector: {node_ids: [...], clusters: [...], labels: {...}}   # optional
//   spec: {...}   # the tether.config.v1 message, as in the bootstrap
// Parsing (config::LoadYamlDocuments, then config::DecodeMessage for selector
// and spec) checks the shape only (unknown fields, wrong types); the
// sidecar's semantic validation is ValidateResource's job, so the caller
// decides whether a semantic error refuses the resource.
// Errors name the file, the place, the 1-based document and the field:
// `a.yaml:14:41: document 2: spec.address.socket_address.port_value: ...`.
absl::StatusOr<std::vector<StoredResource>> ParseResources(const std::string& text, const std::string& source,
                                                           bool json);

// Reads `path` (.json is JSON, anything else YAML); source "file:PATH".
absl::StatusOr<std::vector<StoredResource>> ParseResourceFile(const std::string& path);

// Whether the control plane reads a file of this name from a directory:
// *.yaml, *.yml, *.json, not a dotfile.
bool IsResourceFileName(const std::string& file_name);

}  // namespace tether::controlplane
