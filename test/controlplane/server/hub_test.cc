#include "controlplane/server/hub.h"

#include <gtest/gtest.h>

#include "controlplane/server/resource_file.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

namespace dv1 = discovery::v1;
const std::string kClusterUrl = "type.googleapis.com/tether.config.v1.Cluster";
const std::string kListenerUrl = "type.googleapis.com/tether.config.v1.Listener";

struct FakeSink : StreamSink {
  std::vector<dv1::DiscoveryResponse> sent;
  void Send(const dv1::DiscoveryResponse& r) override { sent.push_back(r); }
  std::vector<dv1::DiscoveryResponse> Take() { return std::exchange(sent, {}); }
};

cpv1::ConfigResource Resource(const std::string& yaml) {
  auto r = ParseResources(yaml, "test", false);
  EXPECT_TRUE(r.ok()) << r.status();
  return ToConfigResource((*r)[0]);
}

cpv1::ApplyRequest ApplyOf(std::vector<std::string> yamls, bool dry_run = false) {
  cpv1::ApplyRequest req;
  req.set_dry_run(dry_run);
  for (const auto& y : yamls) *req.add_resources() = Resource(y);
  return req;
}

dv1::DiscoveryRequest Subscribe(const std::string& url, const std::string& version = "") {
  dv1::DiscoveryRequest r;
  r.set_type_url(url);
  r.set_version_info(version);
  r.mutable_node()->set_id("sidecar-1");
  r.mutable_node()->set_cluster("web");
  return r;
}

dv1::DiscoveryRequest Reply(const dv1::DiscoveryResponse& res, const std::string& error = "") {
  dv1::DiscoveryRequest r;
  r.set_type_url(res.type_url());
  r.set_version_info(error.empty() ? res.version_info() : "");
  r.set_response_nonce(res.nonce());
  if (!error.empty()) {
    r.mutable_error_detail()->set_code(3);
    r.mutable_error_detail()->set_message(error);
  }
  return r;
}

class HubTest : public testing::Test {
 protected:
  // A sidecar subscribed to every type that ACKed the first responses.
  uint64_t Connect() {
    const uint64_t id = hub.OpenStream(&sink, "test");
    for (const xds::ResourceType* t : xds::AllResourceTypes()) hub.OnRequest(id, Subscribe(std::string(t->type_url())));
    auto first = sink.Take();
    EXPECT_EQ(first.size(), xds::AllResourceTypes().size());  // empty sets too
    for (const auto& r : first) hub.OnRequest(id, Reply(r));
    return id;
  }
  Metrics metrics;
  Hub hub{metrics, std::nullopt};
  FakeSink sink;
};

TEST_F(HubTest, ApplyValidatesAllOrNothingAndNamesTheField) {
  auto bad = hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: ok, connect_timeout: 1s}\n",
                                "kind: Listener\nspec: {name: web, address: {socket_address: {address: 127.0.0.1, "
                                "port_value: 99999}}}\n"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("Listener 'web': address.socket_address.port_value"), std::string::npos)
      << bad.status();
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 0);  // "ok" was not applied either

  auto dry = hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: ok, connect_timeout: 1s}\n"}, true));
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->changes(0).action(), "created");
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 0);
}

TEST_F(HubTest, ChangesPushOnlyTheChangedTypeAndStatusFollowsAcks) {
  const uint64_t id = Connect();
  auto status = hub.Status();
  ASSERT_EQ(status.proxies_size(), 1);
  for (const auto& t : status.proxies(0).types()) EXPECT_EQ(t.sync(), cpv1::TypeStatus::SYNCED) << t.kind();

  auto applied = hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n"}));
  ASSERT_TRUE(applied.ok());
  auto pushed = sink.Take();
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0].type_url(), kClusterUrl);
  EXPECT_EQ(pushed[0].resources_size(), 1);
  status = hub.Status();
  EXPECT_EQ(status.proxies(0).generation(), applied->generation());
  EXPECT_EQ(status.proxies(0).types(0).sync(), cpv1::TypeStatus::STALE);

  hub.OnRequest(id, Reply(pushed[0]));
  status = hub.Status();
  EXPECT_EQ(status.proxies(0).types(0).sync(), cpv1::TypeStatus::SYNCED);
  EXPECT_EQ(status.proxies(0).types(0).acked_version(), status.proxies(0).types(0).desired_version());
  EXPECT_NE(hub.RenderMetrics().find("tether_control_push_latency_seconds_count 1"), std::string::npos);
}

