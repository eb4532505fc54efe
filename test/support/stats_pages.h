#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "src/common/prometheus_writer.h"
#include "src/common/stats_store.h"

namespace tether::testing {

// What /stats prints for counters and gauges: flat name -> value.
inline std::map<std::string, int64_t> FlatStats(const stats::Store& store) {
  std::map<std::string, int64_t> out;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    out[e.flat_name] = static_cast<int64_t>(c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) { out[e.flat_name] = g.Value(); });
  return out;
}

// What /stats/prometheus prints for counters and gauges: the same writer and names as
// admin::PrometheusText, for rooms whose tests cannot link the admin room.
inline std::string PrometheusStats(const stats::Store& store) {
  stats::PrometheusWriter writer;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    writer.AddCounter(stats::PrometheusName(e.family), e.tags, c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    writer.AddGauge(stats::PrometheusName(e.family), e.tags, g.Value());
  });
  return writer.Render();
}

}  // namespace tether::testing
