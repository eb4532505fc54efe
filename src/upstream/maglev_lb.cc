#include "src/upstream/maglev_lb.h"

#include <algorithm>
#include <limits>
#include <string>

#include "src/upstream/xxhash64.h"

namespace tether::upstream {
namespace {

constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

// One host while the table fills (Envoy's TableBuildEntry).
struct Filler {
  uint32_t host = 0;
  std::string key;
  uint64_t offset = 0;
  uint64_t skip = 0;
  double weight = 0;  // share of the total
  double target_weight = 0;
  uint64_t next = 0;  // how far along its permutation
};

}  // namespace

MaglevLoadBalancer::MaglevLoadBalancer(uint64_t table_size, uint64_t seed)
    : table_size_(std::max<uint64_t>(table_size, 2)), rng_(seed) {}

void MaglevLoadBalancer::Build(const std::vector<config::Host>& hosts) {
  table_.clear();
  if (hosts.empty()) return;
  double total = 0;
  for (const config::Host& h : hosts) total += std::max<uint32_t>(h.weight, 1);
  std::vector<Filler> fillers;
  fillers.reserve(hosts.size());
  double max_weight = 0;
  for (size_t i = 0; i < hosts.size(); ++i) {
    Filler f;
    f.host = static_cast<uint32_t>(i);
    f.key = hosts[i].Key();
    f.offset = XxHash64(f.key, 0) % table_size_;
    f.skip = XxHash64(f.key, 1) % (table_size_ - 1) + 1;
    f.weight = std::max<uint32_t>(hosts[i].weight, 1) / total;
    max_weight = std::max(max_weight, f.weight);
    fillers.push_back(std::move(f));
  }
  // The turns go in address order, so the list's order (an EDS or DNS answer's) changes nothing.
  std::stable_sort(fillers.begin(), fillers.end(), [](const Filler& a, const Filler& b) { return a.key < b.key; });
  table_.assign(table_size_, kEmpty);
  // A host of the largest weight takes a slot every round; one of a third of it, every third round.
  // The size is prime and skip in [1, size), so each permutation visits every slot: a turn always
  // finds an empty one.
  uint64_t filled = 0;
  for (uint64_t round = 1; filled < table_size_; ++round) {
    for (size_t i = 0; i < fillers.size() && filled < table_size_; ++i) {
      Filler& f = fillers[i];
      if (static_cast<double>(round) * f.weight < f.target_weight) continue;
      f.target_weight += max_weight;
      uint64_t slot = (f.offset + f.skip * f.next) % table_size_;
      while (table_[slot] != kEmpty) {
        ++f.next;
        slot = (f.offset + f.skip * f.next) % table_size_;
      }
      table_[slot] = f.host;
      ++f.next;
      ++filled;
    }
  }
}

std::optional<size_t> MaglevLoadBalancer::Pick(const std::vector<config::Host>& hosts, std::span<const uint32_t>,
                                               const LbContext& context) {
  if (built_from_.Changed(hosts)) Build(hosts);
  if (table_.empty()) return std::nullopt;
  const auto excluded = [&](size_t i) { return i < context.excluded.size() && context.excluded[i] != 0; };
  // All excluded: say so at once rather than walk the whole table.
  size_t available = 0;
  for (size_t i = 0; i < hosts.size(); ++i) available += excluded(i) ? 0 : 1;
  if (available == 0) return std::nullopt;
  const uint64_t hash = context.hash ? *context.hash : rng_();
  size_t slot = static_cast<size_t>(hash % table_.size());
  for (size_t steps = 0; steps < table_.size(); ++steps, slot = (slot + 1) % table_.size()) {
    if (!excluded(table_[slot])) return table_[slot];
  }
  // Only hosts without a slot are left (more hosts than slots).
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (!excluded(i)) return i;
  }
  return std::nullopt;
}

}  // namespace tether::upstream