TEST_F(HubTest, ANackShowsInStatusWithItsMessage) {
  const uint64_t id = Connect();
  hub.SetDirectory(*ParseResources("kind: Listener\nspec: {name: web, address: {socket_address: {address: "
                                   "127.0.0.1, port_value: 99999}}}\n",
                                   "file:d.yaml", false));
  auto pushed = sink.Take();
  ASSERT_EQ(pushed.size(), 1u);
  EXPECT_EQ(pushed[0].type_url(), kListenerUrl);
  hub.OnRequest(id, Reply(pushed[0], "Listener 'web': address.socket_address.port_value: 99999 is not a port"));
  const cpv1::StatusResponse status = hub.Status();
  const auto& listener = status.proxies(0).types(2);
  EXPECT_EQ(listener.kind(), "Listener");
  EXPECT_EQ(listener.sync(), cpv1::TypeStatus::NACKED);
  EXPECT_NE(listener.nack_message().find("port_value"), std::string::npos);
  EXPECT_EQ(metrics.nacks(), 1u);
}

dv1::WarmingResource Warming(const std::string& listener, const std::string& cluster,
                             dv1::WarmingResource::State state) {
  dv1::WarmingResource w;
  w.set_type_url(kListenerUrl);
  w.set_name(listener);
  w.set_state(state);
  auto* m = w.add_missing();
  m->set_type_url(kClusterUrl);
  m->set_name(cluster);
  return w;
}

TEST_F(HubTest, AnAckThatReportsAWarmingListenerIsWarmingNotSynced) {
  const uint64_t id = Connect();
  auto listener_file = ParseResources("kind: Listener\nspec: {name: l2, address: {socket_address: {address: "
                                      "127.0.0.1, port_value: 8080}}, http_connection_manager: {stat_prefix: l2, "
                                      "rds_route_config_name: r2}}\n",
                                      "file:d.yaml", false);
  ASSERT_TRUE(listener_file.ok()) << listener_file.status();
  hub.SetDirectory(*listener_file);
  auto pushed = sink.Take();
  ASSERT_EQ(pushed.size(), 1u);
  dv1::DiscoveryRequest ack = Reply(pushed[0]);
  *ack.add_warming() = Warming("l2", "backend", dv1::WarmingResource::WARMING);
  hub.OnRequest(id, ack);
  auto listener = hub.Status().proxies(0).types(2);
  EXPECT_EQ(listener.sync(), cpv1::TypeStatus::WARMING);
  EXPECT_EQ(listener.acked_version(), listener.desired_version());
  ASSERT_EQ(listener.warming_size(), 1);
  EXPECT_EQ(listener.warming(0).name(), "l2");
  EXPECT_EQ(listener.warming(0).missing(0), "Cluster/backend");
  EXPECT_FALSE(listener.warming(0).timed_out());
  EXPECT_EQ(hub.Status().proxies(0).types(0).sync(), cpv1::TypeStatus::SYNCED);  // Cluster: nothing warms

  // The warming times out on the sidecar: it repeats its ACK with the new report.
  *ack.mutable_warming(0) = Warming("l2", "backend", dv1::WarmingResource::TIMED_OUT);
  hub.OnRequest(id, ack);
  EXPECT_TRUE(sink.Take().empty());  // a repeat is no new ACK: nothing is pushed
  listener = hub.Status().proxies(0).types(2);
  EXPECT_EQ(listener.sync(), cpv1::TypeStatus::WARMING_TIMED_OUT);
  EXPECT_TRUE(listener.warming(0).timed_out());

  // The cluster arrives; its ACK says nothing warms any more.
  ASSERT_TRUE(hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: backend, connect_timeout: 1s}\n"})).ok());
  pushed = sink.Take();
  ASSERT_EQ(pushed.size(), 1u);
  hub.OnRequest(id, Reply(pushed[0]));
  const cpv1::StatusResponse status = hub.Status();
  for (const auto& t : status.proxies(0).types()) EXPECT_EQ(t.sync(), cpv1::TypeStatus::SYNCED) << t.kind();
}

