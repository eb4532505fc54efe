#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"

namespace tether::admin {

// The bodies of the admin pages, as pure functions of the stats and the
// snapshot so they are testable without sockets.

// /stats: `flat.name: value` per counter and gauge, and per histogram
// `flat.name: count=N sum=Xms p50<=Yms p99<=Zms` (bucket upper bounds);
// sorted; `filter` is an RE2 searched in the name (empty = all).
absl::StatusOr<std::string> StatsText(const stats::Store& store, const std::string& filter);

// /clusters: Envoy's text form, `cluster::host:port::stat::value` per host stat.
std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store);

// /listeners: `name::address:port` per listener.
std::string ListenersText(const config::Snapshot& snapshot);

// /config_dump: {"version": N, "bootstrap": {...}} with proto field names.
std::string ConfigDumpJson(const config::Snapshot& snapshot);

}  // namespace tether::admin
