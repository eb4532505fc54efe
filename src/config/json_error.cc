#include "src/config/json_error.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/common/duration.h"

namespace tether::config {
namespace {

using google::protobuf::Value;

// "a.b[2].c" -> {"a", "b", "[2]", "c"} as (name, index) steps.
struct Step {
  std::string name;
  int index = -1;
};

std::vector<Step> SplitPath(const std::string& path) {
  std::vector<Step> steps;
  for (absl::string_view part : absl::StrSplit(path, '.', absl::SkipEmpty())) {
    Step step;
    const size_t bracket = part.find('[');
    step.name = std::string(part.substr(0, bracket));
    if (bracket != absl::string_view::npos) {
      int index = -1;
      if (absl::SimpleAtoi(part.substr(bracket + 1, part.size() - bracket - 2), &index)) step.index = index;
    }
    steps.push_back(step);
  }
  return steps;
}

// The JSON value at `path`, printed back as JSON; empty when not found.
std::string ValueAt(const std::string& json_text, const std::vector<Step>& steps) {
  Value root;
  if (!google::protobuf::util::JsonStringToMessage(json_text, &root).ok()) return {};
  const Value* v = &root;
  for (const Step& step : steps) {
    if (v->kind_case() != Value::kStructValue) return {};
    const auto& fields = v->struct_value().fields();
    auto it = fields.find(step.name);
    if (it == fields.end()) return {};
    v = &it->second;
    if (step.index >= 0) {
      if (v->kind_case() != Value::kListValue || step.index >= v->list_value().values_size()) return {};
      v = &v->list_value().values(step.index);
    }
  }
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(*v, &out);
  return out;
}

const google::protobuf::FieldDescriptor* FieldAt(const google::protobuf::Descriptor& root,
                                                 const std::vector<Step>& steps) {
  const google::protobuf::Descriptor* d = &root;
  const google::protobuf::FieldDescriptor* field = nullptr;
  for (const Step& step : steps) {
    if (d == nullptr) return nullptr;
    field = d->FindFieldByName(step.name);
    if (field == nullptr) return nullptr;
    d = field->message_type();
  }
  return field;
}

std::string Expected(const google::protobuf::FieldDescriptor* field) {
  if (field == nullptr) return {};
  if (field->enum_type() != nullptr) {
    std::vector<std::string> names;
    for (int i = 0; i < field->enum_type()->value_count(); ++i) names.push_back(field->enum_type()->value(i)->name());
    return absl::StrCat(" (want one of ", absl::StrJoin(names, ", "), ")");
  }
  if (field->message_type() != nullptr) {
    if (field->message_type()->full_name() == "google.protobuf.Duration") return absl::StrCat(" (", kDurationHint, ")");
    if (absl::StartsWith(field->message_type()->full_name(), "google.protobuf.")) {
      return absl::StrCat(" (want ", field->message_type()->name(), ")");
    }
    return " (want an object)";
  }
  return absl::StrCat(" (want ", field->type_name(), field->is_repeated() ? " list" : "", ")");
}

}  // namespace

std::string DescribeJsonError(const std::string& json_text, const std::string& parser_message,
                              const google::protobuf::Descriptor& root) {
  std::string path;
  std::string rest = parser_message;
  if (absl::StartsWith(rest, "(")) {
    const size_t close = rest.find(')');
    if (close != std::string::npos) {
      path = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    }
  }
  // "(a.b) foo: Cannot find field." / "foo: Cannot find field."
  if (absl::EndsWith(rest, ": Cannot find field.")) {
    std::string name(absl::StripAsciiWhitespace(rest.substr(0, rest.size() - std::string(": Cannot find field.").size())));
    const std::string full = path.empty() ? name : absl::StrCat(path, ".", name);
    return absl::StrCat(full, ": unknown field \"", name, "\"");
  }
  if (path.empty()) return parser_message;
  const std::vector<Step> steps = SplitPath(path);
  const std::string value = ValueAt(json_text, steps);
  const auto* field = FieldAt(root, steps);
  const bool is_duration =
      field != nullptr && field->message_type() != nullptr && field->message_type()->full_name() == "google.protobuf.Duration";
  if (is_duration) return absl::StrCat(path, ": invalid duration ", value, Expected(field));
  if (absl::StartsWith(rest, ": invalid value")) return absl::StrCat(path, ": invalid value ", value, Expected(field));
  return absl::StrCat(path, rest);
}

}  // namespace tether::config
