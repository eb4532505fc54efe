#include "src/config/decoder.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/common/duration.h"
#include "src/common/text.h"
#include "src/config/field_hints.h"
#include "src/config/validation_util.h"
#include "src/config/yaml_documents.h"
#include "src/config/yaml_scalar.h"

namespace tether::config {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

// The types whose JSON form is not an object of their fields.
bool IsWrapper(const pb::Descriptor& d) {
  static const char* const kWrappers[] = {"DoubleValue", "FloatValue", "Int64Value",  "UInt64Value", "Int32Value",
                                          "UInt32Value", "BoolValue",  "StringValue", "BytesValue"};
  if (d.file()->package() != "google.protobuf") return false;
  for (const char* name : kWrappers) {
    if (d.name() == name) return true;
  }
  return false;
}

bool HasSpecialJsonForm(const pb::Descriptor& d) {
  static const char* const kSpecial[] = {"Duration", "Timestamp", "Struct", "Value", "ListValue", "Any"};
  if (d.file()->package() != "google.protobuf") return false;
  for (const char* name : kSpecial) {
    if (d.name() == name) return true;
  }
  return IsWrapper(d);
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : absl::StrCat(path, ".", name);
}

std::string KeyPath(const std::string& path, const std::string& key) {
  std::string out = path + "[";
  AppendJsonString(key, out);
  return out + "]";
}

std::string OneofMembers(const pb::OneofDescriptor& oneof) {
  std::vector<std::string> names;
  for (int i = 0; i < oneof.field_count(); ++i) names.push_back(oneof.field(i)->name());
  return absl::StrJoin(names, ", ");
}

class Decoder {
 public:
  absl::Status Message(const YAML::Node& n, const std::string& path, pb::Message& m) {
    const pb::Descriptor& d = *m.GetDescriptor();
    if (HasSpecialJsonForm(d)) return WellKnown(n, path, m);
    if (KindOf(n) != YamlKind::kObject) return Err(n, path, absl::StrCat("expected an object, got ", Show(n)));
    return Fields(n, path, m, /*any=*/false);
  }

 private:
  // "LINE:COLUMN: path: what"; a node without a place (an empty value) is
  // placed at the last one that had one, its key.
  absl::Status Err(const YAML::Node& at, const std::string& path, const std::string& what) {
    const YAML::Mark mark = at.Mark().is_null() ? near_ : at.Mark();
    std::string out = mark.is_null() ? "" : absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ");
    absl::StrAppend(&out, path, path.empty() ? "" : ": ", what);
    return absl::InvalidArgumentError(out);
  }

  void Near(const YAML::Node& n) {
    if (!n.Mark().is_null()) near_ = n.Mark();
  }

  // A mapping's keys: plain scalars, each once.
  absl::Status Key(const YAML::Node& key, const std::string& path, std::map<std::string, YAML::Mark>& seen) {
    Near(key);
    if (!key.IsScalar()) return Err(key, path, "a mapping key must be a plain string");
    if (!seen.emplace(key.Scalar(), key.Mark()).second) {
      return Err(key, path, absl::StrCat("duplicate key \"", key.Scalar(), "\""));
    }
    return absl::OkStatus();
  }

  absl::Status Fields(const YAML::Node& n, const std::string& path, pb::Message& m, bool any) {
    const pb::Descriptor& d = *m.GetDescriptor();
    std::map<std::string, YAML::Mark> keys;
    std::map<const FieldDescriptor*, std::string> given;  // catches a field both as snake_case and lowerCamelCase
    std::map<const pb::OneofDescriptor*, std::string> oneofs;
    for (const auto& kv : n) {
      TETHER_RETURN_IF_ERROR(Key(kv.first, Join(path, kv.first.IsScalar() ? kv.first.Scalar() : ""), keys));
      const std::string& key = kv.first.Scalar();
      if (any && key == "@type") continue;
      const FieldDescriptor* f = d.FindFieldByName(key);
      if (f == nullptr) f = d.FindFieldByCamelcaseName(key);
      if (f == nullptr) return Err(kv.first, Join(path, key), UnknownField(d, key));
      const std::string field_path = Join(path, f->name());
      if (auto [it, inserted] = given.emplace(f, key); !inserted) {
        return Err(kv.first, field_path, absl::StrCat("given twice, as \"", it->second, "\" and \"", key, "\""));
      }
      if (KindOf(kv.second) == YamlKind::kNull) continue;  // null = not set, as in the JSON mapping
      if (const auto* oneof = f->real_containing_oneof()) {
        if (auto [it, inserted] = oneofs.emplace(oneof, f->name()); !inserted) {
          return Err(kv.first, field_path, absl::StrCat("cannot be set together with ", it->second, " (only one of ",
                                                        OneofMembers(*oneof), ")"));
        }
      }
      TETHER_RETURN_IF_ERROR(Field(kv.second, field_path, m, *f));
    }
    return absl::OkStatus();
  }

