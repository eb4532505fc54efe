#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"

namespace tether::config {

// Every YAML document in `text`, as yaml-cpp's LoadAll gives them, but
// bounded: yaml-cpp 0.7 loops without end, growing, on some malformed input
// (three bytes, "&a,", are enough; fuzz/crashes/config_yaml_fuzzer/). A first
// pass through its event parser counts the events, which a well-formed text
// keeps below one per byte, and stops at a budget with the position reached.
// Syntax errors come back as "line:col: what" (1-based).
absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(const std::string& text);

}  // namespace tether::config
