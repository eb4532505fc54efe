#include "src/common/stats.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "src/common/stats_store.h"

// Issue 12: histograms are per worker (a slot each) and merged on read.
namespace tether::stats {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Runs `fn` on a new thread bound to worker `index` (or unbound: -1).
template <typename Fn>
void OnThread(int index, Fn fn) {
  std::thread t([&] {
    if (index >= 0) BindWorkerThread(static_cast<size_t>(index));
    fn();
  });
  t.join();
}

TEST(HistogramTest, BucketsAreUpperBoundsInclusive) {
  Histogram h;
  h.Record(microseconds(500));   // == 0.5 ms: the 0.5 bucket
  h.Record(microseconds(501));   // the 1 ms bucket
  h.Record(milliseconds(5000));  // == 5000 ms
  h.Record(std::chrono::hours(2));  // beyond every bound: +Inf only
  h.Record(microseconds(-3));    // a clock step backwards counts as 0
  const HistogramSnapshot s = h.Read();
  ASSERT_EQ(s.bounds_ms.size(), Histogram::kBucketsMs.size());
  ASSERT_EQ(s.cumulative.size(), Histogram::kBucketsMs.size());
  EXPECT_EQ(s.cumulative[0], 2u);   // le 0.5: 500us and 0
  EXPECT_EQ(s.cumulative[1], 3u);   // le 1
  EXPECT_EQ(s.cumulative[10], 3u);  // le 2500
  EXPECT_EQ(s.cumulative[11], 4u);  // le 5000
  EXPECT_EQ(s.cumulative.back(), 4u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum_ms, 0.5 + 0.501 + 5000 + 7200000);
}

TEST(HistogramTest, SamplesOfEveryWorkerAndOtherThreadsAreMergedOnRead) {
  Histogram h(3);
  OnThread(0, [&] { h.Record(microseconds(700)); });   // worker 0: le 1
  OnThread(1, [&] { h.Record(milliseconds(20)); });    // worker 1: le 25
  OnThread(2, [&] { h.Record(milliseconds(20)); });    // worker 2
  OnThread(-1, [&] { h.Record(milliseconds(400)); });  // not a worker: slot 0
  OnThread(7, [&] { h.Record(milliseconds(3)); });     // a worker it has no slot for: slot 0 too
  const HistogramSnapshot s = h.Read();
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.cumulative[1], 1u);  // le 1
  EXPECT_EQ(s.cumulative[2], 2u);  // le 5
  EXPECT_EQ(s.cumulative[4], 4u);  // le 25
  EXPECT_EQ(s.cumulative[8], 5u);  // le 500
  EXPECT_DOUBLE_EQ(s.sum_ms, 0.7 + 20 + 20 + 400 + 3);
}

TEST(HistogramTest, OwnBucketsAreCopiedAndUsed) {
  const std::vector<double> bounds = {1, 2.5, 5};
  Histogram h(0, bounds);
  h.Record(microseconds(2500));
  h.Record(milliseconds(6));
  const HistogramSnapshot s = h.Read();
  EXPECT_EQ(s.bounds_ms, bounds);
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{0, 1, 1}));
  EXPECT_EQ(s.count, 2u);
  EXPECT_DOUBLE_EQ(s.sum_ms, 8.5);
}

// Writers on several worker slots (two threads even share one, and one
// thread is no worker) while a reader merges: every snapshot is consistent
// and the last is exact. Run under TSan by `make unit SANITIZE=thread`.
TEST(HistogramTest, ConcurrentWritersAndAReader) {
  Histogram h(2);
  constexpr int kPerThread = 20000;
  constexpr std::array<int, 4> kBindings = {0, 1, 1, -1};
  std::atomic<int> running{0};
  std::vector<std::thread> writers;
  for (const int binding : kBindings) {
    writers.emplace_back([&, binding] {
      if (binding >= 0) BindWorkerThread(static_cast<size_t>(binding));
      for (int i = 0; i < kPerThread; ++i) h.Record(microseconds(i % 2 == 0 ? 300 : 3000));
      running.fetch_add(1);
    });
  }
  uint64_t last_count = 0;
  int reads = 0;
  while (running.load() < static_cast<int>(kBindings.size()) || reads == 0) {
    const HistogramSnapshot s = h.Read();
    bool consistent = s.cumulative.back() <= s.count && s.count >= last_count;  // samples never disappear
    for (size_t i = 1; i < s.cumulative.size(); ++i) consistent = consistent && s.cumulative[i - 1] <= s.cumulative[i];
    if (!consistent) {
      ADD_FAILURE() << "inconsistent snapshot after " << reads << " reads: count " << s.count;
      break;
    }
    last_count = s.count;
    ++reads;
  }
  for (auto& t : writers) t.join();
  const HistogramSnapshot s = h.Read();
  const uint64_t total = kBindings.size() * kPerThread;
  EXPECT_EQ(s.count, total);
  EXPECT_EQ(s.cumulative[0], total / 2);  // 300 us: le 0.5
  EXPECT_EQ(s.cumulative[2], total);      // 3 ms: le 5
  EXPECT_DOUBLE_EQ(s.sum_ms, (total / 2) * 0.3 + (total / 2) * 3.0);
}

TEST(StoreTest, HistogramsGetASlotPerWorkerOfTheStore) {
  Store store(2);
  Histogram& h = store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "web"}});
  EXPECT_EQ(&h, &store.HistogramFor("cluster.upstream_rq_time", {{"cluster_name", "web"}}));
  std::thread a([&] {
    BindWorkerThread(0);
    for (int i = 0; i < 1000; ++i) h.Record(milliseconds(2));
  });
  std::thread b([&] {
    BindWorkerThread(1);
    for (int i = 0; i < 1000; ++i) h.Record(milliseconds(30));
  });
  a.join();
  b.join();
  h.Record(milliseconds(2));  // this thread: slot 0
  int visited = 0;
  store.ForEachHistogram([&](const Store::Entry& e, const Histogram& seen) {
    ++visited;
    EXPECT_EQ(e.flat_name, "cluster.web.upstream_rq_time");
    const HistogramSnapshot s = seen.Read();
    EXPECT_EQ(s.count, 2001u);
    EXPECT_EQ(s.cumulative[2], 1001u);  // le 5
    EXPECT_EQ(s.cumulative[5], 2001u);  // le 50
  });
  EXPECT_EQ(visited, 1);
}

}  // namespace
}  // namespace tether::stats
