#include "src/config/validator.h"

#include <arpa/inet.h>

#include <map>
#include <set>

#include <re2/re2.h>

#include "absl/strings/str_cat.h"
#include "src/config/access_log_format.h"
#include "src/config/tracing_validator.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsHostname(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

absl::Status CheckSocketAddress(const std::string& path, const v1::SocketAddress& a, bool ip_only) {
  if (a.address().empty()) return Err(path + ".address", "required");
  if (ip_only && !IsIp(a.address())) return Err(path + ".address", StrCat("\"", a.address(), "\" is not an IP address"));
  if (!ip_only && !IsIp(a.address()) && !IsHostname(a.address())) {
    return Err(path + ".address", StrCat("\"", a.address(), "\" is not an IP address or hostname"));
  }
  if (a.port_value() < 1 || a.port_value() > 65535) {
    return Err(path + ".port_value", StrCat(a.port_value(), " is not a port (1-65535)"));
  }
  return absl::OkStatus();
}

absl::Status CheckRegex(const std::string& path, const std::string& pattern) {
  if (pattern.empty()) return Err(path, "empty regex");
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) return Err(path, StrCat("invalid regex \"", pattern, "\": ", re.error()));
  return absl::OkStatus();
}

absl::Status CheckHeaderMutation(const std::string& path,
                                 const google::protobuf::RepeatedPtrField<v1::HeaderValueOption>& add,
                                 const google::protobuf::RepeatedPtrField<std::string>& remove,
                                 const std::string& add_name, const std::string& remove_name) {
  for (int i = 0; i < add.size(); ++i) {
    if (add[i].header().key().empty()) return Err(StrCat(path, add_name, "[", i, "].header.key"), "required");
  }
  for (int i = 0; i < remove.size(); ++i) {
    if (remove[i].empty()) return Err(StrCat(path, remove_name, "[", i, "]"), "empty header name");
  }
  return absl::OkStatus();
}

absl::Status CheckRoute(const std::string& path, const v1::Route& route, const std::set<std::string>& clusters) {
  const v1::RouteMatch& match = route.match();
  switch (match.path_specifier_case()) {
    case v1::RouteMatch::kPrefix:
      if (!match.prefix().starts_with("/")) return Err(path + ".match.prefix", "must start with \"/\"");
      break;
    case v1::RouteMatch::kPath:
      if (!match.path().starts_with("/")) return Err(path + ".match.path", "must start with \"/\"");
      break;
    case v1::RouteMatch::kSafeRegex:
      TETHER_RETURN_IF_ERROR(CheckRegex(path + ".match.safe_regex.regex", match.safe_regex().regex()));
      break;
    default:
      return Err(path + ".match", "needs one of prefix, path, safe_regex");
  }
  for (int i = 0; i < match.headers_size(); ++i) {
    const auto& h = match.headers(i);
    const std::string hp = StrCat(path, ".match.headers[", i, "]");
    if (h.name().empty()) return Err(hp + ".name", "required");
    if (h.has_safe_regex_match()) TETHER_RETURN_IF_ERROR(CheckRegex(hp + ".safe_regex_match.regex", h.safe_regex_match().regex()));
  }
  switch (route.action_case()) {
    case v1::Route::kRoute: {
      const v1::RouteAction& action = route.route();
      const std::string ap = path + ".route";
      if (action.cluster_specifier_case() == v1::RouteAction::kCluster) {
        if (!clusters.contains(action.cluster())) return Err(ap + ".cluster", StrCat("unknown cluster \"", action.cluster(), "\""));
      } else if (action.cluster_specifier_case() == v1::RouteAction::kWeightedClusters) {
        const auto& wc = action.weighted_clusters().clusters();
        if (wc.empty()) return Err(ap + ".weighted_clusters.clusters", "needs at least one cluster");
        uint64_t total = 0;
        for (int i = 0; i < wc.size(); ++i) {
          const std::string cp = StrCat(ap, ".weighted_clusters.clusters[", i, "]");
          if (!clusters.contains(wc[i].name())) return Err(cp + ".name", StrCat("unknown cluster \"", wc[i].name(), "\""));
          total += wc[i].weight();
        }
        if (total == 0) return Err(ap + ".weighted_clusters", "total weight must be greater than 0");
      } else {
        return Err(ap, "needs cluster or weighted_clusters");
      }
      if (action.has_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(ap + ".timeout", action.timeout(), false));
      break;
    }
    case v1::Route::kDirectResponse: {
      const unsigned status = route.direct_response().status();
      if (status < 200 || status > 599) return Err(path + ".direct_response.status", StrCat(status, " is not a status code (200-599)"));
      break;
    }
    case v1::Route::kRedirect:
      if (route.redirect().port_redirect() > 65535) return Err(path + ".redirect.port_redirect", "is not a port");
      break;
    default:
      return Err(path, "needs one of route, redirect, direct_response");
  }
  return CheckHeaderMutation(path, route.request_headers_to_add(), route.request_headers_to_remove(),
                             ".request_headers_to_add", ".request_headers_to_remove");
}

