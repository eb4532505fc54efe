#include "src/admin/prometheus.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <thread>

#include "absl/strings/str_split.h"

namespace tether::admin {
namespace {

// The exposition grammar (format 0.0.4) for the lines this page writes.
const RE2& TypeLine() {
  static const RE2 re(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))");
  return re;
}
const RE2& SampleLine() {
  static const RE2 re(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf|-Inf|NaN))");
  return re;
}

void ExpectGrammar(const std::string& text) {
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string l(line);
    EXPECT_TRUE(RE2::FullMatch(l, TypeLine()) || RE2::FullMatch(l, SampleLine())) << l;
  }
}

TEST(PrometheusTest, CounterGaugeAndHistogramExactly) {
  stats::Store store;
  store.CounterFor("http.downstream_rq_total", {{"listener", "outbound"}}).Inc(5);
  store.GaugeFor("cluster.upstream_cx_active", {{"cluster_name", "web"}}).Set(2);
  auto& h = store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "web"}});
  h.Record(std::chrono::microseconds(700));
  h.Record(std::chrono::milliseconds(20));
  const std::string b = "tether_cluster_upstream_rq_time_bucket{cluster_name=\"web\",le=";
  const std::string expected =
      "# TYPE tether_cluster_upstream_cx_active gauge\n"
      "tether_cluster_upstream_cx_active{cluster_name=\"web\"} 2\n"
      "# TYPE tether_cluster_upstream_rq_time histogram\n" +
      b + "\"0.5\"} 0\n" + b + "\"1\"} 1\n" + b + "\"5\"} 1\n" + b + "\"10\"} 1\n" + b + "\"25\"} 2\n" + b +
      "\"50\"} 2\n" + b + "\"100\"} 2\n" + b + "\"250\"} 2\n" + b + "\"500\"} 2\n" + b + "\"1000\"} 2\n" + b +
      "\"2500\"} 2\n" + b + "\"5000\"} 2\n" + b + "\"10000\"} 2\n" + b + "\"30000\"} 2\n" + b + "\"60000\"} 2\n" +
      b + "\"300000\"} 2\n" + b + "\"600000\"} 2\n" + b + "\"1800000\"} 2\n" + b + "\"3600000\"} 2\n" + b +
      "\"+Inf\"} 2\n"
      "tether_cluster_upstream_rq_time_sum{cluster_name=\"web\"} 20.7\n"
      "tether_cluster_upstream_rq_time_count{cluster_name=\"web\"} 2\n"
      "# TYPE tether_http_downstream_rq_total counter\n"
      "tether_http_downstream_rq_total{listener=\"outbound\"} 5\n";
  const std::string text = PrometheusText(store);
  EXPECT_EQ(text, expected);
  ExpectGrammar(text);
}

// Each worker records into its own slot; the page shows them merged.
TEST(PrometheusTest, HistogramSlotsOfEveryWorkerAreMerged) {
  stats::Store store(2);
  auto& h = store.HistogramFor("http.downstream_rq_time", {{"listener", "out"}});
  for (size_t worker = 0; worker < 2; ++worker) {
    std::thread([&h, worker] {
      stats::BindWorkerThread(worker);
      h.Record(std::chrono::milliseconds(worker == 0 ? 2 : 200));
    }).join();
  }
  h.Record(std::chrono::milliseconds(2));  // the admin thread: the shared slot
  const std::string text = PrometheusText(store);
  const std::string b = "tether_http_downstream_rq_time_bucket{listener=\"out\",le=";
  EXPECT_NE(text.find(b + "\"5\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find(b + "\"250\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tether_http_downstream_rq_time_sum{listener=\"out\"} 204\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tether_http_downstream_rq_time_count{listener=\"out\"} 3\n"), std::string::npos) << text;
}

TEST(PrometheusTest, SeriesOfOneFamilyAreConsecutiveUnderOneTypeLine) {
  stats::Store store;
  // Flat names interleave the two families ("cluster.api.a", "cluster.api.b",
  // "cluster.web.a"...), the page must not.
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(3);
  store.CounterFor("cluster.upstream_cx_total", {{"cluster_name", "web"}}).Inc(1);
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "api"}}).Inc(1);
  store.CounterFor("cluster.upstream_cx_total", {{"cluster_name", "api"}}).Inc(4);
  EXPECT_EQ(PrometheusText(store),
            "# TYPE tether_cluster_upstream_cx_total counter\n"
            "tether_cluster_upstream_cx_total{cluster_name=\"api\"} 4\n"
            "tether_cluster_upstream_cx_total{cluster_name=\"web\"} 1\n"
            "# TYPE tether_cluster_upstream_rq_total counter\n"
            "tether_cluster_upstream_rq_total{cluster_name=\"api\"} 1\n"
            "tether_cluster_upstream_rq_total{cluster_name=\"web\"} 3\n");
}

TEST(PrometheusTest, LabelValuesAreEscaped) {
  stats::Store store;
  store.CounterFor("cluster.host.rq_total", {{"cluster_name", "we\"b"}, {"host", "127.0.0.1:80"}}).Inc();
  store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "a\\b\nc"}});
  const std::string text = PrometheusText(store);
  EXPECT_NE(text.find("tether_cluster_host_rq_total{cluster_name=\"we\\\"b\",host=\"127.0.0.1:80\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tether_cluster_upstream_rq_time_count{cluster_name=\"a\\\\b\\nc\"} 0\n"), std::string::npos)
      << text;
  ExpectGrammar(text);
}

// The name rules themselves: test/common/prometheus_writer_test.cc.
TEST(PrometheusTest, NamesAreSanitized) {
  stats::Store store;
  store.GaugeFor("server.live").Set(1);
  store.CounterFor("weird-name.x y", {{"9tag", "v"}}).Inc(2);
  const std::string text = PrometheusText(store);
  EXPECT_NE(text.find("tether_server_live 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tether_weird_name_x_y{_9tag=\"v\"} 2\n"), std::string::npos) << text;
  ExpectGrammar(text);
}

TEST(PrometheusTest, FamiliesThatCollideAfterSanitizingKeepDistinctNames) {
  stats::Store store;
  store.CounterFor("a.b").Inc();
  store.GaugeFor("a_b").Set(1);
  const std::string text = PrometheusText(store);
  EXPECT_NE(text.find("# TYPE tether_a_b counter\ntether_a_b 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE tether_a_b_gauge gauge\ntether_a_b_gauge 1\n"), std::string::npos) << text;
  ExpectGrammar(text);
}

}  // namespace
}  // namespace tether::admin
