#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/config/snapshot.h"
#include "src/upstream/load_balancer.h"
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

inline std::optional<size_t> PickFor(LoadBalancer& lb, const std::vector<config::Host>& hosts, uint64_t hash,
                                     std::span<const uint8_t> excluded = {}) {
  return lb.Pick(hosts, {}, {.hash = hash, .excluded = excluded});
}

// Two workers' balancers (other seeds), one given `hosts` reversed, send every key to the same host.
inline void ExpectWorkersAgree(LoadBalancer& worker1, LoadBalancer& worker2, const std::vector<config::Host>& hosts) {
  auto reversed = hosts;
  std::reverse(reversed.begin(), reversed.end());
  for (int k = 0; k < 2000; ++k) {
    const size_t a = *PickFor(worker1, hosts, KeyHash(k));
    const size_t b = *PickFor(worker2, reversed, KeyHash(k));
    ASSERT_EQ(hosts[a].Key(), reversed[b].Key()) << "key " << k;
  }
}

}  // namespace tether::upstream::testing
