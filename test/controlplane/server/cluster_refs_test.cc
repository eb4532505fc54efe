#include "controlplane/server/cluster_refs.h"

#include <gtest/gtest.h>

#include "controlplane/server/resource_file.h"

namespace tether::controlplane {
namespace {

std::vector<StoredResource> Parse(const std::string& yaml) {
  auto r = ParseResources(yaml, "test", false);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<StoredResource>{};
}

std::vector<const StoredResource*> Pointers(const std::vector<StoredResource>& v) {
  std::vector<const StoredResource*> out;
  for (const auto& r : v) out.push_back(&r);
  return out;
}

cpv1::NodeSelector Selector(std::vector<std::string> ids, std::vector<std::string> clusters,
                            std::map<std::string, std::string> labels = {}) {
  cpv1::NodeSelector s;
  for (const auto& i : ids) s.add_node_ids(i);
  for (const auto& c : clusters) s.add_clusters(c);
  for (const auto& [k, v] : labels) (*s.mutable_labels())[k] = v;
  return s;
}

constexpr char kRoutes[] = R"(kind: RouteConfiguration
selector: {clusters: [web]}
spec:
  name: web-routes
  virtual_hosts:
  - name: all
    domains: ["*"]
    routes:
    - {match: {prefix: /old}, redirect: {path_redirect: /new}}
    - {match: {prefix: /split}, route: {weighted_clusters: {clusters: [{name: a, weight: 1}, {name: b, weight: 1}]}}}
    - {match: {prefix: /}, route: {cluster: backend}}
)";

TEST(ClusterRefsTest, NamesEveryClusterWithItsFieldPath) {
  auto routes = Parse(kRoutes);
  auto refs = ClusterRefs(routes[0]);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].path, "virtual_hosts[0].routes[1].route.weighted_clusters.clusters[0].name");
  EXPECT_EQ(refs[0].cluster, "a");
  EXPECT_EQ(refs[1].cluster, "b");
  EXPECT_EQ(refs[2].path, "virtual_hosts[0].routes[2].route.cluster");
  EXPECT_EQ(refs[2].cluster, "backend");

  auto listener = Parse(R"(kind: Listener
spec:
  name: l
  address: {socket_address: {address: 127.0.0.1, port_value: 8080}}
  http_connection_manager:
    route_config: {virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: x}}]}]}
)");
  refs = ClusterRefs(listener[0]);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].path, "http_connection_manager.route_config.virtual_hosts[0].routes[0].route.cluster");
}

TEST(ClusterRefsTest, SelectorsOverlapWhenSomeNodeCouldMatchBoth) {
  EXPECT_TRUE(SelectorsOverlap(Selector({}, {}), Selector({"n1"}, {"web"})));
  EXPECT_TRUE(SelectorsOverlap(Selector({}, {"web", "api"}), Selector({"n1"}, {"api"})));
  EXPECT_FALSE(SelectorsOverlap(Selector({}, {"web"}), Selector({}, {"api"})));
  EXPECT_FALSE(SelectorsOverlap(Selector({"n1"}, {}), Selector({"n2"}, {})));
  EXPECT_TRUE(SelectorsOverlap(Selector({}, {}, {{"zone", "a"}}), Selector({}, {}, {{"tier", "x"}})));
  EXPECT_FALSE(SelectorsOverlap(Selector({}, {}, {{"zone", "a"}}), Selector({}, {}, {{"zone", "b"}})));
}

TEST(ClusterRefsTest, ARouteToAClusterNoTargetNodeGetsIsRefusedNamingResourcePathAndCluster) {
  auto served = Parse(R"(kind: Cluster
spec: {name: a, connect_timeout: 1s}
---
kind: Cluster
selector: {clusters: [web, api]}
spec: {name: b, connect_timeout: 1s}
---
kind: Cluster
selector: {clusters: [api]}
spec: {name: backend, connect_timeout: 1s}
)");
  auto routes = Parse(kRoutes);
  // backend exists, but only for cluster api; the routes are for web.
  absl::Status s = CheckClusterRefs(routes, Pointers(served));
  ASSERT_TRUE(absl::IsFailedPrecondition(s)) << s;

  EXPECT_NE(s.message().find("RouteConfiguration 'web-routes': virtual_hosts[0].routes[2].route.cluster: cluster "
                             "\"backend\""),
            std::string::npos)
      << s;
  EXPECT_NE(s.message().find("selector clusters=api"), std::string::npos) << s;
  EXPECT_NE(s.message().find("--force"), std::string::npos) << s;

  // The same apply bringing a backend for every node makes it fine.
  auto with_cluster = Parse(std::string("kind: Cluster\nspec: {name: backend, connect_timeout: 1s}\n---\n") + kRoutes);
  EXPECT_TRUE(CheckClusterRefs(with_cluster, Pointers(served)).ok());

  // A name nobody serves at all.
  auto typo = Parse(std::string(kRoutes).replace(std::string(kRoutes).find("cluster: backend"), 16, "cluster: backnd"));
  s = CheckClusterRefs(typo, Pointers(served));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("\"backnd\""), std::string::npos) << s;
  EXPECT_NE(s.message().find("no Cluster of that name is served"), std::string::npos) << s;
}

}  // namespace
}  // namespace tether::controlplane
