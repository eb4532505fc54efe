#include "controlplane/server/store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "controlplane/server/resource_file.h"
#include "controlplane/server/state_file.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

const std::string kClusterUrl = "type.googleapis.com/tether.config.v1.Cluster";
const std::string kListenerUrl = "type.googleapis.com/tether.config.v1.Listener";

std::vector<StoredResource> Parse(const std::string& yaml, const std::string& source = "file:t.yaml") {
  auto r = ParseResources(yaml, source, false);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<StoredResource>{};
}

config::v1::Node Node(const std::string& id, const std::string& cluster, std::map<std::string, std::string> labels = {}) {
  config::v1::Node n;
  n.set_id(id);
  n.set_cluster(cluster);
  for (const auto& [k, v] : labels) (*n.mutable_metadata())[k] = v;
  return n;
}

constexpr char kTwoClusters[] = R"(kind: Cluster
spec: {name: a, connect_timeout: 1s}
---
kind: Cluster
selector: {clusters: [web]}
spec: {name: b, connect_timeout: 2s}
---
kind: Cluster
selector: {node_ids: [n1], labels: {zone: x}}
spec: {name: c, connect_timeout: 3s}
)";

TEST(StoreTest, EveryTypeIsInTheSnapshotEvenEmpty) {
  ResourceStore store;
  auto snap = store.SnapshotFor(Node("n", "c"));
  EXPECT_EQ(snap.size(), xds::AllResourceTypes().size());
  for (const auto& [url, t] : snap) {
    EXPECT_EQ(t.version.size(), 16u);
    EXPECT_TRUE(t.resources.empty());
  }
}

TEST(StoreTest, SelectorsPickNodes) {
  ResourceStore store;
  store.SetDirectory(Parse(kTwoClusters));
  EXPECT_EQ(store.SnapshotFor(Node("n0", "other")).at(kClusterUrl).resources.size(), 1u);  // a
  EXPECT_EQ(store.SnapshotFor(Node("n0", "web")).at(kClusterUrl).resources.size(), 2u);    // a, b
  EXPECT_EQ(store.SnapshotFor(Node("n1", "web")).at(kClusterUrl).resources.size(), 2u);    // c needs zone=x
  EXPECT_EQ(store.SnapshotFor(Node("n1", "web", {{"zone", "x"}})).at(kClusterUrl).resources.size(), 3u);
}

TEST(StoreTest, VersionsComeFromContentOnly) {
  ResourceStore one, two;
  one.SetDirectory(Parse(kTwoClusters));
  // Same resources, another order, another source and a restarted store.
  auto reversed = Parse(kTwoClusters, "file:other.yaml");
  std::reverse(reversed.begin(), reversed.end());
  two.SetDirectory(reversed);
  const auto node = Node("n1", "web", {{"zone", "x"}});
  EXPECT_EQ(one.SnapshotFor(node).at(kClusterUrl).version, two.SnapshotFor(node).at(kClusterUrl).version);
  // Nodes that see different sets get different versions; unrelated types keep theirs.
  EXPECT_NE(one.SnapshotFor(node).at(kClusterUrl).version, one.SnapshotFor(Node("z", "z")).at(kClusterUrl).version);
  const std::string listeners = one.SnapshotFor(node).at(kListenerUrl).version;
  one.SetDirectory(Parse("kind: Cluster\nspec: {name: a, connect_timeout: 9s}\n"));
  EXPECT_NE(one.SnapshotFor(node).at(kClusterUrl).version, two.SnapshotFor(node).at(kClusterUrl).version);
  EXPECT_EQ(one.SnapshotFor(node).at(kListenerUrl).version, listeners);
}

TEST(StoreTest, AppliedOverridesAndDeleteHides) {
  ResourceStore store;
  store.SetDirectory(Parse(kTwoClusters));
  const uint64_t g0 = store.generation();
  auto applied = Parse("kind: Cluster\nspec: {name: a, connect_timeout: 5s}\n");
  auto dry = store.Apply(applied, true);
  EXPECT_EQ(dry[0].action, "configured");
  EXPECT_EQ(store.generation(), g0);  // dry run changes nothing
  EXPECT_EQ(store.Find(*xds::FindResourceTypeByKind("Cluster"), "a")->source, "file:t.yaml");
  store.Apply(applied, false);
  EXPECT_GT(store.generation(), g0);
  EXPECT_EQ(store.Find(*xds::FindResourceTypeByKind("Cluster"), "a")->source, "applied");
  EXPECT_EQ(store.Apply(applied, false)[0].action, "unchanged");

  // The directory changing under an override does not undo it.
  store.SetDirectory(Parse(kTwoClusters));
  EXPECT_EQ(store.Find(*xds::FindResourceTypeByKind("Cluster"), "a")->source, "applied");

  const auto& cluster = *xds::FindResourceTypeByKind("Cluster");
  ASSERT_TRUE(store.Delete(cluster, "a").ok());
  EXPECT_EQ(store.Find(cluster, "a"), nullptr);  // the directory's "a" is hidden too
  EXPECT_TRUE(absl::IsNotFound(store.Delete(cluster, "a")));
  store.Apply(Parse("kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n"), false);
  EXPECT_NE(store.Find(cluster, "a"), nullptr);  // applying it again un-hides
}

