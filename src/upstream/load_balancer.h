#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "src/config/snapshot.h"

namespace tether::upstream {

// What one pick knows beyond the hosts.
struct LbContext {
  // The request's hash (the route's hash_policy), for RING_HASH and MAGLEV; none: a random pick.
  std::optional<uint64_t> hash;
  // excluded[i]: hosts[i] is not to be picked (unhealthy, outside panic). Empty: none is.
  std::span<const uint8_t> excluded;
};

// Chooses a host of one cluster. One instance per cluster per worker, so it
// keeps its own state (round-robin cursor, RNG) without locks.
class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // `active[i]` is the number of requests in flight to hosts[i] on this worker.
  // Honours Host::weight. nullopt when `hosts` is empty or every host is excluded.
  virtual std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t> active,
                                     const LbContext& context) = 0;
  // Whether Pick reads `active` (counting it walks every pooled connection, per request).
  virtual bool uses_active() const { return false; }
};

// ROUND_ROBIN (smooth weighted), LEAST_REQUEST (power of two choices, weighted
// by active/weight), RANDOM (weighted), RING_HASH and MAGLEV (consistent hashing of
// LbContext::hash, sized by `hash_lb`; ring_hash_lb.h, maglev_lb.h).
std::unique_ptr<LoadBalancer> MakeLoadBalancer(config::v1::Cluster::LbPolicy policy, uint64_t seed,
                                               const config::HashLbConfig& hash_lb = {});

}  // namespace tether::upstream
