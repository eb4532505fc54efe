#include "controlplane/server/resource_file.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/config/decoder.h"
#include "src/config/loader.h"
#include "src/config/yaml_documents.h"
#include "src/config/yaml_scalar.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

using config::ErrorAt;

absl::StatusOr<StoredResource> ParseDocument(const YAML::Node& doc, const std::string& source) {
  if (!doc.IsMap()) return ErrorAt(doc.Mark(), "a resource is a mapping with kind, selector and spec");
  YAML::Node kind;
  YAML::Node selector;
  YAML::Node spec;
  std::set<std::string> keys;
  for (const auto& kv : doc) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!keys.insert(key).second) return ErrorAt(kv.first.Mark(), absl::StrCat(key, ": duplicate key \"", key, "\""));
    if (key == "kind") {
      kind = kv.second;
    } else if (key == "selector") {
      selector = kv.second;
    } else if (key == "spec") {
      spec = kv.second;
    } else {
      return ErrorAt(kv.first.Mark(), absl::StrCat(key, ": unknown field (want kind, selector, spec)"));
    }
  }
  if (config::KindOf(kind) != config::YamlKind::kString) {
    return ErrorAt(doc.Mark(), absl::StrCat("kind: must be set to one of ", xds::KnownKinds()));
  }
  StoredResource out;
  out.source = source;
  out.type = xds::FindResourceTypeByKind(kind.Scalar());
  if (out.type == nullptr) {
    return ErrorAt(kind.Mark(), absl::StrCat("kind: unknown kind \"", kind.Scalar(), "\" (want one of ", xds::KnownKinds(), ")"));
  }
  if (config::KindOf(selector) != config::YamlKind::kNull) {
    if (absl::Status s = config::DecodeMessage(selector, out.selector, "selector"); !s.ok()) return s;
  }
  if (config::KindOf(spec) == config::YamlKind::kNull) return ErrorAt(doc.Mark(), "spec: must be set");
  std::unique_ptr<google::protobuf::Message> message(out.type->prototype().New());
  if (absl::Status s = config::DecodeMessage(spec, *message, "spec"); !s.ok()) return s;
  out.name = out.type->Name(*message);
  if (out.name.empty()) return ErrorAt(spec.Mark(), "spec.name: must be set");
  out.spec = PackDeterministic(*message, out.type->type_url());
  return out;
}

// "f.yaml:3:5: document 2: spec.x: what": the place first, as every config error has it.
absl::Status InDocument(const std::string& name, size_t index, const absl::Status& s) {
  const absl::string_view message = s.message();
  const size_t place_end = message.empty() || message[0] < '0' || message[0] > '9' ? 0 : message.find(": ");
  const std::string place = place_end == 0 ? "" : absl::StrCat(":", message.substr(0, place_end));
  const absl::string_view rest = place_end == 0 ? message : message.substr(place_end + 2);
  return absl::Status(s.code(), absl::StrCat(name, place, ": document ", index + 1, ": ", rest));
}

}  // namespace

absl::StatusOr<std::vector<StoredResource>> ParseResources(const std::string& text, const std::string& source,
                                                           bool json) {
  const std::string name = absl::StartsWith(source, "file:") ? source.substr(5) : source;
  auto documents = config::LoadYamlDocuments(text);
  if (!documents.ok()) return config::InSource(name, documents.status());
  std::vector<YAML::Node> resources;
  for (const YAML::Node& doc : *documents) {
    // A JSON file may hold a list of resources: each is a "document".
    if (json && doc.IsSequence()) {
      for (const YAML::Node& item : doc) resources.push_back(item);
    } else {
      resources.push_back(doc);
    }
  }
  std::vector<StoredResource> out;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (config::KindOf(resources[i]) == config::YamlKind::kNull) continue;  // an empty document (a trailing ---)
    auto r = ParseDocument(resources[i], source);
    if (!r.ok()) return InDocument(name, i, r.status());
    r->document = static_cast<int>(i + 1);
    out.push_back(std::move(*r));
  }
  return out;
}

absl::StatusOr<std::vector<StoredResource>> ParseResourceFile(const std::string& path) {
  auto text = config::ReadConfigFile(path);
  if (!text.ok()) return text.status();
  return ParseResources(*text, "file:" + path, absl::EndsWithIgnoreCase(path, ".json"));
}

bool IsResourceFileName(const std::string& file_name) {
  if (file_name.empty() || file_name[0] == '.') return false;
  return absl::EndsWithIgnoreCase(file_name, ".yaml") || absl::EndsWithIgnoreCase(file_name, ".yml") ||
         absl::EndsWithIgnoreCase(file_name, ".json");
}

}  // namespace tether::controlplane
