#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/xds/resource_type.h"

namespace tether::xds {

// The resource types Tether serves and consumes, each a tether.config.v1
// message checked by the bootstrap's own validation (src/config/validator.h).
// Both the sidecar's xDS client and tether-control plug in these same objects.

// In subscription order, as Envoy's ADS: clusters and their endpoints before
// the listeners and routes that name them; tracing last.
const std::vector<const ResourceType*>& AllResourceTypes();

// By kind ("Listener") or type URL; null when unknown.
const ResourceType* FindResourceTypeByKind(std::string_view kind);
const ResourceType* FindResourceTypeByUrl(std::string_view type_url);

// The kinds, for messages: "Cluster, ClusterLoadAssignment, Listener, ...".
std::string KnownKinds();

// The one Tracing resource's name (Tracing has no name field).
inline constexpr std::string_view kTracingResourceName = "tracing";

}  // namespace tether::xds
