#include "src/upstream/load_balancer.h"

#include <algorithm>
#include <random>

namespace tether::upstream {
namespace {

// Smooth weighted round robin (nginx's): every pick adds each host's weight
// to its current score and takes the highest, which then pays back the total.
// Equal weights give a strict rotation.
class RoundRobin final : public LoadBalancer {
 public:
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>) override {
    if (hosts.empty()) return std::nullopt;
    if (current_.size() != hosts.size()) current_.assign(hosts.size(), 0);
    int64_t total = 0;
    size_t best = 0;
    for (size_t i = 0; i < hosts.size(); ++i) {
      const int64_t w = std::max<uint32_t>(hosts[i].weight, 1);
      current_[i] += w;
      total += w;
      if (current_[i] > current_[best]) best = i;
    }
    current_[best] -= total;
    return best;
  }

 private:
  std::vector<int64_t> current_;
};

size_t WeightedRandom(const std::vector<config::Host>& hosts, std::mt19937_64& rng) {
  uint64_t total = 0;
  for (const auto& h : hosts) total += std::max<uint32_t>(h.weight, 1);
  uint64_t point = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng);
  for (size_t i = 0; i < hosts.size(); ++i) {
    const uint64_t w = std::max<uint32_t>(hosts[i].weight, 1);
    if (point < w) return i;
    point -= w;
  }
  return hosts.size() - 1;
}

class Random final : public LoadBalancer {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>) override {
    if (hosts.empty()) return std::nullopt;
    return WeightedRandom(hosts, rng_);
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
  std::optional<size_t> Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t> active) override {
    if (hosts.empty()) return std::nullopt;
    if (hosts.size() == 1) return 0;
    const size_t a = WeightedRandom(hosts, rng_);
    size_t b = WeightedRandom(hosts, rng_);
    for (int tries = 0; b == a && tries < 8; ++tries) b = WeightedRandom(hosts, rng_);
    if (b == a) b = (a + 1) % hosts.size();
    auto load = [&](size_t i) {
      const double in_flight = i < active.size() ? active[i] : 0;
      return in_flight / std::max<uint32_t>(hosts[i].weight, 1);
    };
    return load(b) < load(a) ? b : a;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<LoadBalancer> MakeLoadBalancer(config::v1::Cluster::LbPolicy policy, uint64_t seed) {
  switch (policy) {
    case config::v1::Cluster::LEAST_REQUEST: return std::make_unique<LeastRequest>(seed);
    case config::v1::Cluster::RANDOM: return std::make_unique<Random>(seed);
    default: return std::make_unique<RoundRobin>();
  }
}

}  // namespace tether::upstream
