#include "controlplane/tetherctl/output.h"

#include <algorithm>

#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controlplane/tetherctl/wait.h"
#include "src/common/text.h"
#include "src/xds/resource_types.h"

namespace tether::ctl {
namespace {

namespace pbutil = google::protobuf::util;
using google::protobuf::Value;

std::string Short(const std::string& version) { return version.empty() ? "-" : version.substr(0, 8); }

// A JSON number, true/false or null, as protobuf's JSON printer writes it.
void Scalar(const Value& v, std::string& out) {
  switch (v.kind_case()) {
    case Value::kNumberValue:
      out += MessageJson(v, false);
      break;
    case Value::kBoolValue:
      out += v.bool_value() ? "true" : "false";
      break;
    default:
      out += "null";
  }
}

// A Struct's keys in a stable order: kind, selector, spec first, then by name
// (protobuf's Struct is a hash map; output must not change between runs).
std::vector<std::string> OrderedKeys(const Value& v) {
  std::vector<std::string> keys;
  for (const auto& [k, unused] : v.struct_value().fields()) keys.push_back(k);
  std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    auto rank = [](const std::string& k) { return k == "kind" ? 0 : k == "selector" ? 1 : k == "spec" ? 2 : 3; };
    return std::make_pair(rank(a), a) < std::make_pair(rank(b), b);
  });
  return keys;
}

void Json(const Value& v, int indent, std::string& out) {
  const std::string pad(indent + 2, ' ');
  if (v.kind_case() == Value::kStructValue) {
    if (v.struct_value().fields().empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const std::string& k : OrderedKeys(v)) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      AppendJsonString(k, out);
      out += ": ";
      Json(v.struct_value().fields().at(k), indent + 2, out);
    }
    out += "\n" + std::string(indent, ' ') + "}";
  } else if (v.kind_case() == Value::kListValue) {
    if (v.list_value().values().empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const Value& item : v.list_value().values()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      Json(item, indent + 2, out);
    }
    out += "\n" + std::string(indent, ' ') + "]";
  } else if (v.kind_case() == Value::kStringValue) {
    AppendJsonString(v.string_value(), out);
  } else {
    Scalar(v, out);
  }
}

// A string a YAML reader would take for another type written plain ("8080",
// "true", "yes", "0x10", ".inf"): yaml-cpp's own conversions decide. The
// emitter itself quotes what YAML's syntax needs (": ", "#", "", "null").
bool ReadsAsNonString(const std::string& s) {
  const YAML::Node node(s);
  bool b = false;
  double d = 0;
  int64_t i = 0;
  return YAML::convert<bool>::decode(node, b) || YAML::convert<double>::decode(node, d) ||
         YAML::convert<int64_t>::decode(node, i);
}

void EmitString(YAML::Emitter& out, const std::string& s) {
  if (ReadsAsNonString(s)) out << YAML::DoubleQuoted;
  out << s;
}

// Block style, empty containers as {} and [], strings quoted only where a
// reader would see something else: the resource-file form, apply-able again.
void EmitYaml(YAML::Emitter& out, const Value& v) {
  switch (v.kind_case()) {
    case Value::kStructValue:
      if (v.struct_value().fields().empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const std::string& k : OrderedKeys(v)) {
        out << YAML::Key;
        EmitString(out, k);
        out << YAML::Value;
        EmitYaml(out, v.struct_value().fields().at(k));
      }
      out << YAML::EndMap;
      break;
    case Value::kListValue:
      if (v.list_value().values().empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const Value& item : v.list_value().values()) EmitYaml(out, item);
      out << YAML::EndSeq;
      break;
    case Value::kStringValue:
      EmitString(out, v.string_value());
      break;
    case Value::kNumberValue:
    case Value::kBoolValue: {
      std::string scalar;
      Scalar(v, scalar);
      out << scalar;  // plain: a reader takes it for the number or bool it is
      break;
    }
    default:
      out << YAML::Null;
  }
}

std::string SelectorText(const cpv1::NodeSelector& s) {
  std::vector<std::string> parts;
  if (!s.node_ids().empty()) parts.push_back("node_ids=" + absl::StrJoin(s.node_ids(), ","));
  if (!s.clusters().empty()) parts.push_back("clusters=" + absl::StrJoin(s.clusters(), ","));
  std::vector<std::string> labels;
  for (const auto& [k, v] : s.labels()) labels.push_back(k + "=" + v);
  std::sort(labels.begin(), labels.end());
  if (!labels.empty()) parts.push_back("labels=" + absl::StrJoin(labels, ","));
  return parts.empty() ? "*" : absl::StrJoin(parts, " ");
}

std::string Cell(const cpv1::TypeStatus& t) {
  if (t.sent_version().empty() && t.acked_version().empty() && t.sync() == cpv1::TypeStatus::STALE) {
    return "STALE (nothing sent)";
  }
  switch (t.sync()) {
    case cpv1::TypeStatus::SYNCED:
      return t.acked_version() == t.desired_version() ? absl::StrCat("SYNCED ", Short(t.acked_version()))
                                                      : absl::StrCat("STALE (acked ", Short(t.acked_version()),
                                                                     ", want ", Short(t.desired_version()), ")");
    case cpv1::TypeStatus::NACKED:
      return absl::StrCat("NACKED (sent ", Short(t.sent_version()), ", acked ", Short(t.acked_version()), ")");
    case cpv1::TypeStatus::WARMING:
    case cpv1::TypeStatus::WARMING_TIMED_OUT:
      return absl::StrCat(cpv1::TypeStatus::Sync_Name(t.sync()), " ", Short(t.acked_version()));
    default:
      return absl::StrCat("STALE (sent ", Short(t.sent_version()), ", acked ", Short(t.acked_version()), ")");
  }
}

}  // namespace

