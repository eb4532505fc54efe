#pragma once

#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "absl/functional/function_ref.h"
#include "src/codec/header_map.h"
#include "src/common/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Virtual host for a Host/:authority value (port stripped, case-insensitive),
// in Envoy's order: exact domain, then the longest `*.suffix`/`*suffix`
// wildcard, then the longest `prefix*`, then `*`. nullptr when none matches.
const config::VirtualHost* SelectVirtualHost(const config::RouteTable& table, std::string_view host);

// The request's header values by name, whatever map holds them (Beast's on the
// HTTP/1 path, codec::HeaderMap on the codec path): calls `each` for every
// field of `name` (lower-case), in order.
using HeaderLookup =
    absl::FunctionRef<void(std::string_view name, absl::FunctionRef<void(std::string_view)> each)>;

// First route of `vhost` whose path matcher (on the path without its query)
// and header matchers all match. nullptr when none does.
const config::Route* MatchRoute(const config::VirtualHost& vhost, std::string_view target, HeaderLookup headers);
const config::Route* MatchRoute(const config::VirtualHost& vhost, std::string_view target,
                                const HeaderMap& headers);

// Both steps.
struct RouteMatchResult {
  const config::VirtualHost* vhost = nullptr;
  const config::Route* route = nullptr;
};
RouteMatchResult Route(const config::RouteTable& table, std::string_view host, std::string_view target,
                       const HeaderMap& headers);
// The codec path: host from :authority (or Host), target from :path.
RouteMatchResult Route(const config::RouteTable& table, const codec::HeaderMap& headers);

// Picks a cluster of a route (weighted_clusters by weight; `roll` is a random
// number, taken modulo the total weight).
const std::string& PickCluster(const config::Route& route, uint64_t roll);

}  // namespace tether::http
