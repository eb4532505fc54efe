#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "src/config/snapshot.h"
#include "src/upstream/host_set_memo.h"
#include "src/upstream/load_balancer.h"

namespace tether::upstream {

// Envoy's RING_HASH (Ketama): every host owns points on a 64-bit ring, as many as its share of
// the weight, at xxHash64("address:port_i"); a request goes to the first point at or after its
// hash. The ring depends only on the hosts (addresses, ports, weights), so every worker and every
// sidecar with the same endpoints sends a hash to the same host. A host leaving moves its keys and
// some others (the ring keeps about its size, so the others get more points each). Rebuilt on the
// first pick after the host list changes.
class RingHashLoadBalancer final : public LoadBalancer {
 public:
  RingHashLoadBalancer(uint64_t minimum_ring_size, uint64_t maximum_ring_size, uint64_t seed);

  // The host owning `context.hash` (a random point without one). An excluded host's points pass
  // to the next point of a host that is not excluded, so only its keys move.
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t> active,
                             const LbContext& context) override;

  // The ring's points, for tests (after a Pick).
  size_t ring_size() const { return ring_.size(); }

 private:
  struct Point {
    uint64_t hash = 0;
    uint32_t host = 0;  // index into the host list
  };
  void Build(const std::vector<config::Host>& hosts);

  uint64_t minimum_ring_size_;
  uint64_t maximum_ring_size_;
  std::mt19937_64 rng_;
  HostSetMemo built_from_;
  std::vector<Point> ring_;  // sorted by hash
};

}  // namespace tether::upstream
