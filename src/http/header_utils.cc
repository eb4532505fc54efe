#include "src/http/header_utils.h"

#include "src/common/host_port.h"

namespace tether::http {

namespace {

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
