#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"

namespace tether::config {

// Every YAML document in `text` (JSON text is YAML too), as yaml-cpp's
// LoadAll gives them, but bounded (docs/security.md, Limits):
// - the text is at most kMaxConfigTextBytes;
// - yaml-cpp 0.7 loops without end, growing, on some malformed input (three
//   bytes, "&a,", are enough; fuzz/crashes/config_yaml_fuzzer/). A first pass
//   through its event parser counts the events, which a well-formed text
//   keeps below one per byte, and stops at a budget with the position reached;
// - yaml-cpp shares an aliased node, so its tree stays small, but whoever
//   walks it walks each alias again: ten aliases per level make seven lines
//   expand to 10^7 nodes (an "alias bomb"). The documents together may expand
//   to kMaxYamlNodes plus one node per two bytes of text, nested at most
//   kMaxYamlDepth deep, so a walk (DecodeMessage's) is linear in the text.
// Errors come back as "LINE:COLUMN: what" (1-based), or "what" for the size.
absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(const std::string& text);

// InvalidArgument "LINE:COLUMN: what" (1-based) at `mark`.
absl::Status ErrorAt(const YAML::Mark& mark, const std::string& what);

// `source` (a file name) in front of an error from here or DecodeMessage:
// "f.yaml:3:5: what" when it has a place, "f.yaml: what" otherwise.
absl::Status InSource(const std::string& source, const absl::Status& status);

}  // namespace tether::config
