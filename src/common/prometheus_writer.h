#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "src/common/stats.h"

namespace tether::stats {

// Prometheus text exposition (format 0.0.4): the one writer behind the
// sidecar's /stats/prometheus and tether-control's /metrics. Series are added
// in any order; Render() prints each family once, sorted by name: an
// optional `# HELP`, one `# TYPE`, then its series in the order added:
//   # TYPE tether_cluster_upstream_rq_total counter
//   tether_cluster_upstream_rq_total{cluster_name="web"} 3
// A histogram gives _bucket (cumulative, `le="+Inf"` last), _sum and _count.
// Served as `text/plain; version=0.0.4; charset=utf-8`.
class PrometheusWriter {
 public:
  // How a histogram's `le` bounds and `_sum` are shown: tether's stats are in
  // milliseconds (as Envoy's), tether-control's `_seconds` families in seconds.
  enum class Unit { kMilliseconds, kSeconds };

  // `name` is made a valid metric name (PrometheusName without the prefix);
  // label names and values are sanitized and escaped.
  void AddCounter(const std::string& name, const Tags& labels, uint64_t value);
  void AddGauge(const std::string& name, const Tags& labels, int64_t value);
  void AddHistogram(const std::string& name, const Tags& labels, const HistogramSnapshot& snapshot,
                    Unit unit = Unit::kMilliseconds);
  // The family's `# HELP` line (none unless set).
  void SetHelp(const std::string& name, const std::string& help);

  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<std::string> lines;
  };
  // The family for `name`; two families that sanitize to one name with
  // different types would make an invalid page, so the later one is renamed.
  std::pair<std::string, Family*> Get(const std::string& name, Type type);
  static const char* TypeName(Type type);

  std::map<std::string, Family> families_;
};

// "cluster.upstream_rq_total" -> "tether_cluster_upstream_rq_total": anything
// outside [a-zA-Z0-9_:] becomes '_'.
std::string PrometheusName(const std::string& family);

// A label name: [a-zA-Z_][a-zA-Z0-9_]* (no ':'; a leading digit gets a '_').
std::string PrometheusLabelName(const std::string& tag);

// Escapes a label value (\\, \", \n).
std::string EscapeLabel(const std::string& value);

}  // namespace tether::stats
