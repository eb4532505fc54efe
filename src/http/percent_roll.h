#pragma once

#include <random>

namespace tether::http {

// True for `percent` (0..100, to a ten-thousandth) of the calls: the filters' percentages
// (fault injection, filter_enabled / filter_enforced), drawn from the worker's generator.
inline bool PercentRoll(std::mt19937_64* rng, double percent) {
  if (percent >= 100) return true;
  if (percent <= 0 || rng == nullptr) return false;
  return static_cast<double>((*rng)() % 1000000) < percent * 10000;
}

}  // namespace tether::http
