#include "src/tracing/span_queue.h"

#include <gtest/gtest.h>

namespace tether::tracing {
namespace {

std::string Body(SpanBatch b) {
  b.Close();
  std::string out = b.json;
  b.Reopen();
  return out;
}

TEST(SpanQueueTest, SpansAreJoinedIntoBatchesOfTheMaxSize) {
  SpanQueue q(2, 100);
  EXPECT_EQ(q.Add("{\"a\":1}"), SpanQueue::Added::kQueued);
  EXPECT_EQ(q.Add("{\"b\":2}"), SpanQueue::Added::kBatchFull);
  EXPECT_EQ(q.Add("{\"c\":3}"), SpanQueue::Added::kQueued);
  EXPECT_EQ(q.Add("{\"d\":4}"), SpanQueue::Added::kQueued);  // another full batch: the reporter is already told
  EXPECT_EQ(q.size(), 4u);
  EXPECT_TRUE(q.HasFullBatch());
  auto full = q.Take();
  ASSERT_TRUE(full);
  EXPECT_EQ(Body(std::move(*full)), "[{\"a\":1},{\"b\":2}]");
  EXPECT_TRUE(q.HasFullBatch());
  EXPECT_EQ(Body(std::move(*q.Take())), "[{\"c\":3},{\"d\":4}]");
  EXPECT_FALSE(q.HasFullBatch());
  EXPECT_EQ(q.Add("{\"e\":5}"), SpanQueue::Added::kQueued);
  auto open = q.Take();  // the flush timer takes what there is
  ASSERT_TRUE(open);
  EXPECT_EQ(Body(std::move(*open)), "[{\"e\":5}]");
  EXPECT_FALSE(q.Take());
  EXPECT_EQ(q.size(), 0u);
}

TEST(SpanQueueTest, OverflowIsDropped) {
  SpanQueue q(10, 2);
  EXPECT_EQ(q.Add("1"), SpanQueue::Added::kQueued);
  EXPECT_EQ(q.Add("2"), SpanQueue::Added::kQueued);
  EXPECT_EQ(q.Add("3"), SpanQueue::Added::kDropped);
  EXPECT_EQ(Body(*q.Take()), "[1,2]");
}

TEST(SpanQueueTest, AFailedBatchGoesBackInFrontKeepingTheNewestThatFit) {
  SpanQueue q(3, 4);
  for (const char* s : {"1", "22", "333"}) q.Add(s);
  auto failed = q.Take();
  ASSERT_TRUE(failed);
  q.Add("4");
  q.Add("5");
  EXPECT_EQ(q.PutBack(std::move(*failed)), 1u);  // room for two of three
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(Body(*q.Take()), "[22,333]");
  EXPECT_EQ(Body(*q.Take()), "[4,5]");
}

TEST(SpanQueueTest, RecycledBatchesStartEmpty) {
  SpanQueue q(1, 10);
  q.Add("1");
  auto b = q.Take();
  q.Recycle(std::move(*b));
  q.Add("2");
  auto next = q.Take();
  EXPECT_EQ(Body(*next), "[2]");
  EXPECT_EQ(next->size(), 1u);
}

}  // namespace
}  // namespace tether::tracing
