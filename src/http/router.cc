#include "src/http/router.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace tether::http {
namespace {

std::string_view StripPort(std::string_view host) {
  if (host.starts_with("[")) {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::string_view PathOnly(std::string_view target) {
  const size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

bool MatchHeader(const config::HeaderMatch& m, const boost::beast::http::fields& headers) {
  auto range = headers.equal_range(m.name);
  const bool present = range.first != range.second;
  bool result = false;
  if (m.kind == config::HeaderMatch::Kind::kPresent) {
    result = present == m.present;
  } else if (present) {
    // Several fields of one name are matched as Envoy does: joined with ",".
    std::string joined;
    for (auto it = range.first; it != range.second; ++it) {
      if (!joined.empty()) joined += ',';
      joined.append(it->value().data(), it->value().size());
    }
    const std::string_view v = joined;
    switch (m.kind) {
      case config::HeaderMatch::Kind::kExact: result = v == m.value; break;
      case config::HeaderMatch::Kind::kPrefix: result = v.starts_with(m.value); break;
      case config::HeaderMatch::Kind::kSuffix: result = v.ends_with(m.value); break;
      case config::HeaderMatch::Kind::kContains: result = v.find(m.value) != std::string_view::npos; break;
      case config::HeaderMatch::Kind::kRegex: result = re2::RE2::FullMatch(joined, *m.regex); break;
      case config::HeaderMatch::Kind::kPresent: break;
    }
  }
  return result != m.invert;
}

bool MatchPath(const config::Route& route, std::string_view path) {
  if (route.path_kind == config::Route::PathKind::kRegex) {
    return re2::RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *route.regex);
  }
  std::string lowered;
  if (!route.case_sensitive) {
    lowered = absl::AsciiStrToLower(absl::string_view(path.data(), path.size()));
    path = lowered;
  }
  return route.path_kind == config::Route::PathKind::kExact ? path == route.path : path.starts_with(route.path);
}

}  // namespace

const config::VirtualHost* SelectVirtualHost(const config::RouteTable& table, std::string_view host) {
  const std::string name = absl::AsciiStrToLower(absl::string_view(StripPort(host).data(), StripPort(host).size()));
  const config::VirtualHost* suffix_match = nullptr;
  size_t suffix_len = 0;
  const config::VirtualHost* prefix_match = nullptr;
  size_t prefix_len = 0;
  const config::VirtualHost* any = nullptr;
  for (const auto& vhost : table.virtual_hosts) {
    for (const std::string& d : vhost.domains) {
      if (d == "*") {
        if (any == nullptr) any = &vhost;
      } else if (d.starts_with("*")) {
        const std::string_view suffix = std::string_view(d).substr(1);
        // "*.foo.com" needs at least one character before the suffix.
        if (name.size() > suffix.size() && std::string_view(name).ends_with(suffix) && suffix.size() > suffix_len) {
          suffix_match = &vhost;
          suffix_len = suffix.size();
        }
      } else if (d.ends_with("*")) {
        const std::string_view prefix = std::string_view(d).substr(0, d.size() - 1);
        if (name.size() > prefix.size() && std::string_view(name).starts_with(prefix) && prefix.size() > prefix_len) {
          prefix_match = &vhost;
          prefix_len = prefix.size();
        }
      } else if (d == name) {
        return &vhost;
      }
    }
  }
  if (suffix_match != nullptr) return suffix_match;
  if (prefix_match != nullptr) return prefix_match;
  return any;
}

const config::Route* MatchRoute(const config::VirtualHost& vhost, std::string_view target,
                                const boost::beast::http::fields& headers) {
  const std::string_view path = PathOnly(target);
  for (const auto& route : vhost.routes) {
    if (!MatchPath(route, path)) continue;
    bool headers_ok = true;
    for (const auto& m : route.headers) {
      if (!MatchHeader(m, headers)) {
        headers_ok = false;
        break;
      }
    }
    if (headers_ok) return &route;
  }
  return nullptr;
}

RouteMatchResult Route(const config::RouteTable& table, std::string_view host, std::string_view target,
                       const boost::beast::http::fields& headers) {
  RouteMatchResult result;
  result.vhost = SelectVirtualHost(table, host);
  if (result.vhost != nullptr) result.route = MatchRoute(*result.vhost, target, headers);
  return result;
}

const std::string& PickCluster(const config::Route& route, uint64_t roll) {
  if (route.clusters.size() == 1 || route.total_weight == 0) return route.clusters.front().cluster;
  uint64_t point = roll % route.total_weight;
  for (const auto& target : route.clusters) {
    if (point < target.weight) return target.cluster;
    point -= target.weight;
  }
  return route.clusters.back().cluster;
}

}  // namespace tether::http
