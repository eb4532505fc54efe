#pragma once

#include <functional>
#include <map>
#include <string>

#include "src/admin/admin_context.h"
#include "src/common/stats_store.h"
#include "src/config/snapshot.h"

namespace tether::admin {

// The health flags of a cluster's hosts by "ip:port" (AdminContext::HostHealth); empty: all healthy.
using HostHealthLookup = std::function<std::map<std::string, AdminContext::HostHealthFlags>(const std::string&)>;

// Envoy's text of a host's health flags: "healthy", or "/failed_active_hc/failed_outlier_check"...
std::string HealthFlagsText(const AdminContext::HostHealthFlags& flags);

// /clusters, Envoy's text form. For every host of every cluster in the
// snapshot (clusters by name, hosts in config order):
//   web::127.0.0.1:8080::cx_total::3
// for cx_total, cx_active, cx_connect_fail, rq_total, rq_active, rq_error,
// rq_success, rq_timeout (tether.admin.v1.HostStats' fields, from the `cluster.host.*` stats tagged
// {cluster_name, host}; 0 when the host has not been used yet), then
//   web::127.0.0.1:8080::health_flags::healthy
//   web::127.0.0.1:8080::weight::1
// (health_flags as Envoy's: HealthFlagsText). A cluster without hosts (DNS not resolved yet) gets `web::no_hosts`.
std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store,
                         const HostHealthLookup& health = {});

// /clusters?format=json: tether.admin.v1.Clusters, {"clusters": [{"name",
// "hosts": [{"address", "port", "weight", "stats": {...}, "health_status": {...}}]}]} with the
// same stats and flags (printed by AdminJson).
std::string ClustersJson(const config::Snapshot& snapshot, const stats::Store& store,
                         const HostHealthLookup& health = {});

}  // namespace tether::admin
