#include "src/config/json_schema_check.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/common/duration.h"
#include "src/common/text.h"
#include "src/config/field_hints.h"

namespace tether::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Value;

absl::Status Err(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(path.empty() ? what : absl::StrCat(path, ": ", what));
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : absl::StrCat(path, ".", name);
}

std::string FormatNumber(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return absl::StrCat(static_cast<int64_t>(d));
  return absl::StrCat(d);
}

// How a value reads in an error: scalars as written, containers by kind.
std::string Show(const Value& v) {
  switch (v.kind_case()) {
    case Value::kStringValue: {
      std::string out;
      AppendJsonString(v.string_value(), out);
      return out;
    }
    case Value::kNumberValue: return FormatNumber(v.number_value());
    case Value::kBoolValue: return v.bool_value() ? "true" : "false";
    case Value::kStructValue: return "an object";
    case Value::kListValue: return "a list";
    default: return "null";
  }
}

bool IsWrapper(const Descriptor& d) {
  static const char* const kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  for (const char* name : kWrappers) {
    if (d.full_name() == name) return true;
  }
  return false;
}

// Any form ParseDuration takes ("250ms", "1m30s", "0.25s"), rewritten in
// place to the form protobuf's JSON parser reads ("0.250s"): the one point
// where a config's duration is read, for bootstraps and resources alike.
absl::Status NormalizeDuration(const std::string& path, Value& v) {
  // A bare 0 needs no unit (as in Go); any other number would be a guess: seconds? ms?
  if (v.kind_case() == Value::kNumberValue && v.number_value() == 0) v.set_string_value("0s");
  if (v.kind_case() != Value::kStringValue) {
    return Err(path, absl::StrCat("invalid duration ", Show(v), " (", kDurationHint, ")"));
  }
  auto d = ParseDuration(v.string_value());
  if (!d.ok()) return Err(path, std::string(d.status().message()));
  v.set_string_value(FormatProtoDuration(*d));
  return absl::OkStatus();
}

absl::Status CheckEnum(const std::string& path, const Value& v, const google::protobuf::EnumDescriptor& e) {
  if (v.kind_case() == Value::kStringValue && e.FindValueByName(v.string_value()) != nullptr) return absl::OkStatus();
  if (v.kind_case() == Value::kNumberValue && v.number_value() == std::floor(v.number_value()) &&
      std::fabs(v.number_value()) < 1e9 && e.FindValueByNumber(static_cast<int>(v.number_value())) != nullptr) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (int i = 0; i < e.value_count(); ++i) names.push_back(e.value(i)->name());
  return Err(path, absl::StrCat("invalid value ", Show(v), " (want one of ", absl::StrJoin(names, ", "), ")"));
}

// Integers: JSON numbers, or strings of digits as protobuf allows (64-bit ids).
absl::Status CheckInteger(const std::string& path, const Value& v, const FieldDescriptor& f) {
  double min = 0;
  double max = 0;
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: min = std::numeric_limits<int32_t>::min(); max = std::numeric_limits<int32_t>::max(); break;
    case FieldDescriptor::CPPTYPE_UINT32: max = std::numeric_limits<uint32_t>::max(); break;
    case FieldDescriptor::CPPTYPE_INT64: min = -9.2e18; max = 9.2e18; break;
    default: max = 1.8e19; break;
  }
  double d = 0;
  if (v.kind_case() == Value::kNumberValue) {
    d = v.number_value();
  } else if (v.kind_case() != Value::kStringValue || !absl::SimpleAtod(v.string_value(), &d)) {
    return Err(path, absl::StrCat("expected an integer, got ", Show(v)));
  }
  if (!std::isfinite(d) || d != std::floor(d)) return Err(path, absl::StrCat(Show(v), " is not an integer"));
  if (d < min || d > max) {
    return Err(path, absl::StrCat(Show(v), " is out of range for ", f.cpp_type_name(), " (", FormatNumber(min), "-",
                                  FormatNumber(max), ")"));
  }
  return absl::OkStatus();
}

class Checker {
 public:
  absl::Status Message(const std::string& path, Value& v, const Descriptor& d) {
    if (d.full_name() == "google.protobuf.Duration") return NormalizeDuration(path, v);
    if (IsWrapper(d)) return Single(path, v, *d.FindFieldByName("value"));
    if (v.kind_case() == Value::kNullValue) return absl::OkStatus();  // null = not set, as protobuf reads it
    if (v.kind_case() != Value::kStructValue) return Err(path, absl::StrCat("expected an object, got ", Show(v)));
    // Sorted, so the reported mistake does not depend on hash order.
    const std::map<std::string, Value*> fields = Sorted(v);
    std::map<const google::protobuf::OneofDescriptor*, std::string> oneofs_set;
    for (const auto& [key, value] : fields) {
      const FieldDescriptor* f = d.FindFieldByName(key);
      if (f == nullptr) f = d.FindFieldByCamelcaseName(key);
      if (f == nullptr) return UnknownField(path, d, key);
      const std::string field_path = Join(path, f->name());
      if (absl::Status s = Field(field_path, *value, *f); !s.ok()) return s;
      const auto* oneof = f->real_containing_oneof();
      if (oneof == nullptr || value->kind_case() == Value::kNullValue) continue;
      auto [it, inserted] = oneofs_set.emplace(oneof, f->name());
      if (!inserted) {
        return Err(field_path, absl::StrCat("cannot be set together with ", it->second, " (only one of ",
                                            OneofMembers(*oneof), ")"));
      }
    }
    return absl::OkStatus();
  }

