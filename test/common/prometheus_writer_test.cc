#include "src/common/prometheus_writer.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <vector>

#include "absl/strings/str_split.h"

// Issue 12: one Prometheus writer for the sidecar and the control plane.
namespace tether::stats {
namespace {

// The exposition grammar (format 0.0.4) for the lines the writer makes.
void ExpectGrammar(const std::string& text) {
  static const RE2 kHelp(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* (?:[^\\\n]|\\[\\n])*)");
  static const RE2 kType(R"(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram))");
  static const RE2 kSample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(\.[0-9]+)?|\+Inf|-Inf|NaN))");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::string l(line);
    EXPECT_TRUE(RE2::FullMatch(l, kHelp) || RE2::FullMatch(l, kType) || RE2::FullMatch(l, kSample)) << l;
  }
}

HistogramSnapshot Recorded(const std::vector<double>& bounds_ms, std::vector<std::chrono::microseconds> samples) {
  Histogram h(0, bounds_ms);
  for (const auto d : samples) h.Record(d);
  return h.Read();
}

TEST(PrometheusWriterTest, CountersGaugesAndHistogramsSortedByFamilyWithHelp) {
  PrometheusWriter w;
  w.AddCounter("b_total", {{"kind", "x"}}, 3);
  w.SetHelp("b_total", "Bees.");
  w.AddGauge("a_live", {}, -2);
  w.AddCounter("b_total", {{"kind", "y"}}, 4);
  w.AddHistogram("c_time", {{"cluster_name", "web"}},
                 Recorded({0.5, 1, 2.5}, {std::chrono::microseconds(700), std::chrono::milliseconds(20)}));
  const std::string b = "c_time_bucket{cluster_name=\"web\",le=";
  const std::string text = w.Render();
  EXPECT_EQ(text,
            "# TYPE a_live gauge\n"
            "a_live -2\n"
            "# HELP b_total Bees.\n"
            "# TYPE b_total counter\n"
            "b_total{kind=\"x\"} 3\n"
            "b_total{kind=\"y\"} 4\n"
            "# TYPE c_time histogram\n" +
                b + "\"0.5\"} 0\n" + b + "\"1\"} 1\n" + b + "\"2.5\"} 1\n" + b + "\"+Inf\"} 2\n" +
                "c_time_sum{cluster_name=\"web\"} 20.7\n"
                "c_time_count{cluster_name=\"web\"} 2\n");
  ExpectGrammar(text);
}

TEST(PrometheusWriterTest, SecondsHistogramsScaleBoundsAndSum) {
  PrometheusWriter w;
  w.AddHistogram("push_latency_seconds", {},
                 Recorded({1, 2.5, 5000}, {std::chrono::microseconds(2100), std::chrono::microseconds(12345)}),
                 PrometheusWriter::Unit::kSeconds);
  const std::string text = w.Render();
  EXPECT_EQ(text,
            "# TYPE push_latency_seconds histogram\n"
            "push_latency_seconds_bucket{le=\"0.001\"} 0\n"
            "push_latency_seconds_bucket{le=\"0.0025\"} 1\n"
            "push_latency_seconds_bucket{le=\"5\"} 2\n"
            "push_latency_seconds_bucket{le=\"+Inf\"} 2\n"
            "push_latency_seconds_sum 0.014445\n"
            "push_latency_seconds_count 2\n");
  ExpectGrammar(text);
}

TEST(PrometheusWriterTest, LabelValuesAndHelpAreEscaped) {
  PrometheusWriter w;
  w.AddCounter("rq_total", {{"cluster_name", "we\"b"}, {"host", "[::1]:80"}}, 1);
  w.AddHistogram("rq_time", {{"cluster_name", "a\\b\nc"}}, Recorded({1}, {}));
  w.SetHelp("rq_total", "back\\slash\nnew line");
  const std::string text = w.Render();
  EXPECT_NE(text.find("rq_total{cluster_name=\"we\\\"b\",host=\"[::1]:80\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rq_time_bucket{cluster_name=\"a\\\\b\\nc\",le=\"+Inf\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rq_time_count{cluster_name=\"a\\\\b\\nc\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP rq_total back\\\\slash\\nnew line\n"), std::string::npos) << text;
  ExpectGrammar(text);
}

TEST(PrometheusWriterTest, NamesAreSanitized) {
  EXPECT_EQ(PrometheusName("http.downstream_rq_total"), "tether_http_downstream_rq_total");
  EXPECT_EQ(PrometheusName("a-b/c:d"), "tether_a_b_c:d");
  EXPECT_EQ(PrometheusLabelName("cluster_name"), "cluster_name");
  EXPECT_EQ(PrometheusLabelName("1x:y"), "_1x_y");
  EXPECT_EQ(EscapeLabel("a\\\"\nb"), "a\\\\\\\"\\nb");
  PrometheusWriter w;
  w.AddCounter("weird-name.x y", {{"9tag", "v"}}, 2);
  w.AddGauge("9lives", {}, 1);
  const std::string text = w.Render();
  EXPECT_NE(text.find("weird_name_x_y{_9tag=\"v\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("_9lives 1\n"), std::string::npos) << text;
  ExpectGrammar(text);
}

TEST(PrometheusWriterTest, FamiliesThatCollideKeepDistinctNames) {
  PrometheusWriter w;
  w.SetHelp("a_b", "The counter.");  // a HELP alone does not fix the type
  w.AddCounter("a.b", {}, 1);
  w.AddGauge("a_b", {}, 1);
  const std::string text = w.Render();
  EXPECT_NE(text.find("# HELP a_b The counter.\n# TYPE a_b counter\na_b 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE a_b_gauge gauge\na_b_gauge 1\n"), std::string::npos) << text;
  ExpectGrammar(text);
}

TEST(PrometheusWriterTest, NothingAddedIsAnEmptyPage) {
  PrometheusWriter w;
  w.SetHelp("unused", "No series.");
  EXPECT_EQ(w.Render(), "");
}

}  // namespace
}  // namespace tether::stats
