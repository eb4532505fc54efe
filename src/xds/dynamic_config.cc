#include "src/xds/dynamic_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/xds/resource_types.h"

namespace tether::xds {

namespace v1 = config::v1;

namespace {

template <typename Proto>
const Proto& As(const DynamicConfig::Entry& e) {
  return static_cast<const Proto&>(*e.message);
}

// Every cluster a route configuration sends traffic to.
void ReferencedClusters(const v1::RouteConfiguration& rc, std::set<std::string>& out) {
  for (const auto& vh : rc.virtual_hosts()) {
    for (const auto& route : vh.routes()) {
      if (!route.has_route()) continue;
      if (!route.route().cluster().empty()) out.insert(route.route().cluster());
      for (const auto& w : route.route().weighted_clusters().clusters()) out.insert(w.name());
    }
  }
}

}  // namespace

DynamicConfig::DynamicConfig(v1::Bootstrap bootstrap, std::chrono::milliseconds initial_fetch_timeout)
    : bootstrap_(std::move(bootstrap)), initial_fetch_timeout_(initial_fetch_timeout) {}

const DynamicConfig::TypeSet* DynamicConfig::Find(std::string_view kind) const {
  auto it = types_.find(kind);
  return it == types_.end() ? nullptr : &it->second;
}

absl::StatusOr<DynamicConfig::TypeSet> DynamicConfig::Set(const ClientState::Update& update, Clock::time_point now,
                                                          absl::Time wall) {
  const std::string kind(update.type->kind());
  const auto& sr = bootstrap_.static_resources();
  for (const auto& entry : update.resources) {
    // A named reference, not a structured binding: clang before 16 cannot capture those.
    const std::string& name = entry.first;
    const bool clash =
        (kind == "Cluster" && std::any_of(sr.clusters().begin(), sr.clusters().end(),
                                          [&](const v1::Cluster& c) { return c.name() == name; })) ||
        (kind == "Listener" && std::any_of(sr.listeners().begin(), sr.listeners().end(),
                                           [&](const v1::Listener& l) { return l.name() == name; }));
    if (clash) return absl::InvalidArgumentError(absl::StrCat("'", name, "': the bootstrap has a static ", kind, " of that name"));
  }
  TypeSet& current = types_[kind];
  TypeSet next{update.version, {}};
  for (const auto& [name, message] : update.resources) {
    auto old = current.resources.find(name);
    // An unchanged resource keeps its version and time (and its warming clock).
    if (old != current.resources.end() && update.type->Equal(*old->second.message, *message)) {
      next.resources.emplace(name, old->second);
    } else {
      next.resources.emplace(name, Entry{message, update.version, now, wall});
    }
  }
  TypeSet previous = std::exchange(current, std::move(next));
  return previous;
}

void DynamicConfig::Restore(const ResourceType& type, TypeSet previous) {
  types_[std::string(type.kind())] = std::move(previous);
}

std::vector<DynamicConfig::Dependency> DynamicConfig::Missing(const v1::Listener& listener,
                                                              const std::set<std::string>& clusters) const {
  std::vector<Dependency> missing;
  const auto& hcm = listener.http_connection_manager();
  const v1::RouteConfiguration* rc = hcm.has_route_config() ? &hcm.route_config() : nullptr;
  if (hcm.route_specifier_case() == v1::HttpConnectionManager::kRdsRouteConfigName) {
    const TypeSet* routes = Find("RouteConfiguration");
    auto it = routes ? routes->resources.find(hcm.rds_route_config_name()) : std::map<std::string, Entry>::const_iterator{};
    if (routes == nullptr || it == routes->resources.end()) {
      missing.push_back({FindResourceTypeByKind("RouteConfiguration"), hcm.rds_route_config_name()});
    } else {
      rc = &As<v1::RouteConfiguration>(it->second);
    }
  }
  std::set<std::string> referenced;
  if (rc != nullptr) ReferencedClusters(*rc, referenced);
  for (const std::string& c : referenced) {
    if (!clusters.contains(c)) missing.push_back({FindResourceTypeByKind("Cluster"), c});
  }
  return missing;
}

DynamicConfig::Merged DynamicConfig::Merge(Clock::time_point now) const {
  Merged m;
  m.bootstrap = bootstrap_;
  auto* sr = m.bootstrap.mutable_static_resources();
  if (const TypeSet* t = Find("Tracing"); t != nullptr && !t->resources.empty()) {
    *m.bootstrap.mutable_tracing() = As<v1::Tracing>(t->resources.begin()->second);
  }
  if (const TypeSet* dynamic = Find("Cluster")) {
    for (const auto& [name, e] : dynamic->resources) *sr->add_clusters() = As<v1::Cluster>(e);
  }
  std::set<std::string> clusters;
  const TypeSet* assignments = Find("ClusterLoadAssignment");
  for (v1::Cluster& c : *sr->mutable_clusters()) {
    clusters.insert(c.name());
    if (c.type() != v1::Cluster::EDS || assignments == nullptr) continue;
    auto it = assignments->resources.find(c.name());
    if (it != assignments->resources.end()) *c.mutable_load_assignment() = As<v1::ClusterLoadAssignment>(it->second);
  }

  // Every listener with when it arrived (static ones at start) and whether it came from xDS.
  struct Candidate {
    v1::Listener listener;
    Clock::time_point received;
    bool dynamic;
  };
  std::vector<Candidate> candidates;
  for (const auto& l : bootstrap_.static_resources().listeners()) candidates.push_back({l, started_, false});
  if (const TypeSet* dynamic = Find("Listener")) {
    for (const auto& [name, e] : dynamic->resources) candidates.push_back({As<v1::Listener>(e), e.received, true});
  }
  sr->clear_listeners();
  const TypeSet* routes = Find("RouteConfiguration");
  for (auto& [listener, received, dynamic] : candidates) {
    const std::string name = listener.name();
    const auto deadline = received + initial_fetch_timeout_;
    std::vector<Dependency> missing = Missing(listener, clusters);
    if (!missing.empty()) m.incomplete[name] = Incomplete{missing, now >= deadline, dynamic};
    if (!missing.empty() && now < deadline) {
      m.warming.insert(name);
      m.recheck_at = m.recheck_at ? std::min(*m.recheck_at, deadline) : deadline;
      auto old = served_listeners_.find(name);
      if (old == served_listeners_.end()) continue;  // a new listener is not bound yet
      listener = old->second;
    } else if (auto* hcm = listener.mutable_http_connection_manager();
               hcm->route_specifier_case() == v1::HttpConnectionManager::kRdsRouteConfigName && routes != nullptr) {
      auto it = routes->resources.find(hcm->rds_route_config_name());
      if (it != routes->resources.end()) *hcm->mutable_route_config() = As<v1::RouteConfiguration>(it->second);
    }
    m.served[name] = listener;
    *sr->add_listeners() = listener;
  }
  return m;
}

void DynamicConfig::Commit(const Merged& merged) {
  served_listeners_ = merged.served;
  warming_ = merged.warming;
  incomplete_ = merged.incomplete;
}

std::vector<discovery::v1::WarmingResource> DynamicConfig::WarmingReport() const {
  std::vector<discovery::v1::WarmingResource> out;
  for (const auto& [name, incomplete] : incomplete_) {
    if (!incomplete.dynamic) continue;
    discovery::v1::WarmingResource& w = out.emplace_back();
    w.set_type_url(std::string(FindResourceTypeByKind("Listener")->type_url()));
    w.set_name(name);
    w.set_state(incomplete.timed_out ? discovery::v1::WarmingResource::TIMED_OUT
                                     : discovery::v1::WarmingResource::WARMING);
    for (const Dependency& d : incomplete.missing) {
      auto* m = w.add_missing();
      m->set_type_url(std::string(d.type->type_url()));
      m->set_name(d.name);
    }
  }
  return out;
}

std::vector<admin::v1::DynamicResource> DynamicConfig::Describe() const {
  using admin::v1::DynamicResource;
  std::vector<DynamicResource> out;
  for (const auto& [kind, set] : types_) {
    for (const auto& [name, e] : set.resources) {
      DynamicResource& r = out.emplace_back();
      r.set_kind(kind);
      r.set_name(name);
      r.set_version_info(e.version);
      r.mutable_last_updated()->set_seconds(absl::ToUnixSeconds(e.last_updated));
      r.set_warming(kind == "Listener" && warming_.contains(name));
      auto incomplete = kind == "Listener" ? incomplete_.find(name) : incomplete_.end();
      if (incomplete == incomplete_.end()) {
        r.set_state(DynamicResource::ACTIVE);
        continue;
      }
      r.set_state(incomplete->second.timed_out ? DynamicResource::WARMING_TIMED_OUT : DynamicResource::WARMING);
      for (const Dependency& d : incomplete->second.missing) r.add_missing(std::string(d.type->kind()) + "/" + d.name);
    }
  }
  return out;
}

}  // namespace tether::xds
