#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "src/common/stats.h"

namespace tether::stats {

// Owns every stat for the life of the process. Lookups take a lock and happen
// when a snapshot is installed, never per request; the returned references
// stay valid forever, so a stat survives config updates that keep its name.
class Store {
 public:
  // `workers`: how many worker threads record histograms (each gets a slot of
  // its own in every histogram; stats::BindWorkerThread). 0: tools and tests.
  explicit Store(size_t workers = 0) : workers_(workers) {}

  Counter& CounterFor(const std::string& family, const Tags& tags = {});
  Gauge& GaugeFor(const std::string& family, const Tags& tags = {});
  Histogram& HistogramFor(const std::string& family, const Tags& tags = {});

  // "cluster.upstream_rq_total" + {cluster_name: web} -> "cluster.web.upstream_rq_total".
  static std::string FlatName(const std::string& family, const Tags& tags);

  struct Entry {
    std::string family;
    Tags tags;
    std::string flat_name;
  };
  // Visits stats in flat-name order.
  void ForEachCounter(const std::function<void(const Entry&, const Counter&)>& fn) const;
  void ForEachGauge(const std::function<void(const Entry&, const Gauge&)>& fn) const;
  void ForEachHistogram(const std::function<void(const Entry&, const Histogram&)>& fn) const;

 private:
  template <typename T>
  struct Slot {
    Entry entry;
    std::unique_ptr<T> stat;
  };
  const size_t workers_;
  mutable std::mutex mu_;
  std::map<std::string, Slot<Counter>> counters_;
  std::map<std::string, Slot<Gauge>> gauges_;
  std::map<std::string, Slot<Histogram>> histograms_;
};

}  // namespace tether::stats
