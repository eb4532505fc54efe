#include "controlplane/server/resource_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/config/json_error.h"
#include "src/config/json_schema_check.h"
#include "src/config/json_syntax.h"
#include "src/config/loader.h"
#include "src/xds/resource_types.h"

namespace tether::controlplane {
namespace {

using google::protobuf::Value;
namespace pbutil = google::protobuf::util;

// A field path error below `prefix` ("spec", "selector").
absl::Status Below(const std::string& prefix, const absl::Status& s) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, ".", s.message()));
}

// Parses the JSON `value` into `message`, with the schema check's field paths
// and durations in any form the bootstrap takes.
absl::Status ParseInto(Value value, const std::string& prefix, google::protobuf::Message& message) {
  if (absl::Status s = config::CheckAndNormalizeJson(value, *message.GetDescriptor()); !s.ok()) return Below(prefix, s);
  std::string json;
  if (!pbutil::MessageToJsonString(value, &json).ok()) return absl::InvalidArgumentError(prefix + ": not JSON");
  pbutil::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto st = pbutil::JsonStringToMessage(json, &message, options); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, ".", config::DescribeJsonError(json, std::string(st.message()), *message.GetDescriptor())));
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredResource> ParseDocument(const Value& doc, const std::string& source) {
  if (doc.kind_case() != Value::kStructValue) {
    return absl::InvalidArgumentError("a resource is a mapping with kind, selector and spec");
  }
  const auto& fields = doc.struct_value().fields();
  for (const auto& [key, unused] : fields) {
    if (key != "kind" && key != "selector" && key != "spec") {
      return absl::InvalidArgumentError(absl::StrCat(key, ": unknown field (want kind, selector, spec)"));
    }
  }
  auto kind = fields.find("kind");
  if (kind == fields.end() || kind->second.kind_case() != Value::kStringValue) {
    return absl::InvalidArgumentError(absl::StrCat("kind: must be set to one of ", xds::KnownKinds()));
  }
  StoredResource out;
  out.source = source;
  out.type = xds::FindResourceTypeByKind(kind->second.string_value());
  if (out.type == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kind: unknown kind \"", kind->second.string_value(),
                                                   "\" (want one of ", xds::KnownKinds(), ")"));
  }
  if (auto sel = fields.find("selector"); sel != fields.end() && sel->second.kind_case() != Value::kNullValue) {
    if (absl::Status s = ParseInto(sel->second, "selector", out.selector); !s.ok()) return s;
  }
  auto spec_value = fields.find("spec");
  if (spec_value == fields.end() || spec_value->second.kind_case() == Value::kNullValue) {
    return absl::InvalidArgumentError("spec: must be set");
  }
  std::unique_ptr<google::protobuf::Message> spec(out.type->prototype().New());
  if (absl::Status s = ParseInto(spec_value->second, "spec", *spec); !s.ok()) return s;
  out.name = out.type->Name(*spec);
  if (out.name.empty()) return absl::InvalidArgumentError("spec.name: must be set");
  out.spec = PackDeterministic(*spec, out.type->type_url());
  return out;
}

absl::Status InDocument(const std::string& name, size_t index, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(name, ": document ", index + 1, ": ", s.message()));
}

}  // namespace

absl::StatusOr<std::vector<StoredResource>> ParseResources(const std::string& text, const std::string& source,
                                                           bool json) {
  const std::string name = absl::StartsWith(source, "file:") ? source.substr(5) : source;
  std::vector<std::string> documents;
  if (text.size() > config::kMaxConfigTextBytes) {  // YamlDocumentsToJson says so too; JSON needs it here
    return absl::InvalidArgumentError(absl::StrCat(name, ": the file is ", text.size(),
                                                   " bytes; config text is limited to ", config::kMaxConfigTextBytes,
                                                   " bytes"));
  }
  if (json) {
    if (absl::Status s = config::CheckJsonSyntax(text); !s.ok()) return absl::InvalidArgumentError(absl::StrCat(name, ":", s.message()));
    documents.push_back(text);
  } else {
    auto docs = config::YamlDocumentsToJson(text);
    if (!docs.ok()) return absl::InvalidArgumentError(absl::StrCat(name, ":", docs.status().message()));
    documents = std::move(*docs);
  }
  std::vector<Value> values;
  for (size_t i = 0; i < documents.size(); ++i) {
    Value v;
    if (auto st = pbutil::JsonStringToMessage(documents[i], &v); !st.ok()) {
      return InDocument(name, i, absl::InvalidArgumentError(std::string(st.message())));
    }
    // A JSON file may hold a list of resources: each is a "document".
    if (json && v.kind_case() == Value::kListValue) {
      for (const Value& item : v.list_value().values()) values.push_back(item);
    } else {
      values.push_back(std::move(v));
    }
  }
  std::vector<StoredResource> out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].kind_case() == Value::kNullValue) continue;  // an empty document (a trailing ---)
    auto r = ParseDocument(values[i], source);
    if (!r.ok()) return InDocument(name, i, r.status());
    r->document = static_cast<int>(i + 1);
    out.push_back(std::move(*r));
  }
  return out;
}

absl::StatusOr<std::vector<StoredResource>> ParseResourceFile(const std::string& path) {
  // Refused before reading: a huge file is never held in memory.
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > config::kMaxConfigTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the file is ", size, " bytes; config text is limited to ",
                                                   config::kMaxConfigTextBytes, " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat(path, ": read error"));
  return ParseResources(text.str(), "file:" + path, absl::EndsWithIgnoreCase(path, ".json"));
}

bool IsResourceFileName(const std::string& file_name) {
  if (file_name.empty() || file_name[0] == '.') return false;
  return absl::EndsWithIgnoreCase(file_name, ".yaml") || absl::EndsWithIgnoreCase(file_name, ".yml") ||
         absl::EndsWithIgnoreCase(file_name, ".json");
}

}  // namespace tether::controlplane
