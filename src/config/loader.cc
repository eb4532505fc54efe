#include "src/config/loader.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/text.h"
#include "src/config/json_error.h"
#include "src/config/json_schema_check.h"
#include "src/config/json_syntax.h"
#include "src/config/yaml_documents.h"

namespace tether::config {
namespace {

// YAML 1.2 core schema words for plain scalars; everything else stays a string
// (so "yes", "on" and "0x10" are strings, as in YAML 1.2).
bool AppendPlainWord(const std::string& s, std::string& out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    out += "true";
  } else if (s == "false" || s == "False" || s == "FALSE") {
    out += "false";
  } else if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    out += "null";
  } else if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") {
    out += "\"Infinity\"";  // protobuf's JSON spelling; JSON has no literal
  } else if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    out += "\"-Infinity\"";
  } else if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out += "\"NaN\"";
  } else {
    return false;
  }
  return true;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// A plain scalar in it becomes a JSON number ("08" or "1." stay strings).
bool IsJsonNumber(const std::string& s) {
  auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0' && digit(i + 1)) return false;
  while (digit(i)) ++i;
  if (i < s.size() && s[i] == '.') {
    if (!digit(++i)) return false;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

absl::Status ErrorAt(const YAML::Mark& mark, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ", what));
}

// Bounds one conversion. yaml-cpp shares an aliased node, so its tree stays
// small, but writing JSON walks each alias again: ten aliases per level make
// seven lines expand to 10^7 nodes (an "alias bomb"). Counting the nodes
// written keeps the work linear in the text's size (docs/security.md, Limits).
struct Budget {
  size_t nodes_left;
  int depth = 0;
};

absl::Status NodeToJson(const YAML::Node& node, std::string& out, Budget& budget);
absl::Status SequenceToJson(const YAML::Node& node, std::string& out, Budget& budget);

absl::Status MapToJson(const YAML::Node& node, std::string& out, Budget& budget) {
  out += '{';
  std::set<std::string> keys;
  bool first = true;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) return ErrorAt(kv.first.Mark(), "a mapping key must be a plain string");
    const std::string& key = kv.first.Scalar();
    // yaml-cpp keeps both; protobuf would silently keep the last one.
    if (!keys.insert(key).second) return ErrorAt(kv.first.Mark(), absl::StrCat("duplicate key \"", key, "\""));
    if (!first) out += ',';
    first = false;
    AppendJsonString(key, out);
    out += ':';
    if (absl::Status s = NodeToJson(kv.second, out, budget); !s.ok()) return s;
  }
  out += '}';
  return absl::OkStatus();
}

absl::Status NodeToJson(const YAML::Node& node, std::string& out, Budget& budget) {
  if (budget.nodes_left == 0) {
    return ErrorAt(node.Mark(), absl::StrCat("the YAML expands to more than ", kMaxYamlNodes,
                                             " nodes plus one per two bytes of text (aliases re-used too often)"));
  }
  --budget.nodes_left;
  if (node.IsSequence() || node.IsMap()) {
    if (budget.depth >= kMaxYamlDepth) {
      return ErrorAt(node.Mark(), absl::StrCat("nested deeper than ", kMaxYamlDepth, " levels"));
    }
    ++budget.depth;
    absl::Status s = node.IsMap() ? MapToJson(node, out, budget) : SequenceToJson(node, out, budget);
    --budget.depth;
    return s;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out += "null";
      return absl::OkStatus();
    case YAML::NodeType::Scalar: {
      // Only plain scalars (tag "?") are typed; quoted ones (tag "!") and
      // explicitly tagged ones stay strings.
      const std::string& s = node.Scalar();
      if (node.Tag() == "?" && AppendPlainWord(s, out)) return absl::OkStatus();
      if (node.Tag() == "?" && IsJsonNumber(s)) {
        out += s;
      } else {
        AppendJsonString(s, out);
      }
      return absl::OkStatus();
    }
    case YAML::NodeType::Sequence:
    case YAML::NodeType::Map:
      break;  // above
  }
  return absl::OkStatus();
}

absl::Status SequenceToJson(const YAML::Node& node, std::string& out, Budget& budget) {
  out += '[';
  bool first = true;
  for (const auto& item : node) {
    if (!first) out += ',';
    first = false;
    if (absl::Status s = NodeToJson(item, out, budget); !s.ok()) return s;
  }
  out += ']';
  return absl::OkStatus();
}

