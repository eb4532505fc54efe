#pragma once

#include <string>

#include "src/common/stats_store.h"

namespace tether::admin {

// Prometheus text exposition (format 0.0.4) of every stat. Families are sorted
// by metric name; each gets one `# TYPE` line and then all its series
// consecutively (in flat-name order), with the stat's tags as labels:
//   # TYPE tether_cluster_upstream_rq_total counter
//   tether_cluster_upstream_rq_total{cluster_name="web"} 3
// Histograms give _bucket (cumulative, `le` in ms, `le="+Inf"` last), _sum
// (ms) and _count. Served as `text/plain; version=0.0.4; charset=utf-8`.
std::string PrometheusText(const stats::Store& store);

// "cluster.upstream_rq_total" -> "tether_cluster_upstream_rq_total": anything
// outside [a-zA-Z0-9_:] becomes '_'.
std::string PrometheusName(const std::string& family);

// A label name: [a-zA-Z_][a-zA-Z0-9_]* (no ':'; a leading digit gets a '_').
std::string PrometheusLabelName(const std::string& tag);

// Escapes a label value (\\, \", \n).
std::string EscapeLabel(const std::string& value);

}  // namespace tether::admin
