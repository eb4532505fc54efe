#include "src/xds/reconnect_backoff.h"

#include <algorithm>

namespace tether::xds {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds base, std::chrono::milliseconds max)
    : base_(std::max(base, std::chrono::milliseconds(1))), max_(std::max(max, base_)) {}

void ReconnectBackoff::OnStreamEnded(bool established) {
  // Capped well past where the bound stops growing, so it never overflows.
  attempt_ = established ? 0 : std::min(attempt_ + 1, 62);
}

std::chrono::milliseconds ReconnectBackoff::Bound() const {
  const int64_t base = base_.count();
  const int64_t cap = max_.count();
  // Doubling stops at the cap, so a long outage never overflows.
  int64_t bound = base;
  for (int i = 0; i < attempt_ && bound < cap; ++i) bound *= 2;
  return std::chrono::milliseconds(std::min(bound, cap));
}

std::chrono::milliseconds ReconnectBackoff::NextDelay(std::mt19937_64& rng) const {
  const int64_t low = base_.count() / 2;
  const int64_t high = std::max(low, Bound().count());
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(low, high)(rng));
}

}  // namespace tether::xds