absl::Status Prefixed(const std::string& source, const absl::Status& s) {
  // Positions read "file:line:col: ...", paths "file: a.b: ...".
  const bool positioned = !s.message().empty() && s.message()[0] >= '0' && s.message()[0] <= '9';
  return absl::Status(s.code(), absl::StrCat(source, positioned ? ":" : ": ", s.message()));
}

// Protobuf's syntax errors quote a fragment over several lines; keep the first.
std::string FirstLine(const std::string& message) { return message.substr(0, message.find('\n')); }

absl::Status CheckTextSize(size_t size) {
  if (size <= kMaxConfigTextBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the file is ", size, " bytes; config text is limited to ", kMaxConfigTextBytes, " bytes"));
}


Budget BudgetFor(const std::string& yaml_text) { return Budget{kMaxYamlNodes + yaml_text.size() / 2}; }

}  // namespace

absl::StatusOr<std::string> YamlToJson(const std::string& yaml_text) {
  if (absl::Status s = CheckTextSize(yaml_text.size()); !s.ok()) return s;
  auto docs = LoadYamlDocuments(yaml_text);
  if (!docs.ok()) return docs.status();
  if (docs->empty() || (*docs)[0].IsNull()) return absl::InvalidArgumentError("the file has no configuration (it is empty)");
  if (docs->size() > 1) return ErrorAt((*docs)[1].Mark(), "a second YAML document (---); a bootstrap is one document");
  std::string out;
  out.reserve(yaml_text.size() * 2);
  Budget budget = BudgetFor(yaml_text);
  if (absl::Status s = NodeToJson((*docs)[0], out, budget); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<std::string>> YamlDocumentsToJson(const std::string& yaml_text) {
  if (absl::Status s = CheckTextSize(yaml_text.size()); !s.ok()) return s;
  auto docs = LoadYamlDocuments(yaml_text);
  if (!docs.ok()) return docs.status();
  std::vector<std::string> out;
  Budget budget = BudgetFor(yaml_text);  // one for the whole stream
  for (const YAML::Node& doc : *docs) {
    std::string json;
    if (absl::Status s = NodeToJson(doc, json, budget); !s.ok()) return s;
    out.push_back(std::move(json));
  }
  return out;
}

absl::StatusOr<v1::Bootstrap> ParseBootstrapJson(const std::string& text, const std::string& source) {
  if (absl::Status s = CheckTextSize(text.size()); !s.ok()) return Prefixed(source, s);
  // Read as a generic document first: syntax errors get a line and column,
  // schema mistakes a field path (see json_schema_check.h for why).
  // Our scanner runs first because protobuf's parser is lenient (trailing
  // commas, duplicate keys) and would not say where the error is.
  if (absl::Status syntax = CheckJsonSyntax(text); !syntax.ok()) return Prefixed(source, syntax);
  google::protobuf::Value document;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(text, &document); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", FirstLine(std::string(parsed.message()))));
  }
  if (absl::Status s = CheckAndNormalizeJson(document, *v1::Bootstrap::descriptor()); !s.ok()) {
    return Prefixed(source, s);
  }
  // The normalized document, not `text`: its durations are in protobuf's form.
  std::string normalized;
  if (auto printed = google::protobuf::util::MessageToJsonString(document, &normalized); !printed.ok()) {
    return absl::InternalError(absl::StrCat(source, ": ", std::string(printed.message())));
  }
  v1::Bootstrap bootstrap;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(normalized, &bootstrap, options);
  if (!status.ok()) {
    // The schema check should have caught it; still say where if protobuf knows.
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ", DescribeJsonError(normalized, std::string(status.message()), *v1::Bootstrap::descriptor())));
  }
  return bootstrap;
}

absl::StatusOr<v1::Bootstrap> ParseBootstrapYaml(const std::string& text, const std::string& source) {
  auto json = YamlToJson(text);
  if (!json.ok()) return Prefixed(source, json.status());
  return ParseBootstrapJson(*json, source);
}

absl::StatusOr<v1::Bootstrap> LoadBootstrapFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  if (std::filesystem::is_directory(path, ec)) return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
  // Refused before reading: a huge file is never held in memory.
  if (const auto size = std::filesystem::file_size(path, ec); !ec) {
    if (absl::Status s = CheckTextSize(size); !s.ok()) return Prefixed(path, s);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat(path, ": read error"));
  const bool json = absl::EndsWithIgnoreCase(path, ".json");
  return json ? ParseBootstrapJson(text.str(), path) : ParseBootstrapYaml(text.str(), path);
}

}  // namespace tether::config
