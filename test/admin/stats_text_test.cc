#include "src/admin/stats_text.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "tether/admin/v1/stats.pb.h"

namespace tether::admin {
namespace {

TEST(StatsTextTest, SortedByFlatNameAndFilterable) {
  stats::Store store;
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}}).Inc(5);
  store.GaugeFor("http.downstream_cx_active", {{"listener", "out"}}).Set(1);
  store.CounterFor("cluster.upstream_cx_total", {{"cluster_name", "web"}}).Inc(2);
  auto all = StatsText(store, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all,
            "cluster.web.upstream_cx_total: 2\n"
            "cluster.web.upstream_rq_total: 5\n"
            "http.out.downstream_cx_active: 1\n");
  auto filtered = StatsText(store, "cx_");
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, "cluster.web.upstream_cx_total: 2\nhttp.out.downstream_cx_active: 1\n");
  auto anchored = StatsText(store, "^http\\.");
  ASSERT_TRUE(anchored.ok());
  EXPECT_EQ(*anchored, "http.out.downstream_cx_active: 1\n");
}

TEST(StatsTextTest, InvalidFilterIsAnError) {
  stats::Store store;
  auto text = StatsText(store, "(");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(StatsJson(store, "[").ok());
}

TEST(StatsTextTest, HistogramsShowCountSumAndBucketQuantiles) {
  stats::Store store;
  auto& h = store.HistogramFor("http.downstream_rq_time", {{"listener", "out"}});
  for (int i = 0; i < 99; ++i) h.Record(std::chrono::microseconds(800));  // bucket le=1
  h.Record(std::chrono::milliseconds(40));                                 // bucket le=50
  store.HistogramFor("http.downstream_rq_time", {{"listener", "idle"}});
  auto text = StatsText(store, "");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "http.idle.downstream_rq_time: count=0 sum=0ms p50<=0ms p99<=0ms\n"
            "http.out.downstream_rq_time: count=100 sum=119.2ms p50<=1ms p99<=1ms\n");
  h.Record(std::chrono::milliseconds(40));  // now 2 of 101 above 1 ms: p99 moves
  EXPECT_EQ(*StatsText(store, "out"), "http.out.downstream_rq_time: count=101 sum=159.2ms p50<=1ms p99<=50ms\n");
}

TEST(StatsTextTest, JsonIsValidAndFiltered) {
  stats::Store store;
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "w\"eb"}}).Inc(5);
  store.GaugeFor("server.live").Set(-1);
  store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "web"}}).Record(std::chrono::milliseconds(2));
  auto json = StatsJson(store, "");
  ASSERT_TRUE(json.ok());
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &parsed).ok()) << *json;
  const auto& list = parsed.fields().at("stats").list_value();
  ASSERT_EQ(list.values_size(), 3);
  EXPECT_EQ(list.values(0).struct_value().fields().at("name").string_value(), "cluster.w\"eb.upstream_rq_total");
  EXPECT_EQ(list.values(0).struct_value().fields().at("value").number_value(), 5);
  EXPECT_EQ(list.values(1).struct_value().fields().at("count").number_value(), 1);
  EXPECT_EQ(list.values(1).struct_value().fields().at("sum_ms").number_value(), 2);
  EXPECT_EQ(list.values(2).struct_value().fields().at("value").number_value(), -1);
  auto only = StatsJson(store, "live");
  ASSERT_TRUE(only.ok());
  v1::Stats page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*only, &page).ok()) << *only;
  ASSERT_EQ(page.stats_size(), 1);
  EXPECT_EQ(page.stats(0).name(), "server.live");
  EXPECT_EQ(page.stats(0).value(), -1);
  EXPECT_FALSE(page.stats(0).has_count());  // a gauge: no histogram fields
  EXPECT_EQ(page.stats(0).buckets_size(), 0);
}

// The JSON form is tether.admin.v1.Stats: a histogram's count, sum and
// cumulative buckets, and a zero value printed as 0 rather than left out.
TEST(StatsTextTest, JsonIsTheStatsMessage) {
  stats::Store store;
  store.CounterFor("cluster.upstream_rq_total", {{"cluster_name", "web"}});
  auto& h = store.HistogramFor("http.downstream_rq_time", {{"listener", "out"}});
  h.Record(std::chrono::microseconds(800));
  h.Record(std::chrono::milliseconds(40));
  auto json = StatsJson(store, "");
  ASSERT_TRUE(json.ok());
  google::protobuf::Struct loose;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &loose).ok()) << *json;
  EXPECT_EQ(loose.fields().at("stats").list_value().values(0).struct_value().fields().at("value").number_value(), 0);
  v1::Stats page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &page).ok()) << *json;
  ASSERT_EQ(page.stats_size(), 2);
  EXPECT_EQ(page.stats(0).name(), "cluster.web.upstream_rq_total");
  EXPECT_TRUE(page.stats(0).has_value());
  const v1::Stat& rq_time = page.stats(1);
  EXPECT_EQ(rq_time.name(), "http.out.downstream_rq_time");
  EXPECT_FALSE(rq_time.has_value());
  EXPECT_EQ(rq_time.count(), 2);
  EXPECT_EQ(rq_time.sum_ms(), 40.8);
  ASSERT_EQ(rq_time.buckets_size(), static_cast<int>(stats::Histogram::kBucketsMs.size()));
  EXPECT_EQ(rq_time.buckets(1).le(), 1);
  EXPECT_EQ(rq_time.buckets(1).count(), 1);
  EXPECT_EQ(rq_time.buckets(5).le(), 50);
  EXPECT_EQ(rq_time.buckets(5).count(), 2);
}

TEST(StatsTextTest, FormatMsNeverUsesExponents) {
  EXPECT_EQ(FormatMs(0), "0");
  EXPECT_EQ(FormatMs(0.5), "0.5");
  EXPECT_EQ(FormatMs(20.7), "20.7");
  EXPECT_EQ(FormatMs(1800000), "1800000");
  EXPECT_EQ(FormatMs(123456.789), "123456.789");
}

}  // namespace
}  // namespace tether::admin
