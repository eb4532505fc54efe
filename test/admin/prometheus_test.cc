#include "src/admin/prometheus.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "absl/strings/str_split.h"

namespace tether::admin {
namespace {

TEST(PrometheusTest, CountersGaugesAndHistograms) {
  stats::Store store;
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(3);
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "api"}}).Inc(1);
  store.GaugeFor("cluster.upstream_cx_active", {{"cluster_name", "web"}}).Set(2);
  auto& h = store.HistogramFor("http.downstream_rq_time", {{"listener", "out"}});
  h.Record(std::chrono::microseconds(700));   // 0.7 ms
  h.Record(std::chrono::milliseconds(20));
  const std::string text = PrometheusText(store);
  EXPECT_NE(text.find("# TYPE tether_cluster_upstream_rq_total counter\n"
                      "tether_cluster_upstream_rq_total{cluster_name=\"api\"} 1\n"
                      "tether_cluster_upstream_rq_total{cluster_name=\"web\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE tether_cluster_upstream_cx_active gauge\n"
                      "tether_cluster_upstream_cx_active{cluster_name=\"web\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE tether_http_downstream_rq_time histogram\n"
                      "tether_http_downstream_rq_time_bucket{listener=\"out\",le=\"0.5\"} 0\n"
                      "tether_http_downstream_rq_time_bucket{listener=\"out\",le=\"1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tether_http_downstream_rq_time_bucket{listener=\"out\",le=\"25\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("tether_http_downstream_rq_time_bucket{listener=\"out\",le=\"+Inf\"} 2\n"
                      "tether_http_downstream_rq_time_sum{listener=\"out\"} 20.7\n"
                      "tether_http_downstream_rq_time_count{listener=\"out\"} 2\n"),
            std::string::npos)
      << text;
}

TEST(PrometheusTest, EveryLineFollowsTheExpositionGrammar) {
  stats::Store store;
  store.CounterFor("cluster.host.rq_total", {{"cluster_name", "we\"b"}, {"host", "127.0.0.1:80"}}).Inc();
  store.GaugeFor("server.live").Set(1);
  store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "a\\b\nc"}});
  const RE2 type_line(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))");
  const RE2 sample(R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9.e+]+)");
  const std::string text = PrometheusText(store);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string l(line);
    EXPECT_TRUE(RE2::FullMatch(l, type_line) || RE2::FullMatch(l, sample)) << l;
  }
  EXPECT_NE(text.find(R"(cluster_name="we\"b")"), std::string::npos);
  EXPECT_NE(text.find(R"(cluster_name="a\\b\nc")"), std::string::npos);
}

}  // namespace
}  // namespace tether::admin
