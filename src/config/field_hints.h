#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <yaml-cpp/yaml.h>

namespace tether::config {

// What an error about an unknown field adds after `unknown field "KEY"`:
// - an Envoy field Tether names differently or lacks:
//   `: Tether listeners take http_connection_manager directly (docs/envoy-differences.md#listeners)`;
// - else a near miss among the message's own fields (edit distance <= 2,
//   <= 1 for keys of three letters or fewer): ` (did you mean "connect_timeout"?)`;
// - else "".
std::string UnknownFieldHint(const google::protobuf::Descriptor& message, std::string_view key);

// What an error about a value of the wrong shape adds when it is written the
// way Envoy wants it, e.g. a percentage as `{value: 50}` where Tether takes
// `50`; "" otherwise. `field` is the field the value is for.
std::string EnvoyShapeHint(const google::protobuf::FieldDescriptor& field, const YAML::Node& value);

// Every docs/envoy-differences.md anchor the hints link to (for the test
// that checks each is a section of that page).
std::vector<std::string> EnvoyDifferencesAnchors();

// Levenshtein distance between two strings (insertions, deletions and
// substitutions of one byte each).
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace tether::config
