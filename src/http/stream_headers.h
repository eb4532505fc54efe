#pragma once

// The proxy's edits to a request's and a response's headers (codec::HeaderMap), whichever
// protocol each side speaks.

#include <string_view>

#include "src/codec/codec.h"
#include "src/codec/header_map.h"
#include "src/config/snapshot.h"

namespace tether::http {

// Applies removes, then adds with their append action.
void ApplyHeaderMutation(codec::HeaderMap& headers, const config::HeaderMutation& mutation);

// x-forwarded-for: with use_remote_address the peer IP is appended to every x-forwarded-for
// field joined into one (or set); without it the header is passed through untouched.
// x-forwarded-proto is set to `proto` when absent (always overwritten with use_remote_address).
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

// The request as the upstream sees it: Expect dropped (the server codec answers it),
// protocol translation (hop-by-hop fields), x-forwarded-*, route table / virtual host / route
// mutations, prefix_rewrite (x-envoy-original-path keeps the old path), host_rewrite.
void PrepareUpstreamHeaders(codec::HeaderMap& headers, const UpstreamHeaderContext& context);

// Route, virtual host and route table response mutations, in that order.
void ApplyResponseMutations(codec::HeaderMap& headers, const config::RouteTable& table,
                            const config::VirtualHost* vhost, const config::Route* route);

}  // namespace tether::http
