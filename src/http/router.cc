#include "src/http/router.h"

#include "absl/functional/function_ref.h"
#include "src/common/text.h"

#include <iterator>
#include <string>

namespace tether::http {
namespace {


bool StartsWithLower(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLower(s.substr(0, lower.size()), lower);
}

bool EndsWithLower(std::string_view s, std::string_view lower) {
  return s.size() >= lower.size() && EqualsLower(s.substr(s.size() - lower.size()), lower);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "[::1]:80" -> "[::1]", "a.com:80" -> "a.com"; a colon not followed by a
// numeric port (a bare IPv6 literal) is left alone, as Envoy does.
std::string_view StripPort(std::string_view host) {
  size_t colon = std::string_view::npos;
  if (host.starts_with("[")) {
    const size_t close = host.rfind("]:");
    if (close != std::string_view::npos) colon = close + 1;
  } else {
    colon = host.rfind(':');
    if (colon != std::string_view::npos && host.find(':') != colon) colon = std::string_view::npos;
  }
  if (colon == std::string_view::npos || !AllDigits(host.substr(colon + 1))) return host;
  return host.substr(0, colon);
}

// The path without query or fragment; an absolute-form target
// ("http://host/p?q") is reduced to its path like Envoy does.
std::string_view PathOnly(std::string_view target) {
  if (!target.starts_with('/')) {
    const size_t scheme_end = target.find("://");
    if (scheme_end != std::string_view::npos) {
      const size_t path_start = target.find_first_of("/?#", scheme_end + 3);
      target = path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
      if (!target.starts_with('/')) return "/";
    }
  }
  const size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

void CodecValues(const codec::HeaderMap& headers, std::string_view name,
                 absl::FunctionRef<void(std::string_view)> each) {
  for (const auto& field : headers) {
    if (codec::HeaderNameEquals(field.name, name)) each(field.value);
  }
}

bool MatchValue(const config::HeaderMatch& m, std::string_view v) {
  switch (m.kind) {
    case config::HeaderMatch::Kind::kExact: return v == m.value;
    case config::HeaderMatch::Kind::kPrefix: return v.starts_with(m.value);
    case config::HeaderMatch::Kind::kSuffix: return v.ends_with(m.value);
    case config::HeaderMatch::Kind::kContains: return v.find(m.value) != std::string_view::npos;
    case config::HeaderMatch::Kind::kRegex:
      return m.regex != nullptr && re2::RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *m.regex);
    case config::HeaderMatch::Kind::kPresent: return true;
  }
  return false;
}

// route.path is stored lower-cased for case-insensitive routes.
bool MatchPath(const config::Route& route, std::string_view path) {
  switch (route.path_kind) {
    case config::Route::PathKind::kRegex:
      return route.regex != nullptr && re2::RE2::FullMatch(re2::StringPiece(path.data(), path.size()), *route.regex);
    case config::Route::PathKind::kExact:
      return route.case_sensitive ? path == route.path : EqualsLower(path, route.path);
    case config::Route::PathKind::kPrefix:
      return route.case_sensitive ? path.starts_with(route.path) : StartsWithLower(path, route.path);
  }
  return false;
}

// How a host matches one domain: 0 = no match; otherwise the match class
// (3 exact, 2 suffix wildcard, 1 prefix wildcard) and the wildcard length.
struct DomainMatch {
  int rank = 0;
  size_t length = 0;
};

DomainMatch MatchDomain(std::string_view domain, std::string_view host) {
  if (domain == "*") return {0, 0};  // handled by the caller as the last resort
  if (domain.starts_with('*')) {
    const std::string_view suffix = domain.substr(1);
    // "*.foo.com" needs at least one character before ".foo.com".
    if (host.size() > suffix.size() && EndsWithLower(host, suffix)) return {2, suffix.size()};
    return {};
  }
  if (domain.ends_with('*')) {
    const std::string_view prefix = domain.substr(0, domain.size() - 1);
    if (host.size() > prefix.size() && StartsWithLower(host, prefix)) return {1, prefix.size()};
    return {};
  }
  return EqualsLower(host, domain) ? DomainMatch{3, domain.size()} : DomainMatch{};
}

}  // namespace

// Envoy's semantics: an absent header matches only an inverted present_match
// (or present_match: false); several fields of one name are joined with ",".
bool MatchHeader(const config::HeaderMatch& m, const codec::HeaderMap& headers) {
  // A pseudo-header (":method", ":authority"...) is matched as the field it stands for.
  if (m.name.starts_with(':')) {
    const std::optional<codec::PseudoHeader> pseudo = codec::ParsePseudoHeader(m.name);
    const bool set = pseudo && headers.Has(*pseudo);
    if (m.kind == config::HeaderMatch::Kind::kPresent) return (set == m.present) != m.invert;
    return set && MatchValue(m, headers.Get(*pseudo)) != m.invert;
  }
  int count = 0;
  std::string_view first;
  std::string joined;  // rare: only for repeated fields
  CodecValues(headers, m.name, [&](std::string_view value) {
    if (++count == 1) {
      first = value;
      return;
    }
    if (count == 2) joined.assign(first);
    joined += ',';
    joined.append(value);
  });
  if (m.kind == config::HeaderMatch::Kind::kPresent) return ((count > 0) == m.present) != m.invert;
  if (count == 0) return false;
  return MatchValue(m, count == 1 ? first : std::string_view(joined)) != m.invert;
}

const config::VirtualHost* SelectVirtualHost(const config::RouteTable& table, std::string_view host) {
  // Domains are lower-case; comparing without case avoids a copy per request.
  const std::string_view name = StripPort(host);
  const config::VirtualHost* best = nullptr;
  DomainMatch best_match;
  const config::VirtualHost* any = nullptr;
  for (const auto& vhost : table.virtual_hosts) {
    for (const std::string& d : vhost.domains) {
      if (d == "*") {
        if (any == nullptr) any = &vhost;
        continue;
      }
      const DomainMatch m = MatchDomain(d, name);
      if (m.rank == 3) return &vhost;
      // First wins among equals: duplicates are refused by the validator anyway.
      if (m.rank > best_match.rank || (m.rank == best_match.rank && m.length > best_match.length)) {
        best = &vhost;
        best_match = m;
      }
    }
  }
  return best != nullptr ? best : any;
}

const config::Route* MatchRoute(const config::VirtualHost& vhost, std::string_view target,
                                const codec::HeaderMap& headers) {
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

RouteMatchResult Route(const config::RouteTable& table, const codec::HeaderMap& headers) {
  std::string_view host = headers.Get(codec::PseudoHeader::kAuthority);
  if (host.empty()) host = headers.Get("host").value_or(std::string_view());
  RouteMatchResult result;
  result.vhost = SelectVirtualHost(table, host);
  if (result.vhost != nullptr) {
    result.route = MatchRoute(*result.vhost, headers.Get(codec::PseudoHeader::kPath), headers);
  }
  return result;
}

const std::string& PickCluster(const config::Route& route, uint64_t roll) {
  static const std::string kNone;
  if (route.clusters.empty()) return kNone;
  if (route.clusters.size() == 1 || route.total_weight == 0) return route.clusters.front().cluster;
  // Intervals [0, w1), [w1, w1 + w2), ... as Envoy's weighted clusters.
  uint64_t point = roll % route.total_weight;
  for (const auto& target : route.clusters) {
    if (point < target.weight) return target.cluster;
    point -= target.weight;
  }
  return route.clusters.back().cluster;
}

}  // namespace tether::http
