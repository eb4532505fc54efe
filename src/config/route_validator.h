#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "src/config/compiled_regexes.h"
#include "tether/config/v1/route.pb.h"

namespace tether::config {

// Checks one inline route configuration (virtual hosts, domains, matches,
// actions, header mutations). `path` is the configuration's field path, which
// starts every error; `clusters` are the names routes may refer to (null: not checked, as for
// resources from the control plane, which warm until their clusters arrive).
// Its regexes are compiled into `regexes`, for BuildSnapshot to take.
absl::Status ValidateRouteConfig(const std::string& path, const v1::RouteConfiguration& route_config,
                                 const std::set<std::string>* clusters, CompiledRegexes& regexes);

}  // namespace tether::config
