#include "src/common/token_bucket.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tether {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, StartsFullAndRefillsPerInterval) {
  const auto t0 = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  TokenBucket bucket(3, 2, milliseconds(100), t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(t0));
  EXPECT_FALSE(bucket.TryTake(t0));
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(99)));  // not a whole interval yet
  EXPECT_TRUE(bucket.TryTake(t0 + milliseconds(100)));   // two added
  EXPECT_TRUE(bucket.TryTake(t0 + milliseconds(100)));
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(150)));
  // A long pause fills it up to max_tokens, no further.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(t0 + milliseconds(10000)));
  EXPECT_FALSE(bucket.TryTake(t0 + milliseconds(10000)));
}

TEST(TokenBucketTest, WorkersShareOneBucket) {
  const auto t0 = TokenBucket::Clock::time_point() + std::chrono::hours(1);
  TokenBucket bucket(1000, 1, milliseconds(1000), t0);
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 400; ++i) taken += bucket.TryTake(t0) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), 1000);  // exactly max_tokens, whatever the interleaving
}

}  // namespace
}  // namespace tether
