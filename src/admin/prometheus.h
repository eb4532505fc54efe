#pragma once

#include <string>

#include "src/common/stats_store.h"

namespace tether::admin {

// Prometheus text exposition (format 0.0.4) of every stat: one `# TYPE` line
// per family, then its series with the stat's tags as labels, e.g.
// tether_cluster_upstream_rq_total{cluster_name="web"} 3. Histograms give
// _bucket (le in ms, cumulative, +Inf last), _sum (ms) and _count.
std::string PrometheusText(const stats::Store& store);

// "cluster.upstream_rq_total" -> "tether_cluster_upstream_rq_total".
std::string PrometheusName(const std::string& family);

// Escapes a label value (\\, \", \n).
std::string EscapeLabel(const std::string& value);

}  // namespace tether::admin
