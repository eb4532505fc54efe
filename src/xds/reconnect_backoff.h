#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace tether::xds {

// When the ADS client tries the control plane again: full-jitter exponential
// backoff whose attempt count starts over after every stream that was
// established. Established means the control plane accepted the stream (its
// headers arrived, which tether-control sends at once, or a response did),
// not that it sent something: a restarted control plane that still has the
// sidecar's versions sends nothing, and that stream was as good as any.
// Pure state, no clock or I/O, so the schedule is unit-tested exactly.
class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds base, std::chrono::milliseconds max);

  // A stream ended (or never opened): established streams reset the count,
  // others add one.
  void OnStreamEnded(bool established);

  // Streams in a row that were not established: the exponent of the next delay.
  int attempt() const { return attempt_; }
  // The next delay's upper bound: min(max, base * 2^attempt).
  std::chrono::milliseconds Bound() const;
  // A uniform draw in [base/2, Bound()], so sidecars that lost the same
  // control plane do not all come back in the same instant.
  std::chrono::milliseconds NextDelay(std::mt19937_64& rng) const;

 private:
  const std::chrono::milliseconds base_;
  const std::chrono::milliseconds max_;
  int attempt_ = 0;
};

}  // namespace tether::xds
