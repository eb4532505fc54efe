#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "src/config/compiled_regexes.h"
#include "src/config/snapshot.h"
#include "tether/config/v1/route.pb.h"

namespace tether::config {

// One HeaderMatcher (route matches, a retry policy's retriable_request_headers) compiled; its
// regex goes through `regexes`. Errors start with `path`.
absl::StatusOr<HeaderMatch> BuildHeaderMatch(const v1::HeaderMatcher& h, const std::string& path,
                                             CompiledRegexes& regexes);

}  // namespace tether::config