std::string MessageJson(const google::protobuf::Message& message, bool pretty) {
  pbutil::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string out;
  (void)pbutil::MessageToJsonString(message, &out, options);
  return out;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

absl::StatusOr<Value> ResourceDocument(const cpv1::ConfigResource& resource) {
  const xds::ResourceType* type = xds::FindResourceTypeByKind(resource.kind());
  if (type == nullptr) return absl::InvalidArgumentError("unknown kind " + resource.kind());
  std::unique_ptr<google::protobuf::Message> spec(type->prototype().New());
  if (!resource.spec().UnpackTo(spec.get())) return absl::InvalidArgumentError("spec does not parse");
  Value doc;
  auto& fields = *doc.mutable_struct_value()->mutable_fields();
  fields["kind"].set_string_value(resource.kind());
  const cpv1::NodeSelector& s = resource.selector();
  if (!s.node_ids().empty() || !s.clusters().empty() || !s.labels().empty()) {
    if (!pbutil::JsonStringToMessage(MessageJson(s, false), &fields["selector"]).ok()) {
      return absl::InternalError("selector");
    }
  }
  if (!pbutil::JsonStringToMessage(MessageJson(*spec, false), &fields["spec"]).ok()) {
    return absl::InternalError("spec");
  }
  return doc;
}

std::string RenderJson(const Value& value) {
  std::string out;
  Json(value, 0, out);
  return out;
}

std::string RenderYaml(const Value& value) {
  YAML::Emitter out;
  out.SetNullFormat(YAML::LowerNull);
  EmitYaml(out, value);
  return std::string(out.c_str()) + "\n";
}

std::string ResourcesTable(const cpv1::GetResponse& response) {
  std::vector<std::vector<std::string>> rows{{"KIND", "NAME", "SOURCE", "SELECTOR"}};
  std::string notes;
  for (const auto& r : response.resources()) {
    std::string source = r.source();
    if (!r.shadows().empty()) {
      absl::StrAppend(&source, " (over ", r.shadows(), r.file_differs() ? ", file differs)" : ")");
    }
    if (r.file_differs()) {
      absl::StrAppend(&notes, r.kind(), "/", r.name(), ": ", r.shadows(),
                      " differs from the applied override served instead (tetherctl revert ", r.kind(), " ",
                      r.name(), " serves the file)\n");
    }
    rows.push_back({r.kind(), r.name(), source, SelectorText(r.selector())});
  }
  return Table(rows) + notes;
}

absl::StatusOr<std::string> ResourcesText(const cpv1::GetResponse& response, const std::string& format) {
  Value list;
  std::string yaml;
  for (const auto& r : response.resources()) {
    auto doc = ResourceDocument(r);
    if (!doc.ok()) return doc.status();
    if (format == "yaml") {
      if (!yaml.empty()) yaml += "---\n";
      yaml += RenderYaml(*doc);
    }
    *list.mutable_list_value()->add_values() = std::move(*doc);
  }
  if (format == "yaml") return yaml;
  list.mutable_list_value();  // [] when there is nothing
  return RenderJson(list);
}

// The config directory's refused files, after the table.
std::string ConfigDirErrors(const cpv1::StatusResponse& status) {
  std::string out;
  for (const auto& e : status.config_dir_errors()) absl::StrAppend(&out, "config dir: refused ", e, "\n");
  return out;
}

std::string StatusTable(const cpv1::StatusResponse& status) {
  if (status.proxies().empty()) return "no sidecars connected\n" + ConfigDirErrors(status);
  std::vector<std::vector<std::string>> rows{{"NODE", "CLUSTER"}};
  for (const xds::ResourceType* t : xds::AllResourceTypes()) rows[0].push_back(std::string(t->kind()));
  std::vector<std::string> nacks;
  for (const auto& p : status.proxies()) {
    std::vector<std::string> row{p.node().id(), p.node().cluster()};
    for (const auto& t : p.types()) {
      row.push_back(Cell(t));
      if (t.sync() == cpv1::TypeStatus::NACKED) {
        nacks.push_back(absl::StrCat("NACK ", p.node().id(), " ", t.kind(), " version ", t.sent_version(), ": ",
                                     t.nack_message()));
      }
      if (t.warming_size() > 0) nacks.push_back(absl::StrCat("WARMING ", p.node().id(), " ", WarmingText(t, false)));
    }
    rows.push_back(std::move(row));
  }
  std::string out = Table(rows);
  for (const auto& n : nacks) out += n + "\n";
  return out + ConfigDirErrors(status);
}

std::string StatusJson(const cpv1::StatusResponse& status) { return MessageJson(status, true); }

std::string ChangesText(const cpv1::ApplyResponse& response, bool dry_run) {
  std::string out;
  for (const auto& c : response.changes()) {
    absl::StrAppend(&out, c.kind(), "/", c.name(), " ", c.action(),
                    c.source().starts_with("file:") ? absl::StrCat(" (matches ", c.source(), ", no override)") : "",
                    dry_run ? " (dry run)" : "", "\n");
  }
  return out;
}

}  // namespace tether::ctl