  static std::string UnknownField(const pb::Descriptor& d, const std::string& key) {
    const std::string what = absl::StrCat("unknown field \"", key, "\"");
    // yaml-cpp 0.7 has no merge keys, so "<<: *defaults" arrives as a field.
    if (key == "<<") return what + " (YAML merge keys are not supported)";
    return what + UnknownFieldHint(d, key);
  }

  absl::Status Field(const YAML::Node& n, const std::string& path, pb::Message& m, const FieldDescriptor& f) {
    if (f.is_map()) {
      if (KindOf(n) != YamlKind::kObject) return Err(n, path, absl::StrCat("expected a map (object), got ", Show(n)));
      std::map<std::string, YAML::Mark> keys;
      for (const auto& kv : n) {
        const std::string key_path = KeyPath(path, kv.first.IsScalar() ? kv.first.Scalar() : "");
        TETHER_RETURN_IF_ERROR(Key(kv.first, key_path, keys));
        pb::Message& entry = *m.GetReflection()->AddMessage(&m, &f);
        const FieldDescriptor& key = *entry.GetDescriptor()->map_key();
        if (key.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          entry.GetReflection()->SetString(&entry, &key, kv.first.Scalar());  // keys are text, even "200"
        } else {
          TETHER_RETURN_IF_ERROR(Value(kv.first, key_path, entry, key));
        }
        TETHER_RETURN_IF_ERROR(Value(kv.second, key_path, entry, *entry.GetDescriptor()->map_value()));
      }
      return absl::OkStatus();
    }
    if (!f.is_repeated()) return Value(n, path, m, f);
    if (KindOf(n) != YamlKind::kList) return Err(n, path, absl::StrCat("expected a list, got ", Show(n)));
    int i = 0;
    for (const auto& item : n) {
      const std::string item_path = absl::StrCat(path, "[", i++, "]");
      if (KindOf(item) == YamlKind::kNull) return Err(item, item_path, "empty list item (null)");
      TETHER_RETURN_IF_ERROR(Value(item, item_path, m, f));
    }
    return absl::OkStatus();
  }

