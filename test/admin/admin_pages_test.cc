#include "src/admin/admin_pages.h"

#include <gtest/gtest.h>

namespace tether::admin {
namespace {

std::shared_ptr<config::Snapshot> TwoHostSnapshot() {
  auto s = std::make_shared<config::Snapshot>();
  s->version = 3;
  auto c = std::make_shared<config::Cluster>();
  c->name = "web";
  c->hosts = {{"127.0.0.1", 8080, 2}, {"127.0.0.2", 8080, 1}};
  s->clusters["web"] = c;
  auto l = std::make_shared<config::Listener>();
  l->name = "outbound";
  l->address = "127.0.0.1";
  l->port = 15001;
  s->listeners.push_back(l);
  s->bootstrap.mutable_node()->set_id("n1");
  return s;
}

TEST(AdminPagesTest, StatsTextIsSortedAndFilterable) {
  stats::Store store;
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(5);
  store.GaugeFor("http.downstream_cx_active", {{"listener", "out"}}).Set(1);
  auto all = StatsText(store, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "cluster.web.upstream_rq_total: 5\nhttp.out.downstream_cx_active: 1\n");
  auto filtered = StatsText(store, "cx_");
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, "http.out.downstream_cx_active: 1\n");
  EXPECT_FALSE(StatsText(store, "(").ok());
}

TEST(AdminPagesTest, ClustersListHostsWithTheirStats) {
  stats::Store store;
  store.CounterFor("cluster.host.rq_total", {{"cluster_name", "web"}, {"host", "127.0.0.1:8080"}}).Inc(4);
  store.GaugeFor("cluster.host.cx_active", {{"cluster_name", "web"}, {"host", "127.0.0.1:8080"}}).Set(1);
  const std::string text = ClustersText(*TwoHostSnapshot(), store);
  EXPECT_NE(text.find("web::127.0.0.1:8080::weight::2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("web::127.0.0.1:8080::rq_total::4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("web::127.0.0.1:8080::cx_active::1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("web::127.0.0.2:8080::weight::1\n"), std::string::npos) << text;
}

TEST(AdminPagesTest, ListenersAndConfigDump) {
  auto s = TwoHostSnapshot();
  EXPECT_EQ(ListenersText(*s), "outbound::127.0.0.1:15001\n");
  const std::string dump = ConfigDumpJson(*s);
  EXPECT_NE(dump.find("\"version\": 3"), std::string::npos);
  EXPECT_NE(dump.find("\"id\": \"n1\""), std::string::npos) << dump;
}

}  // namespace
}  // namespace tether::admin
