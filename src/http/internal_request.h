#pragma once

#include <string_view>

#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Envoy's internal-request rule for the x-envoy-* control headers (x-envoy-retry-on,
// x-envoy-max-retries, x-envoy-upstream-rq-timeout-ms...): a listener that does not use the
// remote address (a sidecar behind its own workload) trusts every request; one that does trusts
// only peers with an internal address (RFC 1918, loopback, IPv6 unique-local), as Envoy's default.
bool TrustsEnvoyHeaders(const config::Listener& listener, std::string_view peer_address);

// An untrusted request's control headers, removed before the request goes upstream (Envoy's
// cleanInternalHeaders), so that no hop further in honours them either.
void RemoveEnvoyControlHeaders(codec::HeaderMap& headers);

}  // namespace tether::http
