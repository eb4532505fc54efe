#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "src/config/snapshot.h"
#include "src/upstream/xxhash64.h"

namespace tether::upstream::testing {

// `weights.size()` hosts 10.0.0.1:80, 10.0.0.2:80, ... with those weights.
inline std::vector<config::Host> WeightedHosts(const std::vector<uint32_t>& weights) {
  std::vector<config::Host> hosts;
  for (size_t i = 0; i < weights.size(); ++i) hosts.push_back({"10.0.0." + std::to_string(i + 1), 80, weights[i]});
  return hosts;
}

// The hash of the nth of many keys ("user-0", "user-1", ...), as a header policy makes it.
inline uint64_t KeyHash(int n) { return XxHash64("user-" + std::to_string(n)); }

}  // namespace tether::upstream::testing
