#include "src/config/yaml_scalar.h"

#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::config {
namespace {

using google::protobuf::FieldDescriptor;

bool OneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
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

bool IsSpecialFloat(const std::string& s) {
  return OneOf(s, {".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"});
}

}  // namespace

YamlKind KindOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return YamlKind::kNull;
  if (node.IsSequence()) return YamlKind::kList;
  if (node.IsMap()) return YamlKind::kObject;
  if (node.Tag() != "?") return YamlKind::kString;  // "?" is a plain scalar's; "!" a quoted one's
  const std::string& s = node.Scalar();
  if (OneOf(s, {"", "~", "null", "Null", "NULL"})) return YamlKind::kNull;
  if (OneOf(s, {"true", "True", "TRUE", "false", "False", "FALSE"})) return YamlKind::kBool;
  if (IsJsonNumber(s) || IsSpecialFloat(s)) return YamlKind::kNumber;
  return YamlKind::kString;
}

std::string Show(const YAML::Node& node) {
  switch (KindOf(node)) {
    case YamlKind::kNull: return "null";
    case YamlKind::kList: return "a list";
    case YamlKind::kObject: return "an object";
    case YamlKind::kBool:
    case YamlKind::kNumber: return node.Scalar();
    case YamlKind::kString: break;
  }
  std::string out;
  AppendJsonString(node.Scalar(), out);
  return out;
}

std::string NumberText(const std::string& scalar) {
  if (!IsSpecialFloat(scalar)) return scalar;
  if (scalar[1] == 'n' || scalar[1] == 'N') return "nan";
  return scalar[0] == '-' ? "-inf" : "inf";
}

absl::StatusOr<Integer> ParseInteger(const YAML::Node& node, FieldDescriptor::CppType type) {
  const YamlKind kind = KindOf(node);
  if (kind != YamlKind::kNumber && kind != YamlKind::kString) {
    return absl::InvalidArgumentError(absl::StrCat("expected an integer, got ", Show(node)));
  }
  const std::string& s = node.Scalar();
  Integer out;
  bool too_big = false;
  int64_t i = 0;
  double d = 0;
  // Exact first, so 64-bit ids keep every digit; then the forms only a double reads.
  if (absl::SimpleAtoi(s, &out.magnitude)) {
  } else if (absl::SimpleAtoi(s, &i)) {
    out.negative = true;
    out.magnitude = static_cast<uint64_t>(-(i + 1)) + 1;
  } else if (!absl::SimpleAtod(NumberText(s), &d)) {
    return absl::InvalidArgumentError(absl::StrCat("expected an integer, got ", Show(node)));
  } else if (!std::isfinite(d) || d != std::floor(d)) {
    return absl::InvalidArgumentError(absl::StrCat(Show(node), " is not an integer"));
  } else {
    out.negative = d < 0;
    out.magnitude = std::fabs(d) < 1.8e19 ? static_cast<uint64_t>(std::fabs(d)) : 0;
    too_big = out.magnitude == 0 && d != 0;  // past every 64-bit range
  }
  uint64_t max = std::numeric_limits<uint64_t>::max();
  uint64_t max_negative = 0;  // the magnitude of the lowest value
  switch (type) {
    case FieldDescriptor::CPPTYPE_INT32: max = std::numeric_limits<int32_t>::max(); max_negative = max + 1; break;
    case FieldDescriptor::CPPTYPE_UINT32: max = std::numeric_limits<uint32_t>::max(); break;
    case FieldDescriptor::CPPTYPE_INT64: max = std::numeric_limits<int64_t>::max(); max_negative = max + 1; break;
    default: break;
  }
  if (out.negative && out.magnitude == 0 && !too_big) out.negative = false;  // "-0"
  if (too_big || (out.negative ? out.magnitude > max_negative : out.magnitude > max)) {
    return absl::InvalidArgumentError(absl::StrCat(Show(node), " is out of range for ",
                                                   FieldDescriptor::CppTypeName(type), " (",
                                                   max_negative == 0 ? "" : "-", max_negative, "-", max, ")"));
  }
  return out;
}

}  // namespace tether::config