bool ValidDomain(const std::string& d) {
  if (d == "*") return true;
  const size_t star = d.find('*');
  if (star == std::string::npos) return true;
  if (d.find('*', star + 1) != std::string::npos) return false;
  return star == 0 || star == d.size() - 1;
}

absl::Status CheckRouteConfig(const std::string& path, const v1::RouteConfiguration& rc,
                              const std::set<std::string>& clusters) {
  std::set<std::string> names;
  std::map<std::string, std::string> domains;
  for (int i = 0; i < rc.virtual_hosts_size(); ++i) {
    const auto& vh = rc.virtual_hosts(i);
    const std::string vp = StrCat(path, ".virtual_hosts[", i, "]");
    if (vh.name().empty()) return Err(vp + ".name", "required");
    if (!names.insert(vh.name()).second) return Err(vp + ".name", StrCat("duplicate virtual host \"", vh.name(), "\""));
    if (vh.domains().empty()) return Err(vp + ".domains", "needs at least one domain (\"*\" matches all)");
    for (int j = 0; j < vh.domains_size(); ++j) {
      std::string d = vh.domains(j);
      for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::string dp = StrCat(vp, ".domains[", j, "]");
      if (!ValidDomain(d)) return Err(dp, StrCat("\"", d, "\": a wildcard is only allowed as a leading or trailing \"*\""));
      auto [it, inserted] = domains.emplace(d, vh.name());
      if (!inserted) return Err(dp, StrCat("domain \"", d, "\" is also in virtual host \"", it->second, "\""));
    }
    for (int j = 0; j < vh.routes_size(); ++j) {
      TETHER_RETURN_IF_ERROR(CheckRoute(StrCat(vp, ".routes[", j, "]"), vh.routes(j), clusters));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckListener(const std::string& path, const v1::Listener& l, const std::set<std::string>& clusters) {
  if (l.name().empty()) return Err(path + ".name", "required");
  if (!l.address().has_socket_address()) return Err(path + ".address.socket_address", "required");
  TETHER_RETURN_IF_ERROR(CheckSocketAddress(path + ".address.socket_address", l.address().socket_address(), true));
  if (!l.has_http_connection_manager()) return Err(path + ".http_connection_manager", "required");
  const auto& hcm = l.http_connection_manager();
  const std::string hp = path + ".http_connection_manager";
  if (hcm.route_specifier_case() == v1::HttpConnectionManager::kRdsRouteConfigName) {
    return Err(hp + ".rds_route_config_name", "dynamic routes (rds) need the control plane, not available yet");
  }
  if (!hcm.has_route_config()) return Err(hp + ".route_config", "required");
  TETHER_RETURN_IF_ERROR(CheckRouteConfig(hp + ".route_config", hcm.route_config(), clusters));
  if (hcm.has_max_request_headers_kb() &&
      (hcm.max_request_headers_kb().value() < 1 || hcm.max_request_headers_kb().value() > 96)) {
    return Err(hp + ".max_request_headers_kb", StrCat(hcm.max_request_headers_kb().value(), " is out of range (1-96)"));
  }
  if (hcm.has_max_headers_count() && (hcm.max_headers_count().value() < 1 || hcm.max_headers_count().value() > 1000)) {
    return Err(hp + ".max_headers_count", StrCat(hcm.max_headers_count().value(), " is out of range (1-1000)"));
  }
  if (hcm.has_request_headers_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(hp + ".request_headers_timeout", hcm.request_headers_timeout(), false));
  if (hcm.has_idle_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(hp + ".idle_timeout", hcm.idle_timeout(), false));
  if (hcm.has_tracing()) TETHER_RETURN_IF_ERROR(ValidateListenerTracing(hp + ".tracing", hcm.tracing()));
  if (l.has_drain_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".drain_timeout", l.drain_timeout(), false));
  for (int i = 0; i < hcm.access_log_size(); ++i) {
    const auto& log = hcm.access_log(i);
    if (log.format().empty()) continue;
    auto format = ParseAccessLogFormat(log.format());
    if (!format.ok()) return Err(StrCat(hp, ".access_log[", i, "].format"), std::string(format.status().message()));
  }
  return absl::OkStatus();
}

absl::Status CheckCluster(const std::string& path, const v1::Cluster& c) {
  if (c.name().empty()) return Err(path + ".name", "required");
  if (c.type() == v1::Cluster::EDS) return Err(path + ".type", "EDS needs the control plane, not available yet");
  if (c.has_connect_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".connect_timeout", c.connect_timeout(), true));
  if (c.has_dns_refresh_rate()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".dns_refresh_rate", c.dns_refresh_rate(), true));
  if (c.has_idle_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".idle_timeout", c.idle_timeout(), false));
  const auto& la = c.load_assignment();
  for (int i = 0; i < la.endpoints_size(); ++i) {
    for (int j = 0; j < la.endpoints(i).lb_endpoints_size(); ++j) {
      const auto& e = la.endpoints(i).lb_endpoints(j);
      const std::string ep = StrCat(path, ".load_assignment.endpoints[", i, "].lb_endpoints[", j, "]");
      if (!e.endpoint().address().has_socket_address()) return Err(ep + ".endpoint.address.socket_address", "required");
      TETHER_RETURN_IF_ERROR(CheckSocketAddress(ep + ".endpoint.address.socket_address",
                                                e.endpoint().address().socket_address(), c.type() == v1::Cluster::STATIC));
      if (e.has_load_balancing_weight() && e.load_balancing_weight().value() < 1) {
        return Err(ep + ".load_balancing_weight", "must be at least 1");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateBootstrap(const v1::Bootstrap& bootstrap) {
  std::set<std::string> endpoints;  // "addr:port" in use
  if (bootstrap.has_admin() && bootstrap.admin().address().has_socket_address()) {
    const auto& a = bootstrap.admin().address().socket_address();
    TETHER_RETURN_IF_ERROR(CheckSocketAddress("admin.address.socket_address", a, true));
    endpoints.insert(StrCat(a.address(), ":", a.port_value()));
  } else {
    endpoints.insert("127.0.0.1:15000");
  }
  const auto& sr = bootstrap.static_resources();
  std::set<std::string> clusters;
  for (int i = 0; i < sr.clusters_size(); ++i) {
    const std::string cp = StrCat("static_resources.clusters[", i, "]");
    TETHER_RETURN_IF_ERROR(CheckCluster(cp, sr.clusters(i)));
    if (!clusters.insert(sr.clusters(i).name()).second) {
      return Err(cp + ".name", StrCat("duplicate cluster \"", sr.clusters(i).name(), "\""));
    }
  }
  if (bootstrap.has_tracing()) TETHER_RETURN_IF_ERROR(ValidateTracing(bootstrap.tracing(), clusters));
  std::set<std::string> listeners;
  for (int i = 0; i < sr.listeners_size(); ++i) {
    const std::string lp = StrCat("static_resources.listeners[", i, "]");
    const auto& l = sr.listeners(i);
    TETHER_RETURN_IF_ERROR(CheckListener(lp, l, clusters));
    if (!listeners.insert(l.name()).second) return Err(lp + ".name", StrCat("duplicate listener \"", l.name(), "\""));
    const auto& a = l.address().socket_address();
    if (!endpoints.insert(StrCat(a.address(), ":", a.port_value())).second) {
      return Err(lp + ".address", StrCat(a.address(), ":", a.port_value(), " is already used by the admin or another listener"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tether::config
