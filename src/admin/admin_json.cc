#include "src/admin/admin_json.h"

#include <google/protobuf/util/json_util.h>

namespace tether::admin {

std::string AdminJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string out;
  // Printing fails only for an Any whose type is unknown, and these pages hold none;
  // an empty object keeps the page valid JSON should that ever change.
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok() || out.empty()) out = "{}\n";
  if (out.back() != '\n') out += '\n';
  return out;
}

}  // namespace tether::admin
