#include "src/upstream/load_balancer.h"

#include <algorithm>
#include <random>

#include "src/upstream/maglev_lb.h"
#include "src/upstream/ring_hash_lb.h"

namespace tether::upstream {
namespace {

bool Excluded(const LbContext& context, size_t i) { return i < context.excluded.size() && context.excluded[i] != 0; }

uint32_t WeightOf(const config::Host& host) { return std::max<uint32_t>(host.weight, 1); }

// Smooth weighted round robin (nginx's): every pick adds each host's weight
// to its current score and takes the highest, which then pays back the total.
// Equal weights give a strict rotation. Excluded hosts sit the round out.
class RoundRobin final : public LoadBalancer {
 public:
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>,
                             const LbContext& context) override {
    if (current_.size() != hosts.size()) current_.assign(hosts.size(), 0);
    int64_t total = 0;
    std::optional<size_t> best;
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (Excluded(context, i)) continue;
      const int64_t w = WeightOf(hosts[i]);
      current_[i] += w;
      total += w;
      if (!best || current_[i] > current_[*best]) best = i;
    }
    if (best) current_[*best] -= total;
    return best;
  }

 private:
  std::vector<int64_t> current_;
};

std::optional<size_t> WeightedRandom(const std::vector<config::Host>& hosts, const LbContext& context,
                                     std::mt19937_64& rng) {
  uint64_t total = 0;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (!Excluded(context, i)) total += WeightOf(hosts[i]);
  }
  if (total == 0) return std::nullopt;
  uint64_t point = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng);
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (Excluded(context, i)) continue;
    const uint64_t w = WeightOf(hosts[i]);
    if (point < w) return i;
    point -= w;
  }
  return std::nullopt;
}

class Random final : public LoadBalancer {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>,
                             const LbContext& context) override {
    return WeightedRandom(hosts, context, rng_);
  }

 private:
  std::mt19937_64 rng_;
};

// Power of two choices: two distinct hosts at random (by weight), the one with
// fewer requests in flight per unit of weight wins.
class LeastRequest final : public LoadBalancer {
 public:
  bool uses_active() const override { return true; }
  explicit LeastRequest(uint64_t seed) : rng_(seed) {}
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t> active,
                             const LbContext& context) override {
    const std::optional<size_t> a = WeightedRandom(hosts, context, rng_);
    if (!a) return std::nullopt;
    size_t b = *a;
    for (int tries = 0; b == *a && tries < 8; ++tries) b = WeightedRandom(hosts, context, rng_).value_or(*a);
    // Eight draws of the same host (a heavy one, or bad luck): the next host that may be picked is
    // the other candidate, so a busy host is never compared only with itself.
    for (size_t step = 1; b == *a && step < hosts.size(); ++step) {
      if (!Excluded(context, (*a + step) % hosts.size())) b = (*a + step) % hosts.size();
    }
    auto load = [&](size_t i) {
      const double in_flight = i < active.size() ? active[i] : 0;
      return in_flight / WeightOf(hosts[i]);
    };
    return load(b) < load(*a) ? b : *a;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<LoadBalancer> MakeLoadBalancer(config::v1::Cluster::LbPolicy policy, uint64_t seed,
                                               const config::HashLbConfig& hash_lb) {
  switch (policy) {
    case config::v1::Cluster::RING_HASH:
      return std::make_unique<RingHashLoadBalancer>(hash_lb.minimum_ring_size, hash_lb.maximum_ring_size, seed);
    case config::v1::Cluster::MAGLEV: return std::make_unique<MaglevLoadBalancer>(hash_lb.maglev_table_size, seed);
    case config::v1::Cluster::LEAST_REQUEST: return std::make_unique<LeastRequest>(seed);
    case config::v1::Cluster::RANDOM: return std::make_unique<Random>(seed);
    default: return std::make_unique<RoundRobin>();
  }
}

}  // namespace tether::upstream
