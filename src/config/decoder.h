#pragma once

#include <string>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"

namespace tether::config {

// The one place config text becomes a message (docs/config.md, How errors
// look): a YAML node, from YAML or JSON text alike (yaml_documents.h), is
// decoded into `message` by its descriptor in one pass, with the proto3 JSON
// mapping's forms: field names as written in the .proto or in lowerCamelCase,
// enums by name or known number, 64-bit integers as numbers or strings, bytes
// in base64, Duration in any form ParseDuration takes ("250ms", "1.5s"),
// Timestamp in RFC 3339, wrappers as their bare value, Struct/Value/ListValue
// as any YAML, Any as {"@type": URL, fields...}. Stricter than protobuf's own
// parser where it would guess: "yes" is no bool, 7 no enum, two members of a
// oneof are refused, and an unknown field is an error with a hint.
//
// The first mistake is returned as InvalidArgument
// `LINE:COLUMN: field.path: what was expected` (1-based; snake_case names,
// [i] list indices, ["key"] map keys), `path` starting every field path.
// The node must come from LoadYamlDocuments, whose bounds keep this linear.
absl::Status DecodeMessage(const YAML::Node& node, google::protobuf::Message& message, const std::string& path = "");

}  // namespace tether::config
