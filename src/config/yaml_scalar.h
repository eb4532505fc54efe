#pragma once

#include <cstdint>
#include <string>

#include <google/protobuf/descriptor.h>
#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"

namespace tether::config {

// What a YAML node is under YAML 1.2's core schema, the JSON kinds. Only
// plain scalars are typed ("08", "yes" and "0x10" stay strings, as in YAML
// 1.2); quoted ones, which is every JSON string, and tagged ones ("!!str 5")
// are strings.
enum class YamlKind { kNull, kBool, kNumber, kString, kList, kObject };
YamlKind KindOf(const YAML::Node& node);

// How a node reads in an error: scalars as written (strings quoted), "a
// list", "an object", "null".
std::string Show(const YAML::Node& node);

// A number as absl::SimpleAtod reads it: YAML's ".inf", "-.inf" and ".nan"
// become "inf", "-inf" and "nan"; anything else is returned as it is.
std::string NumberText(const std::string& scalar);

// An integer field's value from a number or a string of one (the JSON
// mapping writes 64-bit integers as strings; "1e3" and "5.0" are whole
// numbers too), within the range of `type` (int32, uint32, int64, uint64).
// Errors: `expected an integer, got "lots"`, `1.5 is not an integer`,
// `70000000000 is out of range for uint32 (0-4294967295)`.
struct Integer {
  bool negative = false;
  uint64_t magnitude = 0;
  int64_t AsSigned() const {
    return negative ? -static_cast<int64_t>(magnitude - 1) - 1 : static_cast<int64_t>(magnitude);
  }
};
absl::StatusOr<Integer> ParseInteger(const YAML::Node& node, google::protobuf::FieldDescriptor::CppType type);

}  // namespace tether::config
