#include "src/http/header_utils.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace tether::http {

namespace bhttp = boost::beast::http;

namespace {

bool IsHopByHop(bhttp::field f) {
  switch (f) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
      return true;
    default:
      return false;
  }
}

}  // namespace

void RemoveHopByHopHeaders(bhttp::fields& headers) {
  // Names listed in Connection are hop-by-hop too (RFC 9110 7.6.1); the usual
  // "close" and "keep-alive" need no second pass.
  std::vector<std::string> listed;
  auto range = headers.equal_range(bhttp::field::connection);
  for (auto it = range.first; it != range.second; ++it) {
    for (absl::string_view token : absl::StrSplit(absl::string_view(it->value().data(), it->value().size()), ',')) {
      token = absl::StripAsciiWhitespace(token);
      if (token.empty() || absl::EqualsIgnoreCase(token, "close") || absl::EqualsIgnoreCase(token, "keep-alive")) continue;
      listed.emplace_back(token);
    }
  }
  for (const std::string& name : listed) headers.erase(name);
  // One pass over the fields rather than a lookup per hop-by-hop name.
  for (auto it = headers.begin(); it != headers.end();) {
    it = IsHopByHop(it->name()) ? headers.erase(it) : std::next(it);
  }
}

void ApplyHeaderMutation(bhttp::fields& headers, const config::HeaderMutation& mutation) {
  for (const std::string& name : mutation.remove) headers.erase(name);
  for (const config::HeaderAdd& add : mutation.add) {
    switch (add.action) {
      case config::v1::HeaderValueOption::ADD_IF_ABSENT:
        if (headers.find(add.key) == headers.end()) headers.insert(add.key, add.value);
        break;
      case config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD:
        headers.set(add.key, add.value);
        break;
      default:
        headers.insert(add.key, add.value);
        break;
    }
  }
}

void SetForwardedHeaders(bhttp::fields& headers, std::string_view peer_ip, bool use_remote_address,
                         std::string_view proto) {
  if (use_remote_address) {
    // We are the edge: the peer is the client, whatever it claims.
    auto it = headers.find("x-forwarded-for");
    if (it == headers.end()) {
      headers.set("x-forwarded-for", peer_ip);
    } else {
      std::string value(it->value());
      value += ", ";
      value += peer_ip;
      headers.set("x-forwarded-for", value);
    }
    headers.set("x-forwarded-proto", proto);
  } else if (headers.find("x-forwarded-proto") == headers.end()) {
    headers.set("x-forwarded-proto", proto);
  }
}

std::string RewriteTarget(const config::Route& route, std::string_view target) {
  if (!route.has_prefix_rewrite) return std::string(target);
  const size_t query = target.find('?');
  const std::string_view path = target.substr(0, query);
  const std::string_view rest = query == std::string_view::npos ? std::string_view() : target.substr(query);
  std::string out = route.prefix_rewrite;
  if (route.path_kind == config::Route::PathKind::kPrefix && path.size() >= route.path.size()) {
    out.append(path.substr(route.path.size()));
  }
  // "/api/" + "" stays "/api/"; a rewrite to "" of "/x" gives "/x" without a leading "/" fixed below.
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  out.append(rest);
  return out;
}

std::string RedirectLocation(const config::Route& route, std::string_view scheme, std::string_view host,
                             std::string_view target) {
  const config::Redirect& r = route.redirect;
  std::string out = r.scheme.empty() ? std::string(scheme) : r.scheme;
  out += "://";
  std::string_view host_only = host;
  std::string_view port;
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
    host_only = host.substr(0, colon);
    port = host.substr(colon + 1);
  }
  out += r.host.empty() ? std::string(host_only) : r.host;
  if (r.port != 0) {
    out += ':';
    out += std::to_string(r.port);
  } else if (!port.empty() && r.host.empty()) {
    out += ':';
    out += port;
  }
  const size_t query = target.find('?');
  const std::string_view path = target.substr(0, query);
  const std::string_view rest = query == std::string_view::npos ? std::string_view() : target.substr(query);
  if (!r.path.empty()) {
    out += r.path;
  } else if (r.has_prefix_rewrite && route.path_kind == config::Route::PathKind::kPrefix &&
             path.size() >= route.path.size()) {
    out += r.prefix_rewrite;
    out.append(path.substr(route.path.size()));
  } else {
    out.append(path);
  }
  if (!r.strip_query) out.append(rest);
  return out;
}

}  // namespace tether::http
