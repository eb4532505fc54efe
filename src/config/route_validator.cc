#include "src/config/route_validator.h"

#include <cstdint>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/config/hash_policy.h"
#include "src/config/retry_policy.h"
#include "src/config/http_filters.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;
using google::protobuf::RepeatedPtrField;

// A CR or LF in a configured value would let it split the message into two.
bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

absl::Status CheckRegex(const std::string& path, const std::string& pattern, bool case_sensitive,
                        CompiledRegexes& regexes) {
  if (pattern.empty()) return Err(path, "required (an RE2 regex)");
  return regexes.Compile(pattern, case_sensitive, path).status();
}

absl::Status CheckHeadersToAdd(const std::string& path, const RepeatedPtrField<v1::HeaderValueOption>& add) {
  for (int i = 0; i < add.size(); ++i) {
    const std::string hp = StrCat(path, "[", i, "].header");
    const auto& h = add[i].header();
    if (h.key().empty()) return Err(hp + ".key", "required");
    if (!IsHeaderToken(h.key())) return Err(hp + ".key", StrCat("\"", h.key(), "\" is not a valid header name"));
    if (HasLineBreak(h.value())) return Err(hp + ".value", "must not contain a line break");
    if (!v1::HeaderValueOption::AppendAction_IsValid(add[i].append_action())) {
      return Err(StrCat(path, "[", i, "].append_action"), StrCat("unknown action ", add[i].append_action()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHeadersToRemove(const std::string& path, const RepeatedPtrField<std::string>& remove) {
  for (int i = 0; i < remove.size(); ++i) {
    if (!IsHeaderToken(remove[i])) return Err(StrCat(path, "[", i, "]"), StrCat("\"", remove[i], "\" is not a valid header name"));
  }
  return absl::OkStatus();
}

// The four mutation lists every level (configuration, virtual host, route) has.
template <typename T>
absl::Status CheckMutations(const std::string& path, const T& m) {
  TETHER_RETURN_IF_ERROR(CheckHeadersToAdd(path + ".request_headers_to_add", m.request_headers_to_add()));
  TETHER_RETURN_IF_ERROR(CheckHeadersToRemove(path + ".request_headers_to_remove", m.request_headers_to_remove()));
  TETHER_RETURN_IF_ERROR(CheckHeadersToAdd(path + ".response_headers_to_add", m.response_headers_to_add()));
  return CheckHeadersToRemove(path + ".response_headers_to_remove", m.response_headers_to_remove());
}

absl::Status CheckMatch(const std::string& path, const v1::RouteMatch& match, CompiledRegexes& regexes) {
  switch (match.path_specifier_case()) {
    case v1::RouteMatch::kPrefix:
      if (!match.prefix().starts_with("/")) return Err(path + ".prefix", "must start with \"/\"");
      break;
    case v1::RouteMatch::kPath:
      if (!match.path().starts_with("/")) return Err(path + ".path", "must start with \"/\"");
      break;
    case v1::RouteMatch::kSafeRegex:
      // Compiled as the snapshot uses it, so BuildSnapshot takes this RE2.
      TETHER_RETURN_IF_ERROR(CheckRegex(path + ".safe_regex.regex", match.safe_regex().regex(),
                                        !match.has_case_sensitive() || match.case_sensitive(), regexes));
      break;
    default:
      return Err(path, "needs one of prefix, path, safe_regex (prefix: \"/\" matches everything)");
  }
  for (int i = 0; i < match.headers_size(); ++i) {
    const auto& h = match.headers(i);
    const std::string hp = StrCat(path, ".headers[", i, "]");
    if (h.name().empty()) return Err(hp + ".name", "required");
    if (!IsHeaderToken(h.name())) return Err(hp + ".name", StrCat("\"", h.name(), "\" is not a valid header name"));
    if (h.has_safe_regex_match()) {
      TETHER_RETURN_IF_ERROR(CheckRegex(hp + ".safe_regex_match.regex", h.safe_regex_match().regex(), true, regexes));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckClusterName(const std::string& path, const std::string& name, const std::set<std::string>* clusters) {
  if (name.empty()) return Err(path, "required");
  if (clusters != nullptr && !clusters->contains(name)) return Err(path, StrCat("unknown cluster \"", name, "\""));
  return absl::OkStatus();
}

absl::Status CheckRouteAction(const std::string& path, const v1::RouteAction& action,
                              const std::set<std::string>* clusters) {
  switch (action.cluster_specifier_case()) {
    case v1::RouteAction::kCluster:
      TETHER_RETURN_IF_ERROR(CheckClusterName(path + ".cluster", action.cluster(), clusters));
      break;
    case v1::RouteAction::kWeightedClusters: {
      const auto& wc = action.weighted_clusters().clusters();
      if (wc.empty()) return Err(path + ".weighted_clusters.clusters", "needs at least one cluster");
      uint64_t total = 0;
      for (int i = 0; i < wc.size(); ++i) {
        TETHER_RETURN_IF_ERROR(
            CheckClusterName(StrCat(path, ".weighted_clusters.clusters[", i, "].name"), wc[i].name(), clusters));
        total += wc[i].weight();
      }
      if (total == 0) return Err(path + ".weighted_clusters", "total weight must be greater than 0");
      if (total > UINT32_MAX) return Err(path + ".weighted_clusters", "total weight must fit in 32 bits");
      break;
    }
    default:
      return Err(path, "needs cluster or weighted_clusters");
  }
  if (HasLineBreak(action.host_rewrite_literal())) return Err(path + ".host_rewrite_literal", "must not contain a line break");
  if (!action.prefix_rewrite().empty() && HasLineBreak(action.prefix_rewrite())) {
    return Err(path + ".prefix_rewrite", "must not contain a line break");
  }
  if (action.has_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".timeout", action.timeout(), false));
  if (action.has_max_grpc_timeout()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".max_grpc_timeout", action.max_grpc_timeout(), false));
  }
  if (action.has_idle_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".idle_timeout", action.idle_timeout(), false));
  if (action.has_grpc_timeout_offset()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".grpc_timeout_offset", action.grpc_timeout_offset(), false));
  }
  return absl::OkStatus();
}

absl::Status CheckRedirect(const std::string& path, const v1::RedirectAction& r) {
  if (!v1::RedirectAction::RedirectResponseCode_IsValid(r.response_code())) {
    return Err(path + ".response_code",
               StrCat(r.response_code(), " is not a redirect code (MOVED_PERMANENTLY, FOUND, SEE_OTHER, "
                                         "TEMPORARY_REDIRECT, PERMANENT_REDIRECT)"));
  }
  if (r.port_redirect() > 65535) return Err(path + ".port_redirect", StrCat(r.port_redirect(), " is not a port (1-65535)"));
  if (!r.scheme_redirect().empty() && r.https_redirect()) {
    return Err(path + ".scheme_redirect", "cannot be set together with https_redirect");
  }
  const std::string lower_scheme = absl::AsciiStrToLower(r.scheme_redirect());
  if (!r.scheme_redirect().empty() && lower_scheme != "http" && lower_scheme != "https") {
    return Err(path + ".scheme_redirect", StrCat("\"", r.scheme_redirect(), "\" is not http or https"));
  }
  if (r.has_path_redirect() && !r.path_redirect().starts_with("/")) {
    return Err(path + ".path_redirect", "must start with \"/\"");
  }
  if (HasLineBreak(r.host_redirect()) || HasLineBreak(r.path_redirect()) || HasLineBreak(r.prefix_rewrite())) {
    return Err(path, "redirect parts must not contain a line break");
  }
  return absl::OkStatus();
}

absl::Status CheckRoute(const std::string& path, const v1::Route& route, const std::set<std::string>* clusters,
                        CompiledRegexes& regexes) {
  if (!route.has_match()) return Err(path + ".match", "required (e.g. match: {prefix: \"/\"})");
  TETHER_RETURN_IF_ERROR(CheckMatch(path + ".match", route.match(), regexes));
  switch (route.action_case()) {
    case v1::Route::kRoute:
      TETHER_RETURN_IF_ERROR(CheckRouteAction(path + ".route", route.route(), clusters));
      break;
    case v1::Route::kRedirect:
      TETHER_RETURN_IF_ERROR(CheckRedirect(path + ".redirect", route.redirect()));
      break;
    case v1::Route::kDirectResponse: {
      const uint32_t status = route.direct_response().status();
      if (status < 200 || status > 599) {
        return Err(path + ".direct_response.status", StrCat(status, " is not a status code (200-599)"));
      }
      break;
    }
    default:
      return Err(path, "needs one of route, redirect, direct_response");
  }
  TETHER_RETURN_IF_ERROR(ApplyRouteFilters(route, path, nullptr));
  return CheckMutations(path, route);
}

// "*", "*.suffix", "*suffix", "prefix*" or an exact name: at most one "*", at an end.
bool ValidDomain(const std::string& d) {
  const size_t star = d.find('*');
  if (star == std::string::npos) return true;
  if (d.find('*', star + 1) != std::string::npos) return false;
  return star == 0 || star == d.size() - 1;
}

absl::Status CheckVirtualHost(const std::string& path, const v1::VirtualHost& vh,
                              std::map<std::string, std::string>& domains_seen,
                              const std::set<std::string>* clusters, CompiledRegexes& regexes) {
  if (vh.domains().empty()) return Err(path + ".domains", "needs at least one domain (\"*\" matches all)");
  for (int j = 0; j < vh.domains_size(); ++j) {
    // Hosts are matched case-insensitively, so "API.local" and "api.local" collide.
    const std::string d = absl::AsciiStrToLower(vh.domains(j));
    const std::string dp = StrCat(path, ".domains[", j, "]");
    if (d.empty()) return Err(dp, "empty domain");
    if (!ValidDomain(d)) {
      return Err(dp, StrCat("\"", vh.domains(j), "\": a wildcard is only allowed as a leading or trailing \"*\""));
    }
    auto [it, inserted] = domains_seen.emplace(d, vh.name());
    if (!inserted) return Err(dp, StrCat("domain \"", d, "\" is also in virtual host \"", it->second, "\""));
  }
  for (int j = 0; j < vh.routes_size(); ++j) {
    const std::string rp = StrCat(path, ".routes[", j, "]");
    TETHER_RETURN_IF_ERROR(CheckRoute(rp, vh.routes(j), clusters, regexes));
    if (vh.routes(j).has_route()) {
      TETHER_RETURN_IF_ERROR(ApplyRouteRetry(vh, path, vh.routes(j), rp, regexes, nullptr));
      TETHER_RETURN_IF_ERROR(ApplyRouteHashPolicy(vh.routes(j).route(), rp + ".route", nullptr));
    }
  }
  return CheckMutations(path, vh);
}

}  // namespace

absl::Status ValidateRouteConfig(const std::string& path, const v1::RouteConfiguration& rc,
                                 const std::set<std::string>* clusters, CompiledRegexes& regexes) {
  std::set<std::string> names;
  std::map<std::string, std::string> domains;  // domain -> virtual host
  for (int i = 0; i < rc.virtual_hosts_size(); ++i) {
    const auto& vh = rc.virtual_hosts(i);
    const std::string vp = StrCat(path, ".virtual_hosts[", i, "]");
    if (vh.name().empty()) return Err(vp + ".name", "required");
    if (!names.insert(vh.name()).second) return Err(vp + ".name", StrCat("duplicate virtual host \"", vh.name(), "\""));
    TETHER_RETURN_IF_ERROR(CheckVirtualHost(vp, vh, domains, clusters, regexes));
  }
  return CheckMutations(path, rc);
}

}  // namespace tether::config
