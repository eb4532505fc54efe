#include "src/admin/clusters_text.h"

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_json.h"
#include "tether/admin/v1/clusters.pb.h"

namespace tether::admin {
namespace {

// Envoy's per-host stats, in the order both forms list them: the fields of
// tether.admin.v1.HostStats, so the text and the JSON name the same set.
const google::protobuf::Descriptor& HostStatFields() { return *v1::HostStats::descriptor(); }
constexpr std::string_view kHostFamily = "cluster.host.";

// (cluster, host) -> stat -> value.
using HostKey = std::pair<std::string, std::string>;
using HostValues = std::map<HostKey, std::map<std::string, int64_t, std::less<>>>;

std::string TagValue(const stats::Tags& tags, std::string_view key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return {};
}

HostValues CollectHostStats(const stats::Store& store) {
  HostValues values;
  auto record = [&](const stats::Store::Entry& e, int64_t value) {
    if (!std::string_view(e.family).starts_with(kHostFamily)) return;
    const HostKey key{TagValue(e.tags, "cluster_name"), TagValue(e.tags, "host")};
    values[key][e.family.substr(kHostFamily.size())] = value;
  };
  store.ForEachCounter(
      [&](const stats::Store::Entry& e, const stats::Counter& c) { record(e, static_cast<int64_t>(c.Value())); });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) { record(e, g.Value()); });
  return values;
}

int64_t ValueOf(const HostValues& values, const HostKey& key, std::string_view stat) {
  auto host = values.find(key);
  if (host == values.end()) return 0;
  auto it = host->second.find(stat);
  return it == host->second.end() ? 0 : it->second;
}

using HealthMap = std::map<std::string, AdminContext::HostHealthFlags>;

HealthMap HealthOf(const HostHealthLookup& health, const std::string& cluster) {
  return health ? health(cluster) : HealthMap{};
}

AdminContext::HostHealthFlags FlagsOf(const HealthMap& health, const std::string& host) {
  auto it = health.find(host);
  return it == health.end() ? AdminContext::HostHealthFlags{} : it->second;
}

v1::HostStatus HostStatus(const std::string& cluster, const config::Host& host, const HostValues& values,
                          const AdminContext::HostHealthFlags& flags) {
  const HostKey key{cluster, host.Key()};
  v1::HostStatus status;
  status.set_address(host.address);
  status.set_port(host.port);
  status.set_weight(host.weight);
  v1::HostStats& stats = *status.mutable_stats();
  const auto* reflection = stats.GetReflection();
  const auto& fields = HostStatFields();
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto* field = fields.field(i);
    reflection->SetDouble(&stats, field, static_cast<double>(ValueOf(values, key, field->name())));
  }
  v1::HostHealthStatus& health = *status.mutable_health_status();
  health.set_failed_active_health_check(flags.failed_active_hc);
  health.set_failed_outlier_check(flags.failed_outlier_check);
  health.set_failed_eds_health(flags.failed_eds_health);
  return status;
}

}  // namespace

std::string HealthFlagsText(const AdminContext::HostHealthFlags& flags) {
  std::string out;
  // Envoy's order (HostUtility::healthFlagsToString).
  if (flags.failed_active_hc) out += "/failed_active_hc";
  if (flags.failed_outlier_check) out += "/failed_outlier_check";
  if (flags.failed_eds_health) out += "/failed_eds_health";
  return out.empty() ? "healthy" : out;
}

std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store,
                         const HostHealthLookup& health) {
  const HostValues values = CollectHostStats(store);
  std::string out;
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (cluster->hosts.empty()) absl::StrAppend(&out, name, "::no_hosts\n");
    const HealthMap flags = HealthOf(health, name);
    for (const auto& host : cluster->hosts) {
      const HostKey key{name, host.Key()};
      const std::string at = absl::StrCat(name, "::", key.second, "::");
      const auto& fields = HostStatFields();
      for (int i = 0; i < fields.field_count(); ++i) {
        const std::string& stat = fields.field(i)->name();
        absl::StrAppend(&out, at, stat, "::", ValueOf(values, key, stat), "\n");
      }
      absl::StrAppend(&out, at, "health_flags::", HealthFlagsText(FlagsOf(flags, key.second)), "\n");
      absl::StrAppend(&out, at, "weight::", host.weight, "\n");
    }
  }
  return out;
}

std::string ClustersJson(const config::Snapshot& snapshot, const stats::Store& store,
                         const HostHealthLookup& health) {
  const HostValues values = CollectHostStats(store);
  v1::Clusters page;
  for (const auto& [name, cluster] : snapshot.clusters) {
    v1::ClusterStatus& status = *page.add_clusters();
    status.set_name(name);
    const HealthMap flags = HealthOf(health, name);
    for (const auto& host : cluster->hosts) {
      *status.add_hosts() = HostStatus(name, host, values, FlagsOf(flags, host.Key()));
    }
  }
  return AdminJson(page);
}

}  // namespace tether::admin