TEST(StoreTest, ApplyingTheFilesOwnContentCreatesNoOverride) {
  ResourceStore store;
  const auto& cluster = *xds::FindResourceTypeByKind("Cluster");
  store.SetDirectory(Parse(kTwoClusters));
  // What `tetherctl get -o yaml | tetherctl apply -f -` sends back.
  auto same = Parse("kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n", "applied");
  auto changes = store.Apply(same, false);
  EXPECT_EQ(changes[0].action, "unchanged");
  EXPECT_EQ(changes[0].source, "file:t.yaml");
  EXPECT_EQ(store.Find(cluster, "a")->source, "file:t.yaml");
  EXPECT_FALSE(store.ShadowOf(cluster, "a").has_value());
  EXPECT_EQ(store.State().applied_size(), 0);
  // So an edit of the file is served.
  store.SetDirectory(Parse(std::string(kTwoClusters).replace(std::string(kTwoClusters).find("1s"), 2, "7s")));
  auto a = store.SnapshotFor(Node("n", "c")).at(kClusterUrl).resources;
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value(), store.Find(cluster, "a")->spec.value());
  EXPECT_EQ(store.Find(cluster, "a")->source, "file:t.yaml");
  EXPECT_NE(store.Find(cluster, "a")->spec.value(), same[0].spec.value());
}

TEST(StoreTest, AShadowedFileEditIsReportedAndRevertServesTheFile) {
  ResourceStore store;
  const auto& cluster = *xds::FindResourceTypeByKind("Cluster");
  store.SetDirectory(Parse(kTwoClusters));
  store.Apply(Parse("kind: Cluster\nspec: {name: a, connect_timeout: 5s}\n", "applied"), false);
  ASSERT_TRUE(store.ShadowOf(cluster, "a").has_value());
  EXPECT_EQ(store.ShadowOf(cluster, "a")->file_source, "file:t.yaml");
  EXPECT_TRUE(store.ShadowOf(cluster, "a")->differs);
  ASSERT_EQ(store.ShadowedFileChanges().size(), 1u);
  EXPECT_EQ(store.ShadowedFileChanges()[0]->name, "a");

  const uint64_t before = store.generation();
  auto reverted = store.Revert(cluster, "a");
  ASSERT_TRUE(reverted.ok()) << reverted.status();
  EXPECT_TRUE(reverted->changed);
  EXPECT_EQ(reverted->source, "file:t.yaml");
  EXPECT_GT(store.generation(), before);
  EXPECT_EQ(store.Find(cluster, "a")->source, "file:t.yaml");
  EXPECT_TRUE(store.ShadowedFileChanges().empty());
  EXPECT_FALSE(store.Revert(cluster, "a")->changed);  // already the file's

  // Revert also undoes a delete's hiding.
  ASSERT_TRUE(store.Delete(cluster, "b").ok());
  ASSERT_EQ(store.Find(cluster, "b"), nullptr);
  ASSERT_TRUE(store.Revert(cluster, "b").ok());
  EXPECT_NE(store.Find(cluster, "b"), nullptr);
  EXPECT_EQ(store.State().hidden_size(), 0);

  // Applying the file's content over an override removes the override as well.
  store.Apply(Parse("kind: Cluster\nspec: {name: a, connect_timeout: 5s}\n", "applied"), false);
  auto back = store.Apply(Parse("kind: Cluster\nspec: {name: a, connect_timeout: 1s}\n", "applied"), false);
  EXPECT_EQ(back[0].action, "configured");
  EXPECT_EQ(back[0].source, "file:t.yaml");
  EXPECT_EQ(store.Find(cluster, "a")->source, "file:t.yaml");

  // Nothing to revert to.
  store.Apply(Parse("kind: Cluster\nspec: {name: only-applied, connect_timeout: 1s}\n", "applied"), false);
  EXPECT_TRUE(absl::IsFailedPrecondition(store.Revert(cluster, "only-applied").status()));
  EXPECT_TRUE(absl::IsNotFound(store.Revert(cluster, "nope").status()));
}

TEST(StoreTest, StateRoundTripsThroughTheStateFile) {
  const std::string dir = testing::TempDir() + "/store_state_test";
  std::filesystem::remove_all(dir);
  ResourceStore store;
  store.SetDirectory(Parse(kTwoClusters));
  store.Apply(Parse("kind: Listener\nselector: {clusters: [web]}\nspec: {name: l, address: {socket_address: "
                    "{address: 127.0.0.1, port_value: 8080}}}\n"),
              false);
  ASSERT_TRUE(store.Delete(*xds::FindResourceTypeByKind("Cluster"), "b").ok());
  StateFile file(dir);
  ASSERT_TRUE(file.Save(store.State()).ok());

  auto loaded = file.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ResourceStore restarted;
  restarted.SetDirectory(Parse(kTwoClusters));
  ASSERT_TRUE(restarted.Restore(*loaded).ok());
  for (const auto& node : {Node("n1", "web", {{"zone", "x"}}), Node("q", "web")}) {
    auto a = store.SnapshotFor(node), b = restarted.SnapshotFor(node);
    for (const auto& [url, t] : a) EXPECT_EQ(t.version, b.at(url).version) << url;
  }
  EXPECT_EQ(restarted.Find(*xds::FindResourceTypeByKind("Cluster"), "b"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir + "/state.pb.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(StoreTest, MissingStateFileIsAnEmptyState) {
  auto loaded = StateFile(testing::TempDir() + "/no_such_state_dir").Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->applied_size(), 0);
}

}  // namespace
}  // namespace tether::controlplane
