#include "src/admin/prometheus.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"

namespace tether::admin {
namespace {

// Metric and label names allow [a-zA-Z0-9_:] only.
std::string Sanitize(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
    out += ok ? c : '_';
  }
  return out;
}

std::string Labels(const stats::Tags& tags, const std::string& extra = {}) {
  if (tags.empty() && extra.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : tags) {
    if (!first) out += ',';
    first = false;
    absl::StrAppend(&out, Sanitize(k), "=\"", EscapeLabel(v), "\"");
  }
  if (!extra.empty()) {
    if (!first) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

std::string FormatDouble(double v) {
  std::string s = absl::StrCat(v);
  return s;
}

// Series grouped by family so each family's TYPE line comes once, first.
struct Family {
  std::string type;
  std::vector<std::string> lines;
};

}  // namespace

std::string PrometheusName(const std::string& family) { return "tether_" + Sanitize(family); }

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText(const stats::Store& store) {
  std::map<std::string, Family> families;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    Family& f = families[PrometheusName(e.family)];
    f.type = "counter";
    f.lines.push_back(absl::StrCat(PrometheusName(e.family), Labels(e.tags), " ", c.Value()));
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    Family& f = families[PrometheusName(e.family)];
    f.type = "gauge";
    f.lines.push_back(absl::StrCat(PrometheusName(e.family), Labels(e.tags), " ", g.Value()));
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    const std::string name = PrometheusName(e.family);
    Family& f = families[name];
    f.type = "histogram";
    const stats::Histogram::Snapshot s = h.Read();
    for (size_t i = 0; i < stats::Histogram::kBucketsMs.size(); ++i) {
      const std::string le = absl::StrCat("le=\"", FormatDouble(stats::Histogram::kBucketsMs[i]), "\"");
      f.lines.push_back(absl::StrCat(name, "_bucket", Labels(e.tags, le), " ", s.cumulative[i]));
    }
    f.lines.push_back(absl::StrCat(name, "_bucket", Labels(e.tags, "le=\"+Inf\""), " ", s.count));
    f.lines.push_back(absl::StrCat(name, "_sum", Labels(e.tags), " ", FormatDouble(s.sum_ms)));
    f.lines.push_back(absl::StrCat(name, "_count", Labels(e.tags), " ", s.count));
  });
  std::string out;
  for (const auto& [name, family] : families) {
    absl::StrAppend(&out, "# TYPE ", name, " ", family.type, "\n");
    for (const auto& line : family.lines) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace tether::admin
