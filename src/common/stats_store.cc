#include "src/common/stats_store.h"

namespace tether::stats {
namespace {

template <typename T, typename Map, typename... Args>
T& FindOrCreate(std::mutex& mu, Map& map, const std::string& family, const Tags& tags, Args... args) {
  std::string flat = Store::FlatName(family, tags);
  std::lock_guard lock(mu);
  auto it = map.find(flat);
  if (it == map.end()) {
    typename Map::mapped_type slot{{family, tags, flat}, std::make_unique<T>(args...)};
    it = map.emplace(flat, std::move(slot)).first;
  }
  return *it->second.stat;
}

template <typename T, typename Map>
void Visit(std::mutex& mu, const Map& map,
           const std::function<void(const Store::Entry&, const T&)>& fn) {
  std::lock_guard lock(mu);
  for (const auto& [name, slot] : map) fn(slot.entry, *slot.stat);
}

}  // namespace

std::string Store::FlatName(const std::string& family, const Tags& tags) {
  if (tags.empty()) return family;
  const size_t dot = family.find('.');
  std::string out = family.substr(0, dot);
  for (const auto& [key, value] : tags) out += "." + value;
  if (dot != std::string::npos) out += family.substr(dot);
  return out;
}

Counter& Store::CounterFor(const std::string& family, const Tags& tags) {
  return FindOrCreate<Counter>(mu_, counters_, family, tags);
}
Gauge& Store::GaugeFor(const std::string& family, const Tags& tags) {
  return FindOrCreate<Gauge>(mu_, gauges_, family, tags);
}
Histogram& Store::HistogramFor(const std::string& family, const Tags& tags) {
  return FindOrCreate<Histogram>(mu_, histograms_, family, tags, workers_);
}

void Store::ForEachCounter(const std::function<void(const Entry&, const Counter&)>& fn) const {
  Visit<Counter>(mu_, counters_, fn);
}
void Store::ForEachGauge(const std::function<void(const Entry&, const Gauge&)>& fn) const {
  Visit<Gauge>(mu_, gauges_, fn);
}
void Store::ForEachHistogram(const std::function<void(const Entry&, const Histogram&)>& fn) const {
  Visit<Histogram>(mu_, histograms_, fn);
}

}  // namespace tether::stats
