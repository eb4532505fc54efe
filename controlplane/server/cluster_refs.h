#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controlplane/server/resource.h"

namespace tether::controlplane {

// One cluster a Listener (its inline route_config) or RouteConfiguration
// names, with the field path to it ("virtual_hosts[0].routes[1].route.cluster").
struct ClusterRef {
  std::string path;
  std::string cluster;
};
std::vector<ClusterRef> ClusterRefs(const StoredResource& resource);

// Whether some node could match both selectors: for each part both set, the
// lists share a value (node_ids, clusters) or the labels agree on every key
// both name. An empty selector overlaps with every selector.
bool SelectorsOverlap(const cpv1::NodeSelector& a, const cpv1::NodeSelector& b);

// Refuses (FailedPrecondition) the first Listener or RouteConfiguration of
// `incoming` that names a cluster none of the nodes it is for would get:
// no Cluster of that name, among `served` ones overridden by `incoming`
// ones, has a selector overlapping the resource's. The message names the
// resource, the field path and the cluster (docs/controlplane.md).
absl::Status CheckClusterRefs(const std::vector<StoredResource>& incoming,
                              const std::vector<const StoredResource*>& served_clusters);

}  // namespace tether::controlplane
