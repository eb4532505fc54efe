#include "src/admin/stats_text.h"

#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include <re2/re2.h>

#include "absl/strings/str_cat.h"
#include "src/admin/admin_json.h"
#include "src/common/text.h"
#include "tether/admin/v1/stats.pb.h"

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

v1::Stat HistogramStat(const HistogramSnapshot& s) {
  v1::Stat stat;
  stat.set_count(static_cast<double>(s.count));
  stat.set_sum_ms(std::round(s.sum_ms * 1000) / 1000);  // as the text form: at most 3 decimals
  for (size_t i = 0; i < kBounds.size(); ++i) {
    v1::Bucket& bucket = *stat.add_buckets();
    bucket.set_le(kBounds[i]);
    bucket.set_count(static_cast<double>(s.cumulative[i]));
  }
  return stat;
}

// Every stat that passes the filter, by flat name, as `number` makes a counter's
// or gauge's value and `histogram` a histogram's.
template <typename Out, typename Number, typename Histogram>
absl::StatusOr<std::map<std::string, Out>> Collect(const stats::Store& store, const std::string& filter,
                                                   Number number, Histogram histogram) {
  auto wanted = MakeFilter(filter);
  if (!wanted.ok()) return wanted.status();
  std::map<std::string, Out> out;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = number(c.Value());
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = number(g.Value());
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    if ((*wanted)(e.flat_name)) out[e.flat_name] = histogram(h.Read());
  });
  return out;
}

}  // namespace

std::string FormatMs(double ms) { return FormatDecimal(ms, 3); }

absl::StatusOr<std::string> StatsText(const stats::Store& store, const std::string& filter) {
  auto lines = Collect<std::string>(
      store, filter, [](auto value) { return absl::StrCat(value); }, HistogramText);
  if (!lines.ok()) return lines.status();
  std::string out;
  for (const auto& [name, value] : *lines) absl::StrAppend(&out, name, ": ", value, "\n");
  return out;
}

absl::StatusOr<std::string> StatsJson(const stats::Store& store, const std::string& filter) {
  auto stats = Collect<v1::Stat>(
      store, filter,
      [](auto value) {
        v1::Stat stat;
        stat.set_value(static_cast<double>(value));
        return stat;
      },
      HistogramStat);
  if (!stats.ok()) return stats.status();
  v1::Stats page;
  for (auto& [name, stat] : *stats) {
    stat.set_name(name);
    *page.add_stats() = std::move(stat);
  }
  return AdminJson(page);
}

}  // namespace tether::admin
