#include "src/admin/prometheus.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/admin/stats_text.h"

namespace tether::admin {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// `{k="v",...}` from the tags, plus an already formatted `extra` pair (le).
std::string Labels(const stats::Tags& tags, const std::string& extra = {}) {
  if (tags.empty() && extra.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : tags) {
    if (out.size() > 1) out += ',';
    absl::StrAppend(&out, PrometheusLabelName(k), "=\"", EscapeLabel(v), "\"");
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + "}";
}

// Series are gathered per family first: the store visits counters, gauges and
// histograms separately, and the format wants each family in one block.
struct Family {
  std::string type;
  std::vector<std::string> lines;
};

class Families {
 public:
  // The family for `stat_family`; two families that sanitize to one name with
  // different types would make an invalid page, so the later one is renamed.
  std::pair<std::string, Family*> Get(const std::string& stat_family, const std::string& type) {
    std::string name = PrometheusName(stat_family);
    auto it = families_.find(name);
    if (it != families_.end() && it->second.type != type) name += "_" + type;
    Family& f = families_[name];
    f.type = type;
    return {name, &f};
  }

  std::string Render() const {
    std::string out;
    for (const auto& [name, family] : families_) {
      absl::StrAppend(&out, "# TYPE ", name, " ", family.type, "\n");
      for (const auto& line : family.lines) absl::StrAppend(&out, line, "\n");
    }
    return out;
  }

 private:
  std::map<std::string, Family> families_;
};

void AddHistogram(const std::string& name, const stats::Tags& tags, const stats::Histogram::Snapshot& s,
                  std::vector<std::string>& lines) {
  constexpr auto& kBounds = stats::Histogram::kBucketsMs;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    const std::string le = absl::StrCat("le=\"", FormatMs(kBounds[i]), "\"");
    lines.push_back(absl::StrCat(name, "_bucket", Labels(tags, le), " ", s.cumulative[i]));
  }
  lines.push_back(absl::StrCat(name, "_bucket", Labels(tags, "le=\"+Inf\""), " ", s.count));
  lines.push_back(absl::StrCat(name, "_sum", Labels(tags), " ", FormatMs(s.sum_ms)));
  lines.push_back(absl::StrCat(name, "_count", Labels(tags), " ", s.count));
}

}  // namespace

std::string PrometheusName(const std::string& family) {
  std::string out = "tether_";
  for (const char c : family) out += (IsAlnum(c) || c == '_' || c == ':') ? c : '_';
  return out;
}

std::string PrometheusLabelName(const std::string& tag) {
  std::string out = (tag.empty() || (tag[0] >= '0' && tag[0] <= '9')) ? "_" : "";
  for (const char c : tag) out += (IsAlnum(c) || c == '_') ? c : '_';
  return out;
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string PrometheusText(const stats::Store& store) {
  Families families;
  store.ForEachCounter([&](const stats::Store::Entry& e, const stats::Counter& c) {
    auto [name, f] = families.Get(e.family, "counter");
    f->lines.push_back(absl::StrCat(name, Labels(e.tags), " ", c.Value()));
  });
  store.ForEachGauge([&](const stats::Store::Entry& e, const stats::Gauge& g) {
    auto [name, f] = families.Get(e.family, "gauge");
    f->lines.push_back(absl::StrCat(name, Labels(e.tags), " ", g.Value()));
  });
  store.ForEachHistogram([&](const stats::Store::Entry& e, const stats::Histogram& h) {
    auto [name, f] = families.Get(e.family, "histogram");
    AddHistogram(name, e.tags, h.Read(), f->lines);
  });
  return families.Render();
}

}  // namespace tether::admin
