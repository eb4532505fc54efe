#pragma once

#include <string>
#include <string_view>

#include "src/config/snapshot.h"

// Where a route sends a request: its rewritten target, its redirect location. The header edits
// (mutations, x-forwarded-*, hop-by-hop) are stream_headers.h's and header_translation.h's.
namespace tether::http {

// Target after a route's prefix_rewrite (query kept); unchanged without one.
std::string RewriteTarget(const config::Route& route, std::string_view target);

// Location for a redirect route: scheme/host/port/path from the redirect
// config, the rest from the request. `host` is the request's Host value.
std::string RedirectLocation(const config::Route& route, std::string_view scheme, std::string_view host,
                             std::string_view target);

}  // namespace tether::http
