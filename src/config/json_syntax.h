#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace tether::config {

// Finds the first JSON syntax error in `text` and returns it as
// `LINE:COLUMN: what is wrong` (both 1-based). Protobuf's JSON parser only
// quotes a fragment of the line around a syntax error, so a user could not
// find it in a large file; this scanner exists to name the place.
absl::Status CheckJsonSyntax(std::string_view text);

}  // namespace tether::config
