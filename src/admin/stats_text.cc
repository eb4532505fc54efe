#include "src/admin/stats_text.h"

#include <functional>
#include <map>
#include <memory>

#include <re2/re2.h>

#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::admin {
namespace {

using HistogramSnapshot = stats::Histogram::Snapshot;
constexpr auto& kBounds = stats::Histogram::kBucketsMs;

// Upper bound of the first bucket holding at least `q` of the samples.
double Quantile(const HistogramSnapshot& s, double q) {
  if (s.count == 0) return 0;
  const double want = q * static_cast<double>(s.count);
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (static_cast<double>(s.cumulative[i]) >= want) return kBounds[i];
  }
  return kBounds.back();  // beyond the last bound: report the last we know
}

// Every stat that passes the filter, as flat name -> formatted value.
using Lines = std::map<std::string, std::string>;

absl::StatusOr<std::function<bool(const std::string&)>> MakeFilter(const std::string& filter) {
  if (filter.empty()) return [](const std::string&) { return true; };
  auto re = std::make_shared<RE2>(filter, RE2::Quiet);
  if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat("invalid filter regex: ", re->error()));
  return [re](const std::string& name) { return RE2::PartialMatch(name, *re); };
}

std::string HistogramText(const HistogramSnapshot& s) {
  return absl::StrCat("count=", s.count, " sum=", FormatMs(s.sum_ms), "ms p50<=", FormatMs(Quantile(s, 0.5)),
                      "ms p99<=", FormatMs(Quantile(s, 0.99)), "ms");
}

std::string HistogramJson(const HistogramSnapshot& s) {
  std::string out = absl::StrCat("\"count\": ", s.count, ", \"sum_ms\": ", FormatMs(s.sum_ms), ", \"buckets\": [");
  for (size_t i = 0; i < kBounds.size(); ++i) {
    absl::StrAppend(&out, i ? ", " : "", "{\"le\": ", FormatMs(kBounds[i]), ", \"count\": ", s.cumulative[i], "}");
  }
  return out + "]";
}

absl::StatusOr<Lines> Collect(const stats::Store& store, const std::string& filter, bool json) {
  auto wanted = MakeFilter(filter);
  if (!wanted.ok()) return wanted.status();
  Lines out;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = absl::StrCat(json ? "\"value\": " : "", c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = absl::StrCat(json ? "\"value\": " : "", g.Value());
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = json ? HistogramJson(h.Read()) : HistogramText(h.Read());
  });
  return out;
}

}  // namespace

std::string FormatMs(double ms) { return FormatDecimal(ms, 3); }

absl::StatusOr<std::string> StatsText(const stats::Store& store, const std::string& filter) {
  auto lines = Collect(store, filter, /*json=*/false);
  if (!lines.ok()) return lines.status();
  std::string out;
  for (const auto& [name, value] : *lines) absl::StrAppend(&out, name, ": ", value, "\n");
  return out;
}

absl::StatusOr<std::string> StatsJson(const stats::Store& store, const std::string& filter) {
  auto lines = Collect(store, filter, /*json=*/true);
  if (!lines.ok()) return lines.status();
  std::string out = "{\"stats\": [";
  bool first = true;
  for (const auto& [name, fields] : *lines) {
    out += first ? "\n  {\"name\": " : ",\n  {\"name\": ";
    first = false;
    AppendJsonString(name, out);
    absl::StrAppend(&out, ", ", fields, "}");
  }
  return out + "\n]}\n";
}

}  // namespace tether::admin
