#include "src/admin/admin_pages.h"

#include <map>

#include <google/protobuf/util/json_util.h>
#include <re2/re2.h>

#include "absl/strings/str_cat.h"

namespace tether::admin {
namespace {

// Smallest bucket bound holding at least `q` of the samples.
double Quantile(const stats::Histogram::Snapshot& s, double q) {
  if (s.count == 0) return 0;
  const double want = q * static_cast<double>(s.count);
  for (size_t i = 0; i < stats::Histogram::kBucketsMs.size(); ++i) {
    if (static_cast<double>(s.cumulative[i]) >= want) return stats::Histogram::kBucketsMs[i];
  }
  return stats::Histogram::kBucketsMs.back();
}

std::string TagValue(const stats::Tags& tags, const std::string& key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace

absl::StatusOr<std::string> StatsText(const stats::Store& store, const std::string& filter) {
  std::unique_ptr<RE2> re;
  if (!filter.empty()) {
    re = std::make_unique<RE2>(filter, RE2::Quiet);
    if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat("invalid filter regex: ", re->error()));
  }
  auto wanted = [&](const std::string& name) { return !re || RE2::PartialMatch(name, *re); };
  std::map<std::string, std::string> lines;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    if (wanted(e.flat_name)) lines[e.flat_name] = absl::StrCat(c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    if (wanted(e.flat_name)) lines[e.flat_name] = absl::StrCat(g.Value());
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    if (!wanted(e.flat_name)) return;
    const auto s = h.Read();
    lines[e.flat_name] = absl::StrCat("count=", s.count, " sum=", s.sum_ms, "ms p50<=", Quantile(s, 0.5),
                                      "ms p99<=", Quantile(s, 0.99), "ms");
  });
  std::string out;
  for (const auto& [name, value] : lines) absl::StrAppend(&out, name, ": ", value, "\n");
  return out;
}

std::string ClustersText(const config::Snapshot& snapshot, const stats::Store& store) {
  // (cluster, host) -> stat -> value, from the per-host families.
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> host_stats;
  const std::string prefix = "cluster.host.";
  auto record = [&](const stats::Store::Entry& e, const std::string& value) {
    if (e.family.rfind(prefix, 0) != 0) return;
    host_stats[{TagValue(e.tags, "cluster_name"), TagValue(e.tags, "host")}][e.family.substr(prefix.size())] = value;
  };
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) { record(e, absl::StrCat(c.Value())); });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) { record(e, absl::StrCat(g.Value())); });
  std::string out;
  for (const auto& [name, cluster] : snapshot.clusters) {
    if (cluster->hosts.empty()) absl::StrAppend(&out, name, "::no_hosts\n");
    for (const auto& host : cluster->hosts) {
      const std::string key = host.Key();
      const std::string at = absl::StrCat(name, "::", key, "::");
      absl::StrAppend(&out, at, "weight::", host.weight, "\n");
      auto it = host_stats.find({name, key});
      if (it == host_stats.end()) continue;
      for (const auto& [stat, value] : it->second) absl::StrAppend(&out, at, stat, "::", value, "\n");
    }
  }
  return out;
}

std::string ListenersText(const config::Snapshot& snapshot) {
  std::string out;
  for (const auto& l : snapshot.listeners) absl::StrAppend(&out, l->name, "::", l->address, ":", l->port, "\n");
  return out;
}

std::string ConfigDumpJson(const config::Snapshot& snapshot) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string bootstrap;
  if (!google::protobuf::util::MessageToJsonString(snapshot.bootstrap, &bootstrap, options).ok()) bootstrap = "{}";
  return absl::StrCat("{\n\"version\": ", snapshot.version, ",\n\"bootstrap\": ", bootstrap, "}\n");
}

}  // namespace tether::admin
