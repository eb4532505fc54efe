#include "src/common/prometheus_writer.h"

#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::stats {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string SanitizeName(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) out += (IsAlnum(c) || c == '_' || c == ':') ? c : '_';
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

// `{k="v",...}` from the labels, plus an already formatted `extra` pair (le).
std::string Labels(const Tags& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    absl::StrAppend(&out, PrometheusLabelName(k), "=\"", EscapeLabel(v), "\"");
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + "}";
}

// HELP text escapes only '\' and newline (the format's rule for docstrings).
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const char* PrometheusWriter::TypeName(Type type) {
  switch (type) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "untyped";
}

std::pair<std::string, PrometheusWriter::Family*> PrometheusWriter::Get(const std::string& name, Type type) {
  std::string key = SanitizeName(name);
  auto it = families_.find(key);
  // (A family with no series yet only has its HELP: it takes the type.)
  if (it != families_.end() && !it->second.lines.empty() && it->second.type != type) {
    absl::StrAppend(&key, "_", TypeName(type));
  }
  Family& f = families_[key];
  f.type = type;
  return {key, &f};
}

void PrometheusWriter::AddCounter(const std::string& name, const Tags& labels, uint64_t value) {
  auto [key, f] = Get(name, Type::kCounter);
  f->lines.push_back(absl::StrCat(key, Labels(labels), " ", value));
}

void PrometheusWriter::AddGauge(const std::string& name, const Tags& labels, int64_t value) {
  auto [key, f] = Get(name, Type::kGauge);
  f->lines.push_back(absl::StrCat(key, Labels(labels), " ", value));
}

void PrometheusWriter::AddHistogram(const std::string& name, const Tags& labels, const HistogramSnapshot& s,
                                    Unit unit) {
  auto [key, f] = Get(name, Type::kHistogram);
  // Milliseconds with 3 decimals (microseconds), seconds with 6: the recorded precision.
  const double scale = unit == Unit::kSeconds ? 1e-3 : 1;
  const int decimals = unit == Unit::kSeconds ? 6 : 3;
  for (size_t i = 0; i < s.bounds_ms.size() && i < s.cumulative.size(); ++i) {
    const std::string le = absl::StrCat("le=\"", FormatDecimal(s.bounds_ms[i] * scale, decimals), "\"");
    f->lines.push_back(absl::StrCat(key, "_bucket", Labels(labels, le), " ", s.cumulative[i]));
  }
  f->lines.push_back(absl::StrCat(key, "_bucket", Labels(labels, "le=\"+Inf\""), " ", s.count));
  f->lines.push_back(absl::StrCat(key, "_sum", Labels(labels), " ", FormatDecimal(s.sum_ms * scale, decimals)));
  f->lines.push_back(absl::StrCat(key, "_count", Labels(labels), " ", s.count));
}

void PrometheusWriter::SetHelp(const std::string& name, const std::string& help) {
  families_[SanitizeName(name)].help = help;
}

std::string PrometheusWriter::Render() const {
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.lines.empty()) continue;  // a HELP for a family nothing was added to
    if (!family.help.empty()) absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(family.help), "\n");
    absl::StrAppend(&out, "# TYPE ", name, " ", TypeName(family.type), "\n");
    for (const auto& line : family.lines) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string PrometheusName(const std::string& family) { return SanitizeName("tether_" + family); }

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

}  // namespace tether::stats
