#include "src/http/stream_headers.h"

#include <string>

#include "src/common/host_port.h"
#include "src/http/header_translation.h"
#include "src/http/header_utils.h"

namespace tether::http {

void ApplyHeaderMutation(codec::HeaderMap& headers, const config::HeaderMutation& mutation) {
  for (const std::string& name : mutation.remove) headers.Remove(name);
  for (const config::HeaderAdd& add : mutation.add) {
    switch (add.action) {
      case config::v1::HeaderValueOption::ADD_IF_ABSENT:
        if (!headers.Has(add.key)) headers.Add(add.key, add.value);
        break;
      case config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD:
        headers.Set(add.key, add.value);
        break;
      default:  // APPEND_IF_EXISTS_OR_ADD: a new field, as Envoy adds an entry
        headers.Add(add.key, add.value);
        break;
    }
  }
}

void SetForwardedHeaders(codec::HeaderMap& headers, std::string_view peer_ip, bool use_remote_address,
                         std::string_view proto) {
  if (!use_remote_address) {
    if (!headers.Has("x-forwarded-proto")) headers.Set("x-forwarded-proto", proto);
    return;
  }
  std::string value;
  headers.ForEachValue("x-forwarded-for", [&](std::string_view v) {
    value.append(v);
    value += ',';
  });
  value.append(peer_ip);
  headers.Set("x-forwarded-for", value);
  headers.Set("x-forwarded-proto", proto);
}

void PrepareUpstreamHeaders(codec::HeaderMap& headers, const UpstreamHeaderContext& c) {
  headers.Remove("expect");
  TranslateRequestHeaders(headers, c.upstream, "http");
  std::string_view peer_ip = SplitHostPort(c.peer_address).first;
  if (peer_ip.size() >= 2 && peer_ip.front() == '[' && peer_ip.back() == ']') {
    peer_ip = peer_ip.substr(1, peer_ip.size() - 2);
  }
  SetForwardedHeaders(headers, peer_ip, c.listener.use_remote_address, c.listener.forwarded_proto);
  ApplyHeaderMutation(headers, c.listener.routes->request_headers);
  if (c.vhost != nullptr) ApplyHeaderMutation(headers, c.vhost->request_headers);
  ApplyHeaderMutation(headers, c.route.request_headers);
  if (c.route.has_prefix_rewrite) {
    const std::string original(headers.Get(codec::PseudoHeader::kPath));
    headers.Set("x-envoy-original-path", original);
    headers.Set(codec::PseudoHeader::kPath, RewriteTarget(c.route, original));
  }
  if (!c.route.host_rewrite.empty()) headers.Set(codec::PseudoHeader::kAuthority, c.route.host_rewrite);
}

void ApplyResponseMutations(codec::HeaderMap& headers, const config::RouteTable& table,
                            const config::VirtualHost* vhost, const config::Route* route) {
  if (route != nullptr) ApplyHeaderMutation(headers, route->response_headers);
  if (vhost != nullptr) ApplyHeaderMutation(headers, vhost->response_headers);
  ApplyHeaderMutation(headers, table.response_headers);
}

}  // namespace tether::http
