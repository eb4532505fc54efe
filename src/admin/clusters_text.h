#pragma once

#include <string>

#include "src/common/stats_store.h"
#include "src/config/snapshot.h"

namespace tether::admin {

// /clusters, Envoy's text form. For every host of every cluster in the
// snapshot (clusters by name, hosts in config order):
//   web::127.0.0.1:8080::cx_total::3
// for cx_total, cx_active, cx_connect_fail, rq_total, rq_active, rq_error,
// rq_success, rq_timeout (tether.admin.v1.HostStats' fields, from the `cluster.host.*` stats tagged
// {cluster_name, host}; 0 when the host has not been used yet), then
//   web::127.0.0.1:8080::weight::1
// A cluster without hosts (DNS not resolved yet) gets `web::no_hosts`.
std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store);

// /clusters?format=json: tether.admin.v1.Clusters, {"clusters": [{"name",
// "hosts": [{"address", "port", "weight", "stats": {...}}]}]} with the same
// stats (printed by AdminJson).
std::string ClustersJson(const config::Snapshot& snapshot, const stats::Store& store);

}  // namespace tether::admin
