#include "src/admin/clusters_text.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "test/admin/fake_admin_context.h"
#include "tether/admin/v1/clusters.pb.h"

namespace tether::admin {
namespace {

using testing::TwoHostSnapshot;

stats::Tags HostTags(const std::string& host) { return {{"cluster_name", "web"}, {"host", host}}; }

TEST(ClustersTextTest, EveryHostListsItsStatsThenWeight) {
  stats::Store store;
  store.CounterFor("cluster.host.rq_total", HostTags("127.0.0.1:8080")).Inc(4);
  store.GaugeFor("cluster.host.cx_active", HostTags("127.0.0.1:8080")).Set(1);
  store.CounterFor("cluster.host.rq_total", {{"cluster_name", "other"}, {"host", "127.0.0.1:8080"}}).Inc(9);
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(7);  // not a host stat
  EXPECT_EQ(ClustersText(*TwoHostSnapshot(), store),
            "web::127.0.0.1:8080::cx_total::0\n"
            "web::127.0.0.1:8080::cx_active::1\n"
            "web::127.0.0.1:8080::cx_connect_fail::0\n"
            "web::127.0.0.1:8080::rq_total::4\n"
            "web::127.0.0.1:8080::rq_active::0\n"
            "web::127.0.0.1:8080::rq_error::0\n"
            "web::127.0.0.1:8080::rq_success::0\n"
            "web::127.0.0.1:8080::rq_timeout::0\n"
            "web::127.0.0.1:8080::health_flags::healthy\n"
            "web::127.0.0.1:8080::weight::2\n"
            "web::127.0.0.2:8080::cx_total::0\n"
            "web::127.0.0.2:8080::cx_active::0\n"
            "web::127.0.0.2:8080::cx_connect_fail::0\n"
            "web::127.0.0.2:8080::rq_total::0\n"
            "web::127.0.0.2:8080::rq_active::0\n"
            "web::127.0.0.2:8080::rq_error::0\n"
            "web::127.0.0.2:8080::rq_success::0\n"
            "web::127.0.0.2:8080::rq_timeout::0\n"
            "web::127.0.0.2:8080::health_flags::healthy\n"
            "web::127.0.0.2:8080::weight::1\n");
}

TEST(ClustersTextTest, HealthFlagsAsEnvoyShowsThem) {
  EXPECT_EQ(HealthFlagsText({}), "healthy");
  EXPECT_EQ(HealthFlagsText({.failed_active_hc = true}), "/failed_active_hc");
  EXPECT_EQ(HealthFlagsText({.failed_active_hc = true, .failed_outlier_check = true, .failed_eds_health = true}),
            "/failed_active_hc/failed_outlier_check/failed_eds_health");
  stats::Store store;
  const HostHealthLookup health = [](const std::string& cluster) {
    std::map<std::string, AdminContext::HostHealthFlags> flags;
    if (cluster == "web") flags["127.0.0.2:8080"] = {.failed_eds_health = true};
    return flags;
  };
  const std::string text = ClustersText(*TwoHostSnapshot(), store, health);
  EXPECT_NE(text.find("web::127.0.0.1:8080::health_flags::healthy\n"), std::string::npos) << text;
  EXPECT_NE(text.find("web::127.0.0.2:8080::health_flags::/failed_eds_health\n"), std::string::npos) << text;
  v1::Clusters page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ClustersJson(*TwoHostSnapshot(), store, health), &page).ok());
  EXPECT_FALSE(page.clusters(0).hosts(0).health_status().failed_eds_health());
  EXPECT_TRUE(page.clusters(0).hosts(1).health_status().failed_eds_health());
  EXPECT_FALSE(page.clusters(0).hosts(1).health_status().failed_active_health_check());
}

TEST(ClustersTextTest, ClusterWithoutHostsSaysSo) {
  auto snap = TwoHostSnapshot();
  auto dns = std::make_shared<config::Cluster>();
  dns->name = "api";
  snap->clusters["api"] = dns;
  stats::Store store;
  const std::string text = ClustersText(*snap, store);
  EXPECT_EQ(text.rfind("api::no_hosts\nweb::127.0.0.1:8080::cx_total::0\n", 0), 0u) << text;
}

TEST(ClustersTextTest, JsonCarriesTheSameNumbers) {
  stats::Store store;
  store.CounterFor("cluster.host.rq_success", HostTags("127.0.0.2:8080")).Inc(6);
  const std::string json = ClustersJson(*TwoHostSnapshot(), store);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& clusters = parsed.fields().at("clusters").list_value();
  ASSERT_EQ(clusters.values_size(), 1);
  const auto& web = clusters.values(0).struct_value().fields();
  EXPECT_EQ(web.at("name").string_value(), "web");
  const auto& hosts = web.at("hosts").list_value();
  ASSERT_EQ(hosts.values_size(), 2);
  const auto& second = hosts.values(1).struct_value().fields();
  EXPECT_EQ(second.at("address").string_value(), "127.0.0.2");
  EXPECT_EQ(second.at("port").number_value(), 8080);
  EXPECT_EQ(second.at("weight").number_value(), 1);
  EXPECT_EQ(second.at("stats").struct_value().fields().at("rq_success").number_value(), 6);
  EXPECT_EQ(second.at("stats").struct_value().fields().at("rq_total").number_value(), 0);
}

}  // namespace
}  // namespace tether::admin

namespace tether::admin {
namespace {

// The JSON form is tether.admin.v1.Clusters; a cluster without hosts keeps its name.
TEST(ClustersTextTest, JsonIsTheClustersMessage) {
  auto snap = testing::TwoHostSnapshot();
  auto dns = std::make_shared<config::Cluster>();
  dns->name = "api";
  snap->clusters["api"] = dns;
  stats::Store store;
  store.GaugeFor("cluster.host.cx_active", {{"cluster_name", "web"}, {"host", "127.0.0.1:8080"}}).Set(2);
  const std::string json = ClustersJson(*snap, store);
  v1::Clusters page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &page).ok()) << json;
  ASSERT_EQ(page.clusters_size(), 2);
  EXPECT_EQ(page.clusters(0).name(), "api");
  EXPECT_EQ(page.clusters(0).hosts_size(), 0);
  const auto& first = page.clusters(1).hosts(0);
  EXPECT_EQ(first.address(), "127.0.0.1");
  EXPECT_EQ(first.port(), 8080u);
  EXPECT_EQ(first.weight(), 2u);
  EXPECT_EQ(first.stats().cx_active(), 2);
  EXPECT_TRUE(first.stats().has_rq_timeout());  // every stat is there, 0 until used
  EXPECT_EQ(first.stats().rq_timeout(), 0);
}

}  // namespace
}  // namespace tether::admin
