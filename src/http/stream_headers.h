#pragma once

// The proxy's edits to a request's and a response's headers on the codec path (codec::HeaderMap),
// the same rules header_utils.h applies to Beast's fields on the HTTP/1 path.

#include <string_view>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Applies removes, then adds with their append action.
void ApplyHeaderMutation(codec::HeaderMap& headers, const config::HeaderMutation& mutation);

// x-forwarded-for / x-forwarded-proto as header_utils.h's SetForwardedHeaders.
void SetForwardedHeaders(codec::HeaderMap& headers, std::string_view peer_ip, bool use_remote_address,
                         std::string_view proto);

// What shapes the request an upstream sees.
struct UpstreamHeaderContext {
  const config::Listener& listener;
  const config::VirtualHost* vhost = nullptr;
  const config::Route& route;
  std::string_view peer_address;  // "ip:port", "[v6]:port"
  codec::Protocol downstream = codec::Protocol::kHttp1;
  codec::Protocol upstream = codec::Protocol::kHttp1;
};

// As the HTTP/1 path's PrepareUpstreamRequest: Expect dropped (the server codec answers it),
// protocol translation (hop-by-hop fields), x-forwarded-*, route table / virtual host / route
// mutations, prefix_rewrite (x-envoy-original-path keeps the old path), host_rewrite.
void PrepareUpstreamHeaders(codec::HeaderMap& headers, const UpstreamHeaderContext& context);

// Route, virtual host and route table response mutations, in that order.
void ApplyResponseMutations(codec::HeaderMap& headers, const config::RouteTable& table,
                            const config::VirtualHost* vhost, const config::Route* route);

}  // namespace tether::http
