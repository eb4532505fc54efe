#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/config/limits.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// Reads a bootstrap file (.yaml/.yml or .json), YAML turned into JSON with
// yaml-cpp, then protobuf's JSON mapping. Errors name the file and the field
// path: `f.yaml: static_resources.clusters[1].connect_timeout: invalid duration "5 seconds"`.
absl::StatusOr<v1::Bootstrap> LoadBootstrapFile(const std::string& path);

// Same, from text; `source` names it in errors.
absl::StatusOr<v1::Bootstrap> ParseBootstrapYaml(const std::string& text, const std::string& source);
absl::StatusOr<v1::Bootstrap> ParseBootstrapJson(const std::string& text, const std::string& source);

// YAML document -> JSON text. Plain scalars that look like numbers, booleans
// or null become those; quoted scalars stay strings.
absl::StatusOr<std::string> YamlToJson(const std::string& yaml_text);

// Every document of a multi-document YAML stream (`---` separated) -> JSON
// text, in order; an empty document becomes "null" so indices stay those the
// author counts. Errors are `LINE:COLUMN: what` as YamlToJson's. For the
// control plane's resource files (several resources in one file).
absl::StatusOr<std::vector<std::string>> YamlDocumentsToJson(const std::string& yaml_text);

}  // namespace tether::config
