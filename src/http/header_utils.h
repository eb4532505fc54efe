#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "src/common/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Removes hop-by-hop headers (RFC 9110 7.6.1): Connection and every header it
// names, keep-alive, proxy-connection, te, trailer, transfer-encoding,
// upgrade. Content-Length stays; the serializer re-adds framing.
void RemoveHopByHopHeaders(HeaderMap& headers);

// Applies removes, then adds with their append action.
void ApplyHeaderMutation(HeaderMap& headers, const config::HeaderMutation& mutation);

// x-forwarded-for: with use_remote_address the peer IP is appended (or set);
// without it the header is passed through untouched. x-forwarded-proto is set
// to `proto` when absent (always overwritten with use_remote_address).
void SetForwardedHeaders(HeaderMap& headers, std::string_view peer_ip,
                         bool use_remote_address, std::string_view proto);

// Target after a route's prefix_rewrite (query kept); unchanged without one.
std::string RewriteTarget(const config::Route& route, std::string_view target);

// Location for a redirect route: scheme/host/port/path from the redirect
// config, the rest from the request. `host` is the request's Host value.
std::string RedirectLocation(const config::Route& route, std::string_view scheme, std::string_view host,
                             std::string_view target);

}  // namespace tether::http
