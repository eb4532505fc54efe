#include "src/http/header_utils.h"

#include <vector>

#include <boost/beast/http/field.hpp>

#include "absl/container/inlined_vector.h"
#include "src/common/host_port.h"
#include "src/http/header_translation.h"

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

std::string_view ToView(boost::beast::string_view v) { return {v.data(), v.size()}; }

// Splits a target into path and the rest ("?query" and/or "#fragment").
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const size_t end = target.find_first_of("?#");
  if (end == std::string_view::npos) return {target, {}};
  return {target.substr(0, end), target.substr(end)};
}

// `path` with the route's matched part replaced by `replacement`: the prefix
// for prefix routes (which matched, so its length is that of route.path even
// when matched without case), the whole path for exact and regex routes.
std::string ReplaceMatched(const config::Route& route, std::string_view path, std::string_view replacement) {
  std::string out(replacement);
  if (route.path_kind == config::Route::PathKind::kPrefix && path.size() >= route.path.size()) {
    out.append(path.substr(route.path.size()));
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

}  // namespace

void RemoveHopByHopHeaders(HeaderMap& headers) {
  // Names listed in Connection are hop-by-hop too. Collected first: erasing
  // while walking Connection's own values would be fragile.
  absl::InlinedVector<std::string_view, 4> listed;
  const auto range = headers.equal_range(bhttp::field::connection);
  for (auto it = range.first; it != range.second; ++it) {
    ForEachNominatedField(ToView(it->value()), [&](std::string_view name) { listed.push_back(name); });
  }
  // The views point into Connection values, which stay until the pass below.
  for (const std::string_view name : listed) headers.erase(boost::beast::string_view(name.data(), name.size()));
  // One pass over the fields rather than a lookup per hop-by-hop name.
  for (auto it = headers.begin(); it != headers.end();) {
    it = IsHopByHop(it->name()) ? headers.erase(it) : std::next(it);
  }
}

void ApplyHeaderMutation(HeaderMap& headers, const config::HeaderMutation& mutation) {
  for (const std::string& name : mutation.remove) headers.erase(name);
  for (const config::HeaderAdd& add : mutation.add) {
    switch (add.action) {
      case config::v1::HeaderValueOption::ADD_IF_ABSENT:
        if (headers.find(add.key) == headers.end()) headers.insert(add.key, add.value);
        break;
      case config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD:
        headers.set(add.key, add.value);  // replaces every field of that name
        break;
      default:  // APPEND_IF_EXISTS_OR_ADD: a new field, as Envoy adds an entry
        headers.insert(add.key, add.value);
        break;
    }
  }
}

void SetForwardedHeaders(HeaderMap& headers, std::string_view peer_ip, bool use_remote_address,
                         std::string_view proto) {
  if (!use_remote_address) {
    // Behind a trusted edge: what it said stands.
    if (headers.find("x-forwarded-proto") == headers.end()) headers.set("x-forwarded-proto", proto);
    return;
  }
  // We are the edge: append the peer (whatever the client claims) to all
  // x-forwarded-for fields joined into one, with "," as Envoy does.
  std::string value;
  const auto range = headers.equal_range("x-forwarded-for");
  for (auto it = range.first; it != range.second; ++it) {
    value.append(it->value().data(), it->value().size());
    value += ',';
  }
  value.append(peer_ip);
  headers.set("x-forwarded-for", value);
  headers.set("x-forwarded-proto", proto);
}

std::string RewriteTarget(const config::Route& route, std::string_view target) {
  if (!route.has_prefix_rewrite) return std::string(target);
  const auto [path, rest] = SplitTarget(target);
  std::string out = ReplaceMatched(route, path, route.prefix_rewrite);
  out.append(rest);
  return out;
}

std::string RedirectLocation(const config::Route& route, std::string_view scheme, std::string_view host,
                             std::string_view target) {
  const config::Redirect& r = route.redirect;
  const std::string_view request_scheme = scheme.empty() ? std::string_view("http") : scheme;
  const std::string_view new_scheme = r.scheme.empty() ? request_scheme : std::string_view(r.scheme);
  std::string out(new_scheme);
  out += "://";
  if (!r.host.empty()) {
    out += r.host;  // replaces host and port, as in Envoy
  } else {
    const auto [host_only, port] = SplitHostPort(host);
    // Like Envoy, a port that was the default of the old scheme goes away
    // with a scheme change, and any port goes when port_redirect is set.
    const bool default_port =
        (request_scheme == "http" && port == "80") || (request_scheme == "https" && port == "443");
    const bool drop_port = r.port != 0 || (new_scheme != request_scheme && default_port);
    out += drop_port ? host_only : host;
  }
  if (r.port != 0) {
    out += ':';
    out += std::to_string(r.port);
  }
  const auto [path, rest] = SplitTarget(target);
  std::string_view query = rest;
  if (!r.path.empty()) {
    out += r.path.front() == '/' ? "" : "/";
    out += r.path;
    if (r.path.find('?') != std::string::npos) query = {};  // its own query wins
  } else if (r.has_prefix_rewrite) {
    out += ReplaceMatched(route, path, r.prefix_rewrite);
  } else {
    out.append(path.empty() ? std::string_view("/") : path);
  }
  if (!r.strip_query) out.append(query);
  return out;
}

}  // namespace tether::http