 private:
  static std::map<std::string, Value*> Sorted(Value& v) {
    std::map<std::string, Value*> out;
    for (auto& [key, value] : *v.mutable_struct_value()->mutable_fields()) out.emplace(key, &value);
    return out;
  }

  static std::string OneofMembers(const google::protobuf::OneofDescriptor& oneof) {
    std::vector<std::string> names;
    for (int i = 0; i < oneof.field_count(); ++i) names.push_back(oneof.field(i)->name());
    return absl::StrJoin(names, ", ");
  }

  static absl::Status UnknownField(const std::string& path, const Descriptor& d, const std::string& key) {
    std::string what = absl::StrCat("unknown field \"", key, "\"");
    // yaml-cpp 0.7 has no merge keys, so "<<: *defaults" arrives as a field.
    if (key == "<<") {
      what += " (YAML merge keys are not supported)";
    } else {
      what += UnknownFieldHint(d, key);
    }
    return Err(Join(path, key), what);
  }

  absl::Status Field(const std::string& path, Value& v, const FieldDescriptor& f) {
    if (v.kind_case() == Value::kNullValue) return absl::OkStatus();
    if (f.is_map()) {
      if (v.kind_case() != Value::kStructValue) return Err(path, absl::StrCat("expected a map (object), got ", Show(v)));
      const FieldDescriptor& value_field = *f.message_type()->FindFieldByName("value");
      for (const auto& [key, value] : Sorted(v)) {
        std::string key_path = path + "[";
        AppendJsonString(key, key_path);
        key_path += "]";
        if (absl::Status s = Single(key_path, *value, value_field); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    if (f.is_repeated()) {
      if (v.kind_case() != Value::kListValue) return Err(path, absl::StrCat("expected a list, got ", Show(v)));
      for (int i = 0; i < v.list_value().values_size(); ++i) {
        const std::string item_path = absl::StrCat(path, "[", i, "]");
        Value& item = *v.mutable_list_value()->mutable_values(i);
        if (item.kind_case() == Value::kNullValue) return Err(item_path, "empty list item (null)");
        if (absl::Status s = Single(item_path, item, f); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    return Single(path, v, f);
  }

  absl::Status Single(const std::string& path, Value& v, const FieldDescriptor& f) {
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        absl::Status s = Message(path, v, *f.message_type());
        if (s.ok()) return s;
        return absl::Status(s.code(), absl::StrCat(s.message(), EnvoyShapeHint(f, v)));
      }
      case FieldDescriptor::CPPTYPE_ENUM: return CheckEnum(path, v, *f.enum_type());
      case FieldDescriptor::CPPTYPE_STRING:
        if (v.kind_case() == Value::kStringValue) return absl::OkStatus();
        if (v.kind_case() == Value::kNumberValue || v.kind_case() == Value::kBoolValue) {
          return Err(path, absl::StrCat("expected a string, got ", Show(v), " (quote it: \"", Show(v), "\")"));
        }
        return Err(path, absl::StrCat("expected a string, got ", Show(v)));
      case FieldDescriptor::CPPTYPE_BOOL:
        // Protobuf also takes the strings "true"/"false"; anything else ("yes") it silently reads as true.
        if (v.kind_case() == Value::kBoolValue) return absl::OkStatus();
        if (v.kind_case() == Value::kStringValue && (v.string_value() == "true" || v.string_value() == "false")) {
          return absl::OkStatus();
        }
        return Err(path, absl::StrCat("expected true or false, got ", Show(v)));
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double d = 0;
        if (v.kind_case() == Value::kNumberValue) return absl::OkStatus();
        if (v.kind_case() == Value::kStringValue && absl::SimpleAtod(v.string_value(), &d)) return absl::OkStatus();
        return Err(path, absl::StrCat("expected a number, got ", Show(v)));
      }
      default: return CheckInteger(path, v, f);
    }
  }
};

}  // namespace

absl::Status CheckAndNormalizeJson(Value& root, const Descriptor& type) {
  if (root.kind_case() != Value::kStructValue) {
    return Err("", absl::StrCat("the top level must be an object (a YAML mapping), got ", Show(root)));
  }
  return Checker().Message("", root, type);
}

}  // namespace tether::config
