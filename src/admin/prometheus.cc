#include "src/admin/prometheus.h"

namespace tether::admin {

std::string PrometheusText(const stats::Store& store) {
  stats::PrometheusWriter writer;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    writer.AddCounter(stats::PrometheusName(e.family), e.tags, c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    writer.AddGauge(stats::PrometheusName(e.family), e.tags, g.Value());
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    writer.AddHistogram(stats::PrometheusName(e.family), e.tags, h.Read());
  });
  return writer.Render();
}

}  // namespace tether::admin