TEST_F(HubTest, AReconnectWithCurrentVersionsGetsNothing) {
  ASSERT_TRUE(hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n"})).ok());
  Connect();
  auto versions = hub.Status().proxies(0);
  hub.CloseStream(1);
  EXPECT_EQ(hub.Status().proxies_size(), 0);
  const uint64_t again = hub.OpenStream(&sink, "test");
  for (const auto& t : versions.types()) hub.OnRequest(again, Subscribe(t.type_url(), t.acked_version()));
  EXPECT_TRUE(sink.Take().empty());
  EXPECT_EQ(hub.Status().proxies(0).types(0).sync(), cpv1::TypeStatus::SYNCED);
}

TEST_F(HubTest, DeleteAndGet) {
  ASSERT_TRUE(hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n"})).ok());
  cpv1::GetRequest get;
  get.set_kind("Cluster");
  get.set_name("a");
  ASSERT_TRUE(hub.Get(get).ok());
  cpv1::DeleteRequest del;
  del.set_kind("Cluster");
  del.set_name("a");
  ASSERT_TRUE(hub.Delete(del).ok());
  EXPECT_TRUE(absl::IsNotFound(hub.Get(get).status()));
  EXPECT_TRUE(absl::IsNotFound(hub.Delete(del).status()));
  del.set_kind("Nope");
  EXPECT_TRUE(absl::IsInvalidArgument(hub.Delete(del).status()));
}

TEST_F(HubTest, ARouteNamingAClusterNoTargetNodeGetsIsRefusedUnlessForced) {
  constexpr char kRoutes[] =
      "kind: RouteConfiguration\nselector: {clusters: [web]}\nspec: {name: r, virtual_hosts: [{name: v, domains: "
      "[\"*\"], routes: [{match: {prefix: /}, route: {cluster: backend}}]}]}\n";
  ASSERT_TRUE(hub.Apply(ApplyOf({"kind: Cluster\nselector: {clusters: [api]}\nspec: {name: backend, connect_timeout: "
                                 "1s}\n"}))
                  .ok());
  for (bool dry_run : {true, false}) {
    auto refused = hub.Apply(ApplyOf({kRoutes}, dry_run));
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
    EXPECT_NE(refused.status().message().find(
                  "RouteConfiguration 'r': virtual_hosts[0].routes[0].route.cluster: cluster \"backend\""),
              std::string::npos)
        << refused.status();
  }
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 1);  // only the cluster
  cpv1::ApplyRequest forced = ApplyOf({kRoutes});
  forced.set_force(true);
  ASSERT_TRUE(hub.Apply(forced).ok());
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources_size(), 2);
}

TEST_F(HubTest, GetAndMetricsShowAnOverrideShadowingAFileEditAndRevertServesTheFile) {
  hub.SetDirectory(*ParseResources("kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n", "file:d.yaml", false));
  // The file's own content: no override.
  auto same = hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n"}));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->changes(0).action(), "unchanged");
  EXPECT_EQ(same->changes(0).source(), "file:d.yaml");
  EXPECT_EQ(hub.Get(cpv1::GetRequest())->resources(0).source(), "file:d.yaml");

  ASSERT_TRUE(hub.Apply(ApplyOf({"kind: Cluster\nspec: {name: a, connect_timeout: 5s}\n"})).ok());
  auto got = hub.Get(cpv1::GetRequest())->resources(0);
  EXPECT_EQ(got.source(), "applied");
  EXPECT_EQ(got.shadows(), "file:d.yaml");
  EXPECT_TRUE(got.file_differs());
  EXPECT_NE(hub.RenderMetrics().find("tether_control_shadowed_file_changes 1\n"), std::string::npos);
  ASSERT_EQ(hub.ShadowedFileChanges().size(), 1u);

  cpv1::RevertRequest revert;
  revert.set_kind("Cluster");
  revert.set_name("a");
  auto reverted = hub.Revert(revert);
  ASSERT_TRUE(reverted.ok()) << reverted.status();
  EXPECT_TRUE(reverted->changed());
  EXPECT_EQ(reverted->source(), "file:d.yaml");
  got = hub.Get(cpv1::GetRequest())->resources(0);
  EXPECT_EQ(got.source(), "file:d.yaml");
  EXPECT_TRUE(got.shadows().empty());
  EXPECT_NE(hub.RenderMetrics().find("tether_control_shadowed_file_changes 0\n"), std::string::npos);
  revert.set_kind("Nope");
  EXPECT_TRUE(absl::IsInvalidArgument(hub.Revert(revert).status()));
}

}  // namespace
}  // namespace tether::controlplane
