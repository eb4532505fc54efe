#include "src/xds/resource_types.h"

#include "absl/strings/str_join.h"
#include "src/config/validator.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"
#include "tether/config/v1/route.pb.h"
#include "tether/config/v1/tracing.pb.h"

namespace tether::xds {

namespace v1 = config::v1;

namespace {

const std::vector<const ResourceType*>& Registry() {
  static const TypedResourceType<v1::Cluster> cluster([](const v1::Cluster& c) { return c.name(); },
                                                      config::ValidateClusterResource);
  static const TypedResourceType<v1::ClusterLoadAssignment> endpoints(
      [](const v1::ClusterLoadAssignment& a) { return a.cluster_name(); }, config::ValidateClusterLoadAssignment);
  static const TypedResourceType<v1::Listener> listener([](const v1::Listener& l) { return l.name(); },
                                                        config::ValidateListenerResource);
  static const TypedResourceType<v1::RouteConfiguration> route(
      [](const v1::RouteConfiguration& r) { return r.name(); }, config::ValidateRouteConfigurationResource);
  static const TypedResourceType<v1::Tracing> tracing(
      [](const v1::Tracing&) { return std::string(kTracingResourceName); }, config::ValidateTracingResource);
  static const std::vector<const ResourceType*> types{&cluster, &endpoints, &listener, &route, &tracing};
  return types;
}

}  // namespace

const std::vector<const ResourceType*>& AllResourceTypes() { return Registry(); }

const ResourceType* FindResourceTypeByKind(std::string_view kind) {
  for (const ResourceType* t : Registry()) {
    if (t->kind() == kind) return t;
  }
  return nullptr;
}

const ResourceType* FindResourceTypeByUrl(std::string_view type_url) {
  for (const ResourceType* t : Registry()) {
    if (t->type_url() == type_url) return t;
  }
  return nullptr;
}

std::string KnownKinds() {
  return absl::StrJoin(Registry(), ", ",
                       [](std::string* out, const ResourceType* t) { out->append(t->kind()); });
}

}  // namespace tether::xds
