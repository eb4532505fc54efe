#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "tether/config/v1/bootstrap.pb.h"

namespace tether::config {

// The text of a config file, refused before reading when it is over
// kMaxConfigTextBytes. Errors name the path: NotFound "f.yaml: no such file",
// "f.yaml: is a directory", "f.yaml: the file is N bytes; ...".
absl::StatusOr<std::string> ReadConfigFile(const std::string& path);

// A bootstrap file, YAML or JSON alike (JSON is YAML): read, parsed by
// yaml-cpp and decoded by DecodeMessage (decoder.h). Errors name the file,
// the place and the field path:
// `f.yaml:12:24: static_resources.clusters[1].connect_timeout: invalid duration "5 seconds" (...)`.
absl::StatusOr<v1::Bootstrap> LoadBootstrapFile(const std::string& path);

// Same, from text; `source` names it in errors.
absl::StatusOr<v1::Bootstrap> ParseBootstrap(const std::string& text, const std::string& source);

}  // namespace tether::config
