#include "src/xds/dynamic_config.h"

#include <gtest/gtest.h>

#include "src/xds/resource_types.h"
#include "tether/config/v1/cluster.pb.h"
#include "tether/config/v1/listener.pb.h"
#include "tether/config/v1/route.pb.h"

namespace tether::xds {
namespace {

namespace v1 = config::v1;
using Clock = DynamicConfig::Clock;
using std::chrono::seconds;

v1::Cluster Cluster(const std::string& name, v1::Cluster::DiscoveryType type = v1::Cluster::STATIC) {
  v1::Cluster c;
  c.set_name(name);
  c.set_type(type);
  c.mutable_connect_timeout()->set_seconds(1);
  return c;
}

v1::RouteConfiguration Routes(const std::string& name, const std::string& cluster) {
  v1::RouteConfiguration rc;
  rc.set_name(name);
  auto* vh = rc.add_virtual_hosts();
  vh->set_name("all");
  vh->add_domains("*");
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster(cluster);
  return rc;
}

v1::Listener RdsListener(const std::string& name, const std::string& route, uint32_t port = 15001) {
  v1::Listener l;
  l.set_name(name);
  l.mutable_address()->mutable_socket_address()->set_address("127.0.0.1");
  l.mutable_address()->mutable_socket_address()->set_port_value(port);
  l.mutable_http_connection_manager()->set_rds_route_config_name(route);
  return l;
}

template <typename Proto>
ClientState::Update Update(const std::string& version, const std::vector<Proto>& resources) {
  ClientState::Update u;
  u.type = FindResourceTypeByKind(Proto::descriptor()->name());
  u.version = version;
  for (const Proto& p : resources) {
    auto decoded = u.type->Decode([&] {
      google::protobuf::Any any;
      any.PackFrom(p);
      return any;
    }());
    EXPECT_TRUE(decoded.ok()) << decoded.status();
    u.resources[decoded->name] = decoded->message;
  }
  return u;
}

class DynamicConfigTest : public ::testing::Test {
 protected:
  DynamicConfigTest() : config_(Bootstrap(), seconds(5)) {}
  static v1::Bootstrap Bootstrap() {
    v1::Bootstrap b;
    b.mutable_node()->set_id("sidecar-1");
    *b.mutable_static_resources()->add_clusters() = Cluster("static");
    return b;
  }
  // Sets and commits, as the server does after installing.
  DynamicConfig::Merged Apply(const ClientState::Update& u, Clock::time_point at) {
    EXPECT_TRUE(config_.Set(u, at, wall_).ok());
    auto merged = config_.Merge(at);
    config_.Commit(merged);
    return merged;
  }
  static std::vector<std::string> ListenerNames(const DynamicConfig::Merged& m) {
    std::vector<std::string> names;
    for (const auto& l : m.bootstrap.static_resources().listeners()) names.push_back(l.name());
    return names;
  }
  // The resource named `kind`/`name` in the /config_dump description; fails the test if absent.
  admin::v1::DynamicResource Described(std::string_view kind, std::string_view name) const {
    for (const auto& r : config_.Describe()) {
      if (r.kind() == kind && r.name() == name) return r;
    }
    ADD_FAILURE() << kind << "/" << name << " not described";
    return {};
  }
  DynamicConfig config_;
  const Clock::time_point t0_ = Clock::now();
  const absl::Time wall_ = absl::FromUnixSeconds(1796000000);  // when updates are accepted
};

TEST_F(DynamicConfigTest, AListenerWaitsForItsRouteAndClusterThenServesThem) {
  auto m = Apply(Update<v1::Listener>("1", {RdsListener("out", "r")}), t0_);
  EXPECT_TRUE(ListenerNames(m).empty());  // not bound before its route is here
  EXPECT_TRUE(m.warming.contains("out"));
  ASSERT_TRUE(m.recheck_at.has_value());
  EXPECT_EQ(*m.recheck_at, t0_ + seconds(5));

  m = Apply(Update<v1::RouteConfiguration>("1", {Routes("r", "up")}), t0_ + seconds(1));
  EXPECT_TRUE(m.warming.contains("out"));  // the route names a cluster not here yet

  m = Apply(Update<v1::Cluster>("1", {Cluster("up")}), t0_ + seconds(2));
  EXPECT_TRUE(m.warming.empty());
  ASSERT_EQ(ListenerNames(m), std::vector<std::string>{"out"});
  const auto& hcm = m.bootstrap.static_resources().listeners(0).http_connection_manager();
  ASSERT_TRUE(hcm.has_route_config());  // rds resolved into the listener
  EXPECT_EQ(hcm.route_config().virtual_hosts(0).routes(0).route().cluster(), "up");
  EXPECT_EQ(m.bootstrap.static_resources().clusters_size(), 2);
}

TEST_F(DynamicConfigTest, AfterTheInitialFetchTimeoutAWarmingListenerIsServedAsItIs) {
  Apply(Update<v1::Listener>("1", {RdsListener("out", "r")}), t0_);
  const auto late = config_.Merge(t0_ + seconds(5));
  EXPECT_TRUE(late.warming.empty());
  EXPECT_EQ(ListenerNames(late), std::vector<std::string>{"out"});
}

TEST_F(DynamicConfigTest, TheWarmingReportNamesWhatAListenerLacksAndItsTimeout) {
  // The case: a new listener whose route names a cluster that is not there.
  Apply(Update<v1::RouteConfiguration>("1", {Routes("r", "backend")}), t0_);
  Apply(Update<v1::Listener>("1", {RdsListener("out", "r")}), t0_);
  auto report = config_.WarmingReport();
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].name(), "out");
  EXPECT_EQ(report[0].type_url(), "type.googleapis.com/tether.config.v1.Listener");
  EXPECT_EQ(report[0].state(), discovery::v1::WarmingResource::WARMING);
  ASSERT_EQ(report[0].missing_size(), 1);
  EXPECT_EQ(report[0].missing(0).type_url(), "type.googleapis.com/tether.config.v1.Cluster");
  EXPECT_EQ(report[0].missing(0).name(), "backend");
  auto out = Described("Listener", "out");
  EXPECT_TRUE(out.warming());
  EXPECT_EQ(out.state(), admin::v1::DynamicResource::WARMING);
  EXPECT_EQ(std::vector<std::string>(out.missing().begin(), out.missing().end()),
            std::vector<std::string>{"Cluster/backend"});
  EXPECT_EQ(out.version_info(), "1");
  EXPECT_EQ(out.last_updated().seconds(), 1796000000);

