#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tether {

// A token bucket shared by every worker (the local rate limit's: one per sidecar, not per worker),
// lock-free. It starts full; every fill_interval since its start adds tokens_per_fill, up to
// max_tokens. Refills are applied lazily by whoever takes a token next, so no timer runs for it.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(uint32_t max_tokens, uint32_t tokens_per_fill, std::chrono::milliseconds fill_interval,
              Clock::time_point start = Clock::now());
  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes one token if there is one at `now`.
  bool TryTake(Clock::time_point now);
  uint64_t tokens() const { return tokens_.load(std::memory_order_relaxed); }

 private:
  void Refill(Clock::time_point now);

  const uint64_t max_tokens_;
  const uint64_t tokens_per_fill_;
  const Clock::duration fill_interval_;
  const Clock::time_point start_;
  std::atomic<uint64_t> fills_{0};  // fill intervals accounted for since start_
  std::atomic<uint64_t> tokens_;
};

}  // namespace tether