  // One value of `f`: set, or added when `f` is repeated.
  absl::Status Value(const YAML::Node& n, const std::string& path, pb::Message& m, const FieldDescriptor& f) {
    Near(n);
    const pb::Reflection& r = *m.GetReflection();
    const bool add = f.is_repeated();
    const YamlKind kind = KindOf(n);
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (kind == YamlKind::kNull) return absl::OkStatus();
        absl::Status s = Message(n, path, add ? *r.AddMessage(&m, &f) : *r.MutableMessage(&m, &f));
        if (s.ok()) return s;
        return absl::Status(s.code(), absl::StrCat(s.message(), EnvoyShapeHint(f, n)));
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumValueDescriptor* v = nullptr;
        if (kind == YamlKind::kString) v = f.enum_type()->FindValueByName(n.Scalar());
        auto number = kind == YamlKind::kNumber ? ParseInteger(n, FieldDescriptor::CPPTYPE_INT32) : absl::StatusOr<Integer>();
        if (number.ok()) v = f.enum_type()->FindValueByNumber(static_cast<int>(number->AsSigned()));
        if (v == nullptr) {
          std::vector<std::string> names;
          for (int i = 0; i < f.enum_type()->value_count(); ++i) names.push_back(f.enum_type()->value(i)->name());
          return Err(n, path, absl::StrCat("invalid value ", Show(n), " (want one of ", absl::StrJoin(names, ", "), ")"));
        }
        add ? r.AddEnumValue(&m, &f, v->number()) : r.SetEnumValue(&m, &f, v->number());
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string text = kind == YamlKind::kString ? n.Scalar() : "";
        if (f.type() == FieldDescriptor::TYPE_BYTES) {
          std::string bytes;
          if (kind != YamlKind::kString ||
              (!absl::Base64Unescape(text, &bytes) && !absl::WebSafeBase64Unescape(text, &bytes))) {
            return Err(n, path, absl::StrCat("expected base64 text, got ", Show(n)));
          }
          text = std::move(bytes);
        } else if (kind == YamlKind::kNumber || kind == YamlKind::kBool) {
          return Err(n, path, absl::StrCat("expected a string, got ", Show(n), " (quote it: \"", Show(n), "\")"));
        } else if (kind != YamlKind::kString) {
          return Err(n, path, absl::StrCat("expected a string, got ", Show(n)));
        }
        add ? r.AddString(&m, &f, std::move(text)) : r.SetString(&m, &f, std::move(text));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        // The JSON mapping also takes the strings "true" and "false"; "yes" is no bool.
        const std::string& s = n.IsScalar() ? n.Scalar() : "";
        const bool quoted_word = kind == YamlKind::kString && (s == "true" || s == "false");
        if (kind != YamlKind::kBool && !quoted_word) return Err(n, path, absl::StrCat("expected true or false, got ", Show(n)));
        const bool b = s[0] == 't' || s[0] == 'T';
        add ? r.AddBool(&m, &f, b) : r.SetBool(&m, &f, b);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double d = 0;
        if ((kind != YamlKind::kNumber && kind != YamlKind::kString) || !absl::SimpleAtod(NumberText(n.Scalar()), &d)) {
          return Err(n, path, absl::StrCat("expected a number, got ", Show(n)));
        }
        if (f.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
          // Casting a double beyond float's range is undefined; protobuf's JSON parser refuses it too.
          if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) {
            return Err(n, path, absl::StrCat("out of range for a float: ", Show(n)));
          }
          add ? r.AddFloat(&m, &f, static_cast<float>(d)) : r.SetFloat(&m, &f, static_cast<float>(d));
        } else {
          add ? r.AddDouble(&m, &f, d) : r.SetDouble(&m, &f, d);
        }
        return absl::OkStatus();
      }
      default: return SetInteger(n, path, m, f);
    }
  }

  absl::Status SetInteger(const YAML::Node& n, const std::string& path, pb::Message& m, const FieldDescriptor& f) {
    auto v = ParseInteger(n, f.cpp_type());
    if (!v.ok()) return Err(n, path, std::string(v.status().message()));
    const pb::Reflection& r = *m.GetReflection();
    const bool add = f.is_repeated();
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        const auto x = static_cast<int32_t>(v->AsSigned());
        add ? r.AddInt32(&m, &f, x) : r.SetInt32(&m, &f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: add ? r.AddInt64(&m, &f, v->AsSigned()) : r.SetInt64(&m, &f, v->AsSigned()); break;
      case FieldDescriptor::CPPTYPE_UINT32: {
        const auto x = static_cast<uint32_t>(v->magnitude);
        add ? r.AddUInt32(&m, &f, x) : r.SetUInt32(&m, &f, x);
        break;
      }
      default: add ? r.AddUInt64(&m, &f, v->magnitude) : r.SetUInt64(&m, &f, v->magnitude); break;
    }
    return absl::OkStatus();
  }

  // The types of HasSpecialJsonForm.
  absl::Status WellKnown(const YAML::Node& n, const std::string& path, pb::Message& m) {
    const std::string& name = m.GetDescriptor()->name();
    if (IsWrapper(*m.GetDescriptor())) return Value(n, path, m, *m.GetDescriptor()->FindFieldByName("value"));
    if (name == "Any") return Any(n, path, m);
    if (name == "Duration") {
      // A bare 0 needs no unit (as in Go); any other number would be a guess: seconds? ms?
      double zero = 1;
      if (KindOf(n) == YamlKind::kNumber && absl::SimpleAtod(n.Scalar(), &zero) && zero == 0) return absl::OkStatus();
      if (KindOf(n) != YamlKind::kString) {
        return Err(n, path, absl::StrCat("invalid duration ", Show(n), " (", kDurationHint, ")"));
      }
      auto d = ParseDuration(n.Scalar());
      if (!d.ok()) return Err(n, path, std::string(d.status().message()));
      pb::Duration out;
      out.set_seconds(d->count() / 1'000'000'000);
      out.set_nanos(static_cast<int32_t>(d->count() % 1'000'000'000));  // the same sign, as Duration wants
      m.CopyFrom(out);
      return absl::OkStatus();
    }
    if (name == "Timestamp") {
      pb::Timestamp out;
      if (KindOf(n) != YamlKind::kString || !pb::util::TimeUtil::FromString(n.Scalar(), &out)) {
        return Err(n, path, absl::StrCat("invalid timestamp ", Show(n), " (want RFC 3339, like \"2026-01-02T15:04:05Z\")"));
      }
      m.CopyFrom(out);
      return absl::OkStatus();
    }
    pb::Value v;
    TETHER_RETURN_IF_ERROR(JsonValue(n, path, v));
    if (name == "Value") {
      m.CopyFrom(v);
    } else if (name == "Struct") {
      if (!v.has_struct_value()) return Err(n, path, absl::StrCat("expected an object, got ", Show(n)));
      m.CopyFrom(v.struct_value());
    } else {
      if (!v.has_list_value()) return Err(n, path, absl::StrCat("expected a list, got ", Show(n)));
      m.CopyFrom(v.list_value());
    }
    return absl::OkStatus();
  }

  // Any YAML as a google.protobuf.Value.
  absl::Status JsonValue(const YAML::Node& n, const std::string& path, pb::Value& out) {
    Near(n);
    switch (KindOf(n)) {
      case YamlKind::kNull: out.set_null_value(pb::NULL_VALUE); break;
      case YamlKind::kBool: out.set_bool_value(n.Scalar()[0] == 't' || n.Scalar()[0] == 'T'); break;
      case YamlKind::kNumber: {
        double d = 0;
        if (!absl::SimpleAtod(NumberText(n.Scalar()), &d)) return Err(n, path, absl::StrCat("invalid number ", Show(n)));
        out.set_number_value(d);
        break;
      }
      case YamlKind::kString: out.set_string_value(n.Scalar()); break;
      case YamlKind::kList: {
        int i = 0;
        for (const auto& item : n) {
          TETHER_RETURN_IF_ERROR(JsonValue(item, absl::StrCat(path, "[", i++, "]"), *out.mutable_list_value()->add_values()));
        }
        out.mutable_list_value();  // [] is a list too
        break;
      }
      case YamlKind::kObject: {
        std::map<std::string, YAML::Mark> keys;
        auto& fields = *out.mutable_struct_value()->mutable_fields();
        for (const auto& kv : n) {
          const std::string key_path = KeyPath(path, kv.first.IsScalar() ? kv.first.Scalar() : "");
          TETHER_RETURN_IF_ERROR(Key(kv.first, key_path, keys));
          TETHER_RETURN_IF_ERROR(JsonValue(kv.second, key_path, fields[kv.first.Scalar()]));
        }
        break;
      }
    }
    return absl::OkStatus();
  }

  // {"@type": "type.googleapis.com/NAME", fields...}, or {"@type": ..., "value": ...} for
  // a type with a special JSON form.
  absl::Status Any(const YAML::Node& n, const std::string& path, pb::Message& m) {
    if (KindOf(n) != YamlKind::kObject) return Err(n, path, absl::StrCat("expected an object, got ", Show(n)));
    YAML::Node type_url;
    YAML::Node value;
    for (const auto& kv : n) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "@type") type_url = kv.second;
      if (kv.first.IsScalar() && kv.first.Scalar() == "value") value = kv.second;
    }
    if (KindOf(type_url) != YamlKind::kString) {
      return Err(n, Join(path, "@type"), "required: the type URL, like \"type.googleapis.com/tether.config.v1.Cluster\"");
    }
    const std::string& url = type_url.Scalar();
    const pb::Descriptor* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(url.substr(url.rfind('/') + 1));
    if (type == nullptr) return Err(type_url, Join(path, "@type"), absl::StrCat("unknown type \"", url, "\""));
    std::unique_ptr<pb::Message> inner(pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
    if (HasSpecialJsonForm(*type)) {
      for (const auto& kv : n) {
        const std::string& key = kv.first.Scalar();
        if (key != "@type" && key != "value") return Err(kv.first, Join(path, key), absl::StrCat("unknown field \"", key, "\" (want @type and value)"));
      }
      TETHER_RETURN_IF_ERROR(Message(value, Join(path, "value"), *inner));
    } else {
      TETHER_RETURN_IF_ERROR(Fields(n, path, *inner, /*any=*/true));
    }
    const pb::Descriptor& d = *m.GetDescriptor();
    m.GetReflection()->SetString(&m, d.FindFieldByName("type_url"), url);
    m.GetReflection()->SetString(&m, d.FindFieldByName("value"), inner->SerializeAsString());
    return absl::OkStatus();
  }

  YAML::Mark near_ = YAML::Mark::null_mark();
};

}  // namespace

absl::Status DecodeMessage(const YAML::Node& node, google::protobuf::Message& message, const std::string& path) {
  try {
    return Decoder().Message(node, path, message);
  } catch (const YAML::Exception& e) {  // yaml-cpp's accessors throw; none should on a loaded tree
    return ErrorAt(e.mark, e.msg);
  }
}

}  // namespace tether::config