  // initial_fetch_timeout passes: served as it is, and reported as timed out.
  config_.Commit(config_.Merge(t0_ + seconds(5)));
  report = config_.WarmingReport();
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].state(), discovery::v1::WarmingResource::TIMED_OUT);
  out = Described("Listener", "out");
  EXPECT_FALSE(out.warming());
  EXPECT_TRUE(out.has_warming());  // set, so /config_dump prints "warming": false
  EXPECT_EQ(out.state(), admin::v1::DynamicResource::WARMING_TIMED_OUT);
  EXPECT_EQ(std::vector<std::string>(out.missing().begin(), out.missing().end()),
            std::vector<std::string>{"Cluster/backend"});

  // The cluster arrives: nothing to report.
  Apply(Update<v1::Cluster>("1", {Cluster("backend")}), t0_ + seconds(6));
  EXPECT_TRUE(config_.WarmingReport().empty());
  out = Described("Listener", "out");
  EXPECT_FALSE(out.warming());
  EXPECT_TRUE(out.has_state());  // set, so /config_dump prints "state": "ACTIVE"
  EXPECT_EQ(out.state(), admin::v1::DynamicResource::ACTIVE);
  EXPECT_EQ(out.missing_size(), 0);
  EXPECT_EQ(Described("Cluster", "backend").state(), admin::v1::DynamicResource::ACTIVE);
}

TEST_F(DynamicConfigTest, AnUpdatedListenerThatWarmsKeepsServingItsPreviousVersion) {
  Apply(Update<v1::Cluster>("1", {Cluster("up")}), t0_);
  Apply(Update<v1::RouteConfiguration>("1", {Routes("r", "up")}), t0_);
  Apply(Update<v1::Listener>("1", {RdsListener("out", "r")}), t0_);
  // Version 2 moves to a route that is not here yet: version 1 keeps serving.
  const auto m = Apply(Update<v1::Listener>("2", {RdsListener("out", "r2", 15002)}), t0_ + seconds(1));
  EXPECT_TRUE(m.warming.contains("out"));
  ASSERT_EQ(ListenerNames(m), std::vector<std::string>{"out"});
  EXPECT_EQ(m.bootstrap.static_resources().listeners(0).address().socket_address().port_value(), 15001u);
}

TEST_F(DynamicConfigTest, EdsClustersTakeTheirEndpointsFromTheAssignment) {
  Apply(Update<v1::Cluster>("1", {Cluster("svc", v1::Cluster::EDS)}), t0_);
  v1::ClusterLoadAssignment cla;
  cla.set_cluster_name("svc");
  auto* sa = cla.add_endpoints()->add_lb_endpoints()->mutable_endpoint()->mutable_address()->mutable_socket_address();
  sa->set_address("127.0.0.1");
  sa->set_port_value(8080);
  const auto m = Apply(Update<v1::ClusterLoadAssignment>("1", {cla}), t0_);
  const auto& svc = m.bootstrap.static_resources().clusters(1);
  ASSERT_EQ(svc.name(), "svc");
  EXPECT_EQ(svc.load_assignment().endpoints(0).lb_endpoints(0).endpoint().address().socket_address().port_value(), 8080u);
}

TEST_F(DynamicConfigTest, ANameOfAStaticResourceIsRefusedAndRestoreUndoesASet) {
  const auto clash = config_.Set(Update<v1::Cluster>("1", {Cluster("static")}), t0_, absl::Now());
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("'static'"), std::string::npos);

  Apply(Update<v1::Cluster>("1", {Cluster("a")}), t0_);
  const auto u2 = Update<v1::Cluster>("2", {Cluster("b")});
  auto previous = config_.Set(u2, t0_, absl::Now());
  ASSERT_TRUE(previous.ok());
  config_.Restore(*u2.type, *std::move(previous));
  const auto m = config_.Merge(t0_);
  ASSERT_EQ(m.bootstrap.static_resources().clusters_size(), 2);
  EXPECT_EQ(m.bootstrap.static_resources().clusters(1).name(), "a");
}

TEST_F(DynamicConfigTest, AnUnchangedResourceKeepsTheVersionItChangedIn) {
  Apply(Update<v1::Cluster>("1", {Cluster("a"), Cluster("b")}), t0_);
  v1::Cluster b2 = Cluster("b");
  b2.set_lb_policy(v1::Cluster::RANDOM);
  Apply(Update<v1::Cluster>("2", {Cluster("a"), b2}), t0_);
  EXPECT_EQ(Described("Cluster", "a").version_info(), "1");
  EXPECT_EQ(Described("Cluster", "b").version_info(), "2");
}

}  // namespace
}  // namespace tether::xds
