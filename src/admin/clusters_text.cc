#include "src/admin/clusters_text.h"

#include <array>
#include <cstdint>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::admin {
namespace {

// Envoy's per-host stats, in the order the page lists them.
constexpr std::array<const char*, 8> kHostStats = {"cx_total",  "cx_active",  "cx_connect_fail", "rq_total",
                                                        "rq_active", "rq_error", "rq_success",      "rq_timeout"};
constexpr std::string_view kHostFamily = "cluster.host.";

// (cluster, host) -> stat -> formatted value.
using HostKey = std::pair<std::string, std::string>;
using HostValues = std::map<HostKey, std::map<std::string, std::string>>;

std::string TagValue(const stats::Tags& tags, std::string_view key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return {};
}

HostValues CollectHostStats(const stats::Store& store) {
  HostValues values;
  auto record = [&](const stats::Store::Entry& e, std::string value) {
    if (!std::string_view(e.family).starts_with(kHostFamily)) return;
    const HostKey key{TagValue(e.tags, "cluster_name"), TagValue(e.tags, "host")};
    values[key][e.family.substr(kHostFamily.size())] = std::move(value);
  };
  store.ForEachCounter(
      [&](const stats::Store::Entry& e, const stats::Counter& c) { record(e, absl::StrCat(c.Value())); });
  store.ForEachGauge(
      [&](const stats::Store::Entry& e, const stats::Gauge& g) { record(e, absl::StrCat(g.Value())); });
  return values;
}

std::string ValueOf(const HostValues& values, const HostKey& key, std::string_view stat) {
  auto host = values.find(key);
  if (host == values.end()) return "0";
  auto it = host->second.find(std::string(stat));
  return it == host->second.end() ? "0" : it->second;
}

void AppendHostJson(const std::string& cluster, const config::Host& host, const HostValues& values,
                    std::string& out) {
  const HostKey key{cluster, host.Key()};
  out += "{\"address\": ";
  AppendJsonString(host.address, out);
  absl::StrAppend(&out, ", \"port\": ", host.port, ", \"weight\": ", host.weight, ", \"stats\": {");
  for (size_t i = 0; i < kHostStats.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", "\"", kHostStats[i], "\": ", ValueOf(values, key, kHostStats[i]));
  }
  out += "}}";
}

}  // namespace

std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store) {
  const HostValues values = CollectHostStats(store);
  std::string out;
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (cluster->hosts.empty()) absl::StrAppend(&out, name, "::no_hosts\n");
    for (const auto& host : cluster->hosts) {
      const HostKey key{name, host.Key()};
      const std::string at = absl::StrCat(name, "::", key.second, "::");
      for (const char* stat : kHostStats) {
        absl::StrAppend(&out, at, stat, "::", ValueOf(values, key, stat), "\n");
      }
      absl::StrAppend(&out, at, "weight::", host.weight, "\n");
    }
  }
  return out;
}

std::string ClustersJson(const config::Snapshot& snapshot, const stats::Store& store) {
  const HostValues values = CollectHostStats(store);
  std::string out = "{\"clusters\": [";
  bool first_cluster = true;
  for (const auto& [name, cluster] : snapshot.clusters) {
    out += first_cluster ? "\n  {\"name\": " : ",\n  {\"name\": ";
    first_cluster = false;
    AppendJsonString(name, out);
    out += ", \"hosts\": [";
    for (size_t i = 0; i < cluster->hosts.size(); ++i) {
      out += i ? ",\n    " : "\n    ";
      AppendHostJson(name, cluster->hosts[i], values, out);
    }
    out += cluster->hosts.empty() ? "]}" : "\n  ]}";
  }
  return out + "\n]}\n";
}

}  // namespace tether::admin
