#include "src/xds/client_state.h"

#include <gtest/gtest.h>

#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"

namespace tether::xds {
namespace {

namespace v1 = discovery::v1;
using config::v1::Cluster;
using config::v1::Listener;

// Small plug-ins: the state machine must not care which types they are.
const TypedResourceType<Cluster> kClusters(
    [](const Cluster& c) { return c.name(); },
    [](const Cluster& c) {
      return c.connect_timeout().seconds() < 0 ? absl::InvalidArgumentError("connect_timeout: must not be negative")
                                                 : absl::OkStatus();
    });
const TypedResourceType<Listener> kListeners([](const Listener& l) { return l.name(); },
                                             [](const Listener&) { return absl::OkStatus(); });

Cluster MakeCluster(const std::string& name, int64_t timeout_s = 1) {
  Cluster c;
  c.set_name(name);
  c.mutable_connect_timeout()->set_seconds(timeout_s);
  return c;
}

v1::DiscoveryResponse Response(const std::string& version, const std::string& nonce, const std::vector<Cluster>& cs) {
  v1::DiscoveryResponse r;
  r.set_type_url(std::string(kClusters.type_url()));
  r.set_version_info(version);
  r.set_nonce(nonce);
  for (const Cluster& c : cs) r.add_resources()->PackFrom(c);
  return r;
}

class ClientStateTest : public ::testing::Test {
 protected:
  ClientStateTest() : state_(MakeNode()) {
    state_.Subscribe(&kClusters);
    state_.Subscribe(&kListeners);
  }
  static config::v1::Node MakeNode() {
    config::v1::Node n;
    n.set_id("sidecar-1");
    n.set_cluster("client");
    return n;
  }
  ClientState state_;
};

TEST_F(ClientStateTest, StreamStartSubscribesInOrderWithNoVersion) {
  const auto requests = state_.OnStreamStart();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].type_url(), "type.googleapis.com/tether.config.v1.Cluster");
  EXPECT_EQ(requests[1].type_url(), "type.googleapis.com/tether.config.v1.Listener");
  for (const auto& r : requests) {
    EXPECT_EQ(r.node().id(), "sidecar-1");
    EXPECT_TRUE(r.version_info().empty());
    EXPECT_TRUE(r.response_nonce().empty());
    EXPECT_TRUE(r.resource_names().empty());  // wildcard
  }
}

TEST_F(ClientStateTest, ValidResponseIsAckedWithItsVersionAndNonce) {
  const auto out = state_.OnResponse(Response("v1", "n1", {MakeCluster("a"), MakeCluster("b")}));
  EXPECT_TRUE(out.rejected.ok());
  EXPECT_EQ(out.reply.version_info(), "v1");
  EXPECT_EQ(out.reply.response_nonce(), "n1");
  EXPECT_FALSE(out.reply.has_error_detail());
  ASSERT_TRUE(out.accepted.has_value());
  EXPECT_EQ(out.accepted->version, "v1");
  ASSERT_EQ(out.accepted->resources.size(), 2u);
  EXPECT_EQ(static_cast<const Cluster&>(*out.accepted->resources.at("a")).connect_timeout().seconds(), 1);
  EXPECT_EQ(state_.Status(kClusters.type_url())->accepted_version, "v1");
}

TEST_F(ClientStateTest, InvalidResourceIsNackedNamingItAndTheOldVersionStays) {
  state_.OnResponse(Response("v1", "n1", {MakeCluster("a")}));
  const auto out = state_.OnResponse(Response("v2", "n2", {MakeCluster("a"), MakeCluster("bad", -1)}));
  EXPECT_FALSE(out.accepted.has_value());
  EXPECT_EQ(out.reply.version_info(), "v1");  // the version still in force
  EXPECT_EQ(out.reply.response_nonce(), "n2");
  ASSERT_TRUE(out.reply.has_error_detail());
  EXPECT_EQ(out.reply.error_detail().code(), 3);
  EXPECT_NE(out.reply.error_detail().message().find("'bad'"), std::string::npos) << out.reply.error_detail().message();
  EXPECT_NE(out.reply.error_detail().message().find("connect_timeout"), std::string::npos);
  EXPECT_EQ(state_.Status(kClusters.type_url())->accepted_version, "v1");
  EXPECT_EQ(state_.Status(kClusters.type_url())->last_error, out.reply.error_detail().message());

  // The next good push is acked and clears the error.
  const auto fixed = state_.OnResponse(Response("v3", "n3", {MakeCluster("a")}));
  EXPECT_TRUE(fixed.accepted.has_value());
  EXPECT_TRUE(state_.Status(kClusters.type_url())->last_error.empty());
}

