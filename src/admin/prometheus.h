#pragma once

#include <string>

#include "src/common/prometheus_writer.h"
#include "src/common/stats_store.h"

namespace tether::admin {

// /stats/prometheus: every stat of the store through the common writer
// (src/common/prometheus_writer.h), the stat's family as the metric name
// (PrometheusName) and its tags as labels; histograms in milliseconds.
std::string PrometheusText(const stats::Store& store);

}  // namespace tether::admin
