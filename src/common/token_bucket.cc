#include "src/common/token_bucket.h"

#include <algorithm>

namespace tether {

TokenBucket::TokenBucket(uint32_t max_tokens, uint32_t tokens_per_fill, std::chrono::milliseconds fill_interval,
                         Clock::time_point start)
    : max_tokens_(max_tokens),
      tokens_per_fill_(tokens_per_fill),
      fill_interval_(std::max<Clock::duration>(fill_interval, std::chrono::milliseconds(1))),
      start_(start),
      tokens_(max_tokens) {}

void TokenBucket::Refill(Clock::time_point now) {
  if (now <= start_) return;
  const uint64_t due = static_cast<uint64_t>((now - start_) / fill_interval_);
  uint64_t done = fills_.load(std::memory_order_relaxed);
  // One thread claims the intervals passed since the last refill, then adds their tokens.
  while (done < due) {
    if (!fills_.compare_exchange_weak(done, due, std::memory_order_acq_rel, std::memory_order_relaxed)) continue;
    const uint64_t add = std::min<uint64_t>(due - done, max_tokens_) * tokens_per_fill_;
    uint64_t current = tokens_.load(std::memory_order_relaxed);
    while (!tokens_.compare_exchange_weak(current, std::min(max_tokens_, current + add), std::memory_order_acq_rel,
                                          std::memory_order_relaxed)) {
    }
    return;
  }
}

bool TokenBucket::TryTake(Clock::time_point now) {
  Refill(now);
  uint64_t current = tokens_.load(std::memory_order_relaxed);
  do {
    if (current == 0) return false;
  } while (!tokens_.compare_exchange_weak(current, current - 1, std::memory_order_acq_rel, std::memory_order_relaxed));
  return true;
}

}  // namespace tether
