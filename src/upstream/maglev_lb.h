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

// Envoy's MAGLEV (Google's Maglev paper, with Envoy's weights): a lookup table of a prime size
// that the hosts fill in turns, each along its own permutation of the slots (offset and skip from
// xxHash64 of "address:port"); a request takes slot hash % size. The table depends only on the
// hosts (addresses, ports, weights; not their order), so every worker and every sidecar with the
// same endpoints agree, and a host leaving moves little more than its own slots. Rebuilt on the
// first pick after the host list changes.
class MaglevLoadBalancer final : public LoadBalancer {
 public:
  MaglevLoadBalancer(uint64_t table_size, uint64_t seed);

  // The host of slot `context.hash` % size (a random slot without one). An excluded host's slot
  // passes to the next slot of a host that is not excluded: neighbouring slots belong to hosts
  // in no particular order, so its keys spread over the others, alike on every worker.
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t> active,
                             const LbContext& context) override;

  // The host index of every slot, for tests (after a Pick).
  const std::vector<uint32_t>& table() const { return table_; }

 private:
  void Build(const std::vector<config::Host>& hosts);

  uint64_t table_size_;
  std::mt19937_64 rng_;
  HostSetMemo built_from_;
  std::vector<uint32_t> table_;  // slot -> index into the host list; empty without hosts
};

}  // namespace tether::upstream
