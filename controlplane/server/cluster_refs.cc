#include "controlplane/server/cluster_refs.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tether/config/v1/listener.pb.h"
#include "tether/config/v1/route.pb.h"

namespace tether::controlplane {
namespace {

namespace cfg = config::v1;

void RouteConfigRefs(const std::string& prefix, const cfg::RouteConfiguration& rc, std::vector<ClusterRef>& out) {
  for (int i = 0; i < rc.virtual_hosts_size(); ++i) {
    const cfg::VirtualHost& vh = rc.virtual_hosts(i);
    for (int j = 0; j < vh.routes_size(); ++j) {
      if (!vh.routes(j).has_route()) continue;  // redirects and direct responses name no cluster
      const cfg::RouteAction& action = vh.routes(j).route();
      const std::string path = absl::StrCat(prefix, "virtual_hosts[", i, "].routes[", j, "].route");
      if (action.cluster_specifier_case() == cfg::RouteAction::kCluster) {
        out.push_back({path + ".cluster", action.cluster()});
      }
      const auto& weighted = action.weighted_clusters().clusters();
      for (int k = 0; k < weighted.size(); ++k) {
        out.push_back({absl::StrCat(path, ".weighted_clusters.clusters[", k, "].name"), weighted[k].name()});
      }
    }
  }
}

template <typename T>
bool Share(const T& a, const T& b) {
  if (a.empty() || b.empty()) return true;
  return std::any_of(a.begin(), a.end(), [&](const auto& v) { return std::find(b.begin(), b.end(), v) != b.end(); });
}

std::string SelectorText(const cpv1::NodeSelector& s) {
  std::vector<std::string> parts;
  if (!s.node_ids().empty()) parts.push_back("node_ids=" + absl::StrJoin(s.node_ids(), ","));
  if (!s.clusters().empty()) parts.push_back("clusters=" + absl::StrJoin(s.clusters(), ","));
  std::map<std::string, std::string> labels(s.labels().begin(), s.labels().end());
  if (!labels.empty()) parts.push_back("labels=" + absl::StrJoin(labels, ",", absl::PairFormatter("=")));
  return parts.empty() ? "every sidecar" : "selector " + absl::StrJoin(parts, " ");
}

}  // namespace

std::vector<ClusterRef> ClusterRefs(const StoredResource& resource) {
  std::vector<ClusterRef> out;
  if (resource.type->kind() == "RouteConfiguration") {
    cfg::RouteConfiguration rc;
    if (resource.spec.UnpackTo(&rc)) RouteConfigRefs("", rc, out);
  } else if (resource.type->kind() == "Listener") {
    cfg::Listener listener;
    if (resource.spec.UnpackTo(&listener) && listener.http_connection_manager().has_route_config()) {
      RouteConfigRefs("http_connection_manager.route_config.", listener.http_connection_manager().route_config(), out);
    }
  }
  return out;
}

bool SelectorsOverlap(const cpv1::NodeSelector& a, const cpv1::NodeSelector& b) {
  if (!Share(a.node_ids(), b.node_ids()) || !Share(a.clusters(), b.clusters())) return false;
  for (const auto& [key, value] : a.labels()) {
    auto it = b.labels().find(key);
    if (it != b.labels().end() && it->second != value) return false;  // a node has one value per label
  }
  return true;
}

absl::Status CheckClusterRefs(const std::vector<StoredResource>& incoming,
                              const std::vector<const StoredResource*>& served_clusters) {
  // The clusters after the apply: served ones, replaced by incoming ones of the same name.
  std::map<std::string, const cpv1::NodeSelector*> clusters;
  for (const StoredResource* c : served_clusters) clusters[c->name] = &c->selector;
  for (const StoredResource& r : incoming) {
    if (r.type->kind() == "Cluster") clusters[r.name] = &r.selector;
  }
  for (const StoredResource& r : incoming) {
    for (const ClusterRef& ref : ClusterRefs(r)) {
      auto it = clusters.find(ref.cluster);
      if (it != clusters.end() && SelectorsOverlap(r.selector, *it->second)) continue;
      std::string why = it == clusters.end()
                            ? "no Cluster of that name is served"
                            : absl::StrCat("Cluster/", ref.cluster, " is only for ", SelectorText(*it->second));
      std::vector<std::string> known;  // what a typo was meant to be, usually
      for (const auto& [name, selector] : clusters) {
        if (known.size() == 10) {
          known.push_back("...");
          break;
        }
        if (SelectorsOverlap(r.selector, *selector)) known.push_back(name);
      }
      return absl::FailedPreconditionError(absl::StrCat(
          std::string(r.type->kind()), " '", r.name, "': ", ref.path, ": cluster \"", ref.cluster,
          "\" reaches none of the sidecars this resource is for (", SelectorText(r.selector), "): ", why,
          known.empty() ? "" : absl::StrCat(" (they get: ", absl::StrJoin(known, ", "), ")"),
          "; --force applies it anyway"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tether::controlplane
