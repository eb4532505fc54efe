#include "src/upstream/ring_hash_lb.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/upstream/xxhash64.h"

namespace tether::upstream {

RingHashLoadBalancer::RingHashLoadBalancer(uint64_t minimum_ring_size, uint64_t maximum_ring_size, uint64_t seed)
    : minimum_ring_size_(std::max<uint64_t>(minimum_ring_size, 1)),
      maximum_ring_size_(std::max(maximum_ring_size, minimum_ring_size_)),
      rng_(seed) {}

// Envoy's RingHashLoadBalancer::Ring: the smallest host gets ceil(its share * minimum) points and
// the others as many per unit of weight, capped at the maximum ring size.
void RingHashLoadBalancer::Build(const std::vector<config::Host>& hosts) {
  ring_.clear();
  if (hosts.empty()) return;
  double total = 0;
  for (const config::Host& h : hosts) total += std::max<uint32_t>(h.weight, 1);
  double min_share = 1;
  for (const config::Host& h : hosts) min_share = std::min(min_share, std::max<uint32_t>(h.weight, 1) / total);
  const double scale = std::min(std::ceil(min_share * static_cast<double>(minimum_ring_size_)) / min_share,
                                static_cast<double>(maximum_ring_size_));
  ring_.reserve(static_cast<size_t>(std::ceil(scale)) + hosts.size());
  // Hosts in address order: the points each gets then do not depend on the list's order (an EDS
  // or DNS answer's), so two sidecars listing the same endpoints differently still agree.
  std::vector<size_t> order(hosts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return hosts[a].Key() < hosts[b].Key(); });
  double current = 0;
  double target = 0;
  for (const size_t i : order) {
    const std::string prefix = absl::StrCat(hosts[i].Key(), "_");
    target += scale * (std::max<uint32_t>(hosts[i].weight, 1) / total);
    for (uint64_t n = 0; current < target; ++n, ++current) {
      ring_.push_back({XxHash64(absl::StrCat(prefix, n)), static_cast<uint32_t>(i)});
    }
  }
  // Equal hashes (vanishingly rare) are ordered by host key, not by list order, likewise.
  std::sort(ring_.begin(), ring_.end(), [&](const Point& a, const Point& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    return hosts[a.host].Key() < hosts[b.host].Key();
  });
}

std::optional<size_t> RingHashLoadBalancer::Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>,
                                                 const LbContext& context) {
  if (built_from_.Changed(hosts)) Build(hosts);
  if (ring_.empty()) return std::nullopt;
  const auto excluded = [&](size_t i) { return i < context.excluded.size() && context.excluded[i] != 0; };
  // All excluded: say so at once rather than walk the whole ring.
  size_t available = 0;
  for (size_t i = 0; i < hosts.size(); ++i) available += excluded(i) ? 0 : 1;
  if (available == 0) return std::nullopt;
  const uint64_t hash = context.hash ? *context.hash : rng_();
  const auto first = std::lower_bound(ring_.begin(), ring_.end(), hash,
                                      [](const Point& p, uint64_t h) { return p.hash < h; });
  size_t at = first == ring_.end() ? 0 : static_cast<size_t>(first - ring_.begin());
  for (size_t steps = 0; steps < ring_.size(); ++steps, at = (at + 1) % ring_.size()) {
    if (!excluded(ring_[at].host)) return ring_[at].host;
  }
  // Only hosts the ring has no point for are left (a maximum_ring_size below the host count).
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (!excluded(i)) return i;
  }
  return std::nullopt;
}

}  // namespace tether::upstream
