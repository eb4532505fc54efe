#include "src/config/loader.h"

#include <fstream>
#include <sstream>

#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/text.h"
#include "src/config/json_error.h"

namespace tether::config {
namespace {

// A plain (unquoted) YAML scalar that JSON should see as a number, bool or null.
bool AppendPlainScalar(const std::string& s, std::string& out) {
  if (s == "true" || s == "false" || s == "null") {
    out += s;
    return true;
  }
  if (s == "~" || s.empty()) {
    out += "null";
    return true;
  }
  if (s == "True" || s == "TRUE") {
    out += "true";
    return true;
  }
  if (s == "False" || s == "FALSE") {
    out += "false";
    return true;
  }
  // JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) return false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i != s.size()) return false;
  out += s;
  return true;
}

void NodeToJson(const YAML::Node& node, std::string& out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out += "null";
      return;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!": those stay strings.
      if (node.Tag() == "!" || !AppendPlainScalar(node.Scalar(), out)) AppendJsonString(node.Scalar(), out);
      return;
    case YAML::NodeType::Sequence: {
      out += '[';
      bool first = true;
      for (const auto& item : node) {
        if (!first) out += ',';
        first = false;
        NodeToJson(item, out);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(kv.first.as<std::string>(), out);
        out += ':';
        NodeToJson(kv.second, out);
      }
      out += '}';
      return;
    }
  }
}

bool IsJsonPath(const std::string& path) { return absl::EndsWithIgnoreCase(path, ".json"); }

}  // namespace

absl::StatusOr<std::string> YamlToJson(const std::string& yaml_text) {
  try {
    const YAML::Node root = YAML::Load(yaml_text);
    std::string out;
    out.reserve(yaml_text.size() * 2);
    NodeToJson(root, out);
    return out;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<v1::Bootstrap> ParseBootstrapJson(const std::string& text, const std::string& source) {
  v1::Bootstrap bootstrap;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &bootstrap, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", DescribeJsonError(text, std::string(status.message()), *v1::Bootstrap::descriptor())));
  }
  return bootstrap;
}

absl::StatusOr<v1::Bootstrap> ParseBootstrapYaml(const std::string& text, const std::string& source) {
  auto json = YamlToJson(text);
  if (!json.ok()) return absl::InvalidArgumentError(absl::StrCat(source, ": ", json.status().message()));
  return ParseBootstrapJson(*json, source);
}

absl::StatusOr<v1::Bootstrap> LoadBootstrapFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  std::ostringstream text;
  text << in.rdbuf();
  return IsJsonPath(path) ? ParseBootstrapJson(text.str(), path) : ParseBootstrapYaml(text.str(), path);
}

}  // namespace tether::config
