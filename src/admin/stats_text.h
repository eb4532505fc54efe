#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "src/common/stats_store.h"

namespace tether::admin {

// /stats, Envoy's text form: one `flat.name: value` line per counter, gauge and
// histogram, sorted by flat name. A histogram reads
// `flat.name: count=N sum=Xms p50<=Yms p99<=Zms`, the quantiles being the upper
// bound of the bucket that holds them (we keep buckets, not samples).
// `filter` is an RE2 searched anywhere in the flat name; empty = everything.
// An invalid regex is InvalidArgument.
absl::StatusOr<std::string> StatsText(const stats::Store& store, const std::string& filter);

// /stats?format=json: tether.admin.v1.Stats, {"stats": [{"name": ..., "value": N}, ...]} with the same
// order and filter; histograms as {"name", "count", "sum_ms", "buckets": [...]}.
absl::StatusOr<std::string> StatsJson(const stats::Store& store, const std::string& filter);

// Milliseconds as short text: "0.5", "20.7", "1800000" (at most 3 decimals,
// never an exponent), shared with the Prometheus page.
std::string FormatMs(double ms);

}  // namespace tether::admin