TEST_F(ClientStateTest, ASetTheServerCannotApplyIsNackedAndTheOldVersionStays) {
  state_.OnResponse(Response("v1", "n1", {MakeCluster("a")}));
  int applied = 0;
  const auto refuse = [&](const ClientState::Update& u) {
    ++applied;
    EXPECT_EQ(u.version, "v2");
    EXPECT_EQ(u.resources.count("static"), 1u);
    return absl::InvalidArgumentError("'static': a static cluster has that name");
  };
  const auto out = state_.OnResponse(Response("v2", "n2", {MakeCluster("static")}), refuse);
  EXPECT_EQ(applied, 1);
  EXPECT_FALSE(out.accepted.has_value());
  EXPECT_EQ(out.reply.version_info(), "v1");
  EXPECT_NE(out.reply.error_detail().message().find("a static cluster has that name"), std::string::npos);
  EXPECT_NE(out.reply.error_detail().message().find(std::string(kClusters.type_url())), std::string::npos);
  EXPECT_EQ(state_.Status(kClusters.type_url())->accepted_version, "v1");

  // An invalid resource never reaches the server.
  state_.OnResponse(Response("v3", "n3", {MakeCluster("bad", -1)}), refuse);
  EXPECT_EQ(applied, 1);
}

TEST_F(ClientStateTest, ReconnectResendsTheAcceptedVersionsWithoutNonces) {
  state_.OnResponse(Response("v7", "n1", {MakeCluster("a")}));
  const auto requests = state_.OnStreamStart();
  EXPECT_EQ(requests[0].version_info(), "v7");
  EXPECT_TRUE(requests[0].response_nonce().empty());
  EXPECT_TRUE(requests[1].version_info().empty());  // no listener accepted yet
}

TEST_F(ClientStateTest, AResourceLeftOutOfTheWorldIsRemoved) {
  state_.OnResponse(Response("v1", "n1", {MakeCluster("a"), MakeCluster("b")}));
  const auto out = state_.OnResponse(Response("v2", "n2", {MakeCluster("b")}));
  ASSERT_TRUE(out.accepted.has_value());
  EXPECT_EQ(out.accepted->resources.count("a"), 0u);
  EXPECT_EQ(out.accepted->resources.count("b"), 1u);
  const auto empty = state_.OnResponse(Response("v3", "n3", {}));
  ASSERT_TRUE(empty.accepted.has_value());
  EXPECT_TRUE(empty.accepted->resources.empty());
}

TEST_F(ClientStateTest, WrongTypesAndDuplicatesAreNacked) {
  v1::DiscoveryResponse mixed = Response("v1", "n1", {MakeCluster("a")});
  Listener l;
  l.set_name("l");
  mixed.add_resources()->PackFrom(l);
  EXPECT_FALSE(state_.OnResponse(mixed).rejected.ok());

  EXPECT_FALSE(state_.OnResponse(Response("v1", "n2", {MakeCluster("a"), MakeCluster("a")})).rejected.ok());
  EXPECT_FALSE(state_.OnResponse(Response("v1", "n3", {MakeCluster("")})).rejected.ok());

  v1::DiscoveryResponse unknown = Response("v1", "n4", {});
  unknown.set_type_url("type.googleapis.com/tether.config.v1.Nope");
  const auto out = state_.OnResponse(unknown);
  EXPECT_FALSE(out.rejected.ok());
  EXPECT_EQ(out.reply.response_nonce(), "n4");
  EXPECT_TRUE(state_.Status(kClusters.type_url())->accepted_version.empty());
}

TEST_F(ClientStateTest, ResponsesOfDifferentTypesAreIndependent) {
  state_.OnResponse(Response("c1", "n1", {MakeCluster("a")}));
  v1::DiscoveryResponse listeners;
  listeners.set_type_url(std::string(kListeners.type_url()));
  listeners.set_version_info("l1");
  listeners.set_nonce("n2");
  Listener l;
  l.set_name("out");
  listeners.add_resources()->PackFrom(l);
  const auto out = state_.OnResponse(listeners);
  ASSERT_TRUE(out.accepted.has_value());
  EXPECT_EQ(out.accepted->type, &kListeners);
  EXPECT_EQ(state_.Status(kClusters.type_url())->accepted_version, "c1");
  EXPECT_EQ(state_.Status(kListeners.type_url())->accepted_version, "l1");
}

TEST(ResourceTypeTest, EqualComparesContent) {
  EXPECT_TRUE(kClusters.Equal(MakeCluster("a"), MakeCluster("a")));
  EXPECT_FALSE(kClusters.Equal(MakeCluster("a"), MakeCluster("a", 2)));
}

}  // namespace
}  // namespace tether::xds
