#pragma once

#include <string>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/xds/resource_type.h"
#include "tether/config/v1/base.pb.h"
#include "tether/controlplane/v1/management.pb.h"

namespace tether::controlplane {

namespace cpv1 = ::tether::controlplane::v1;

// One resource as the control plane keeps it: its type, its name, which
// nodes it is for, and its spec packed deterministically (so equal specs are
// equal bytes, and versions derived from the bytes are stable).
struct StoredResource {
  const xds::ResourceType* type = nullptr;
  std::string name;
  cpv1::NodeSelector selector;
  google::protobuf::Any spec;
  std::string source;  // "file:PATH" or "applied"
  int document = 0;    // 1-based index in its file (0: not from a file), for messages
};

// `message` packed as an Any with deterministic serialization (map order).
google::protobuf::Any PackDeterministic(const google::protobuf::Message& message, std::string_view type_url);

// The sidecar's own validation (ResourceType::Decode): the error reads
// `Listener 'web': address.socket_address.port_value: ...`.
absl::Status ValidateResource(const StoredResource& resource);

// Whether `selector` picks `node`: every non-empty part must match (id in
// node_ids, cluster in clusters, every label in the node's metadata).
bool SelectorMatches(const cpv1::NodeSelector& selector, const config::v1::Node& node);

// From and to the management API's shape. FromConfigResource checks kind
// and that the spec is that kind's message; it does not validate the spec.
absl::StatusOr<StoredResource> FromConfigResource(const cpv1::ConfigResource& resource);
cpv1::ConfigResource ToConfigResource(const StoredResource& resource);

// "Listener/web" for messages.
std::string Describe(const StoredResource& resource);

}  // namespace tether::controlplane
