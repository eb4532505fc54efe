#pragma once

#include <string_view>

#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Virtual host for a Host/:authority value (port stripped, case-insensitive),
// in Envoy's order: exact domain, then the longest `*.suffix`/`*suffix`
// wildcard, then the longest `prefix*`, then `*`. nullptr when none matches.
const config::VirtualHost* SelectVirtualHost(const config::RouteTable& table, std::string_view host);

// First route of `vhost` whose path matcher (on `target` without its query)
// and header matchers (on `headers`' regular fields) all match. nullptr when none does.
const config::Route* MatchRoute(const config::VirtualHost& vhost, std::string_view target,
                                const codec::HeaderMap& headers);

// One header matcher against a request (Envoy's semantics: an absent header matches only an
// inverted or false present_match; repeated fields are joined with ","; a pseudo-header name such
// as ":method" matches that pseudo-header).
bool MatchHeader(const config::HeaderMatch& m, const codec::HeaderMap& headers);

// Both steps.
struct RouteMatchResult {
  const config::VirtualHost* vhost = nullptr;
  const config::Route* route = nullptr;
};
// Host from :authority (or Host), target from :path.
RouteMatchResult Route(const config::RouteTable& table, const codec::HeaderMap& headers);

// Picks a cluster of a route (weighted_clusters by weight; `roll` is a random
// number, taken modulo the total weight).
const std::string& PickCluster(const config::Route& route, uint64_t roll);

}  // namespace tether::http
