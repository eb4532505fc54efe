#include "src/config/validator.h"

#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"
#include "src/config/access_log_format.h"
#include "src/config/circuit_breakers.h"
#include "src/config/outlier_detection.h"
#include "src/config/health_check.h"
#include "src/config/connection_limits.h"
#include "src/config/hash_policy.h"
#include "src/config/overload_config.h"
#include "src/config/protocol_options.h"
#include "src/config/route_validator.h"
#include "src/config/tracing_validator.h"
#include "src/config/http_filters.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

// The address in canonical text ("::0001" -> "::1"), or "" if not an IP literal.
std::string CanonicalIp(const std::string& s) {
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, text, sizeof(text));
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, text, sizeof(text));
  return {};
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner '-'.
bool IsHostname(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
    } else if (std::isalnum(c) != 0 || c == '_' || (c == '-' && label > 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return s.back() != '-';
}

absl::Status CheckPort(const std::string& path, uint32_t port) {
  if (port < 1 || port > 65535) return Err(path, StrCat(port, " is not a port (1-65535)"));
  return absl::OkStatus();
}

absl::Status CheckSocketAddress(const std::string& path, const v1::SocketAddress& a, bool ip_only) {
  if (a.address().empty()) return Err(path + ".address", "required");
  if (ip_only && CanonicalIp(a.address()).empty()) {
    return Err(path + ".address", StrCat("\"", a.address(), "\" is not an IP address"));
  }
  if (!ip_only && CanonicalIp(a.address()).empty() && !IsHostname(a.address())) {
    return Err(path + ".address", StrCat("\"", a.address(), "\" is not an IP address or host name"));
  }
  return CheckPort(path + ".port_value", a.port_value());
}

// Remembers every address:port bound so far. A wildcard address ("0.0.0.0",
// "::") on a port collides with any other address on it: with SO_REUSEPORT
// both binds would succeed and split the traffic between two listeners.
class BindTable {
 public:
  // Returns what `ip:port` collides with, or "" (and records it).
  std::string Add(const std::string& ip, uint32_t port, const std::string& owner) {
    const std::string canonical = CanonicalIp(ip);
    const bool wildcard = canonical == "0.0.0.0" || canonical == "::";
    for (const auto& bound : bound_) {
      if (bound.port != port) continue;
      const bool bound_wildcard = bound.ip == "0.0.0.0" || bound.ip == "::";
      if (bound.ip == canonical || wildcard || bound_wildcard) return StrCat(bound.owner, " (", HostPort(bound.ip, static_cast<uint16_t>(port)), ")");
    }
    bound_.push_back({canonical, port, owner});
    return {};
  }

 private:
  struct Bound {
    std::string ip;
    uint32_t port;
    std::string owner;
  };
  std::vector<Bound> bound_;
};

// What references may point at: `clusters` null = not checked (an xDS
// resource warms until they arrive); `dynamic` = a control plane is
// configured, so rds routes and EDS clusters can be delivered.
// `regexes` (null: none kept) receives the compiled route regexes.
struct Scope {
  const std::set<std::string>* clusters = nullptr;
  bool dynamic = false;
  CompiledRegexes* regexes = nullptr;
};

absl::Status CheckConnectionManager(const std::string& path, const v1::HttpConnectionManager& hcm, Scope scope) {
  if (hcm.route_specifier_case() == v1::HttpConnectionManager::kRdsRouteConfigName) {
    if (!scope.dynamic) {
      return Err(path + ".rds_route_config_name", "dynamic routes (rds) need dynamic_resources.ads in the bootstrap");
    }
    if (hcm.rds_route_config_name().empty()) return Err(path + ".rds_route_config_name", "must not be empty");
  } else {
    if (!hcm.has_route_config()) return Err(path + ".route_config", "required");
    CompiledRegexes discarded;
    TETHER_RETURN_IF_ERROR(ValidateRouteConfig(path + ".route_config", hcm.route_config(), scope.clusters,
                                               scope.regexes != nullptr ? *scope.regexes : discarded));
  }
  for (int i = 0; i < hcm.access_log_size(); ++i) {
    const auto& log = hcm.access_log(i);
    if (log.format().empty()) continue;  // Envoy's default format
    auto format = ParseAccessLogFormat(log.format());
    if (!format.ok()) return Err(StrCat(path, ".access_log[", i, "].format"), std::string(format.status().message()));
  }
  if (hcm.has_max_request_headers_kb() &&
      (hcm.max_request_headers_kb().value() < 1 || hcm.max_request_headers_kb().value() > 96)) {
    return Err(path + ".max_request_headers_kb", StrCat(hcm.max_request_headers_kb().value(), " is out of range (1-96)"));
  }
  if (hcm.has_max_headers_count() && (hcm.max_headers_count().value() < 1 || hcm.max_headers_count().value() > 1000)) {
    return Err(path + ".max_headers_count", StrCat(hcm.max_headers_count().value(), " is out of range (1-1000)"));
  }
  if (hcm.has_request_headers_timeout()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".request_headers_timeout", hcm.request_headers_timeout(), false));
  }
  if (hcm.has_idle_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".idle_timeout", hcm.idle_timeout(), false));
  if (hcm.has_stream_idle_timeout()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".stream_idle_timeout", hcm.stream_idle_timeout(), false));
  }
  if (hcm.has_request_timeout()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".request_timeout", hcm.request_timeout(), false));
  }
  if (!hcm.forwarded_proto().empty() && hcm.forwarded_proto() != "http" && hcm.forwarded_proto() != "https") {
    return Err(path + ".forwarded_proto", StrCat("\"", hcm.forwarded_proto(), "\" is not http or https"));
  }
  if (hcm.has_tracing()) TETHER_RETURN_IF_ERROR(ValidateListenerTracing(path + ".tracing", hcm.tracing()));
  // JSON may give an enum as a number, and proto3 keeps unknown ones.
  if (!v1::HttpConnectionManager::PathWithEscapedSlashesAction_IsValid(hcm.path_with_escaped_slashes_action())) {
    return Err(path + ".path_with_escaped_slashes_action",
               StrCat(static_cast<int>(hcm.path_with_escaped_slashes_action()),
                      " is not KEEP_UNCHANGED, REJECT_REQUEST, UNESCAPE_AND_REDIRECT or UNESCAPE_AND_FORWARD"));
  }
  return absl::OkStatus();
}

absl::Status CheckListener(const std::string& path, const v1::Listener& l, Scope scope) {
  if (l.name().empty()) return Err(path + ".name", "required");
  if (!l.address().has_socket_address()) return Err(path + ".address.socket_address", "required");
  TETHER_RETURN_IF_ERROR(CheckSocketAddress(path + ".address.socket_address", l.address().socket_address(), true));
  if (!v1::Listener::TrafficDirection_IsValid(l.traffic_direction())) {
    return Err(path + ".traffic_direction", StrCat("unknown direction ", l.traffic_direction()));
  }
  if (l.has_drain_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".drain_timeout", l.drain_timeout(), false));
  if (!l.has_http_connection_manager()) return Err(path + ".http_connection_manager", "required");
  TETHER_RETURN_IF_ERROR(ApplyListenerConnectionLimits(l, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyListenerProtocol(l, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyHttpFilters(l, path, nullptr));
  return CheckConnectionManager(path + ".http_connection_manager", l.http_connection_manager(), scope);
}

absl::Status CheckEndpoints(const std::string& path, const v1::ClusterLoadAssignment& la, bool ip_only) {
  for (int i = 0; i < la.endpoints_size(); ++i) {
    for (int j = 0; j < la.endpoints(i).lb_endpoints_size(); ++j) {
      const auto& e = la.endpoints(i).lb_endpoints(j);
      const std::string ep = StrCat(path, ".endpoints[", i, "].lb_endpoints[", j, "]");
      const std::string sp = ep + ".endpoint.address.socket_address";
      if (!e.endpoint().address().has_socket_address()) return Err(sp, "required");
      const auto& a = e.endpoint().address().socket_address();
      if (ip_only && !a.address().empty() && CanonicalIp(a.address()).empty()) {
        return Err(sp + ".address", StrCat("\"", a.address(), "\" is not an IP address (a STATIC cluster needs IPs; "
                                                            "use type: STRICT_DNS for host names)"));
      }
      TETHER_RETURN_IF_ERROR(CheckSocketAddress(sp, a, ip_only));
      if (e.has_load_balancing_weight() && e.load_balancing_weight().value() < 1) {
        return Err(ep + ".load_balancing_weight", "must be at least 1 (leave it out for the default, 1)");
      }
    }
  }
  return absl::OkStatus();
}

// Envoy's rule: max_requests_per_connection is set in one place, the
// cluster's (older) field or common_http_protocol_options.
absl::Status CheckClusterHttpOptions(const std::string& path, const v1::Cluster& c) {
  const std::string options_path = path + ".common_http_protocol_options";
  const auto& options = c.common_http_protocol_options();
  if (options.has_max_requests_per_connection() && c.max_requests_per_connection() != 0) {
    return Err(options_path + ".max_requests_per_connection",
               StrCat("the same limit as ", path, ".max_requests_per_connection: set only one of them"));
  }
  if (options.has_max_headers_count() && (options.max_headers_count().value() < 1 || options.max_headers_count().value() > 1000)) {
    return Err(options_path + ".max_headers_count", StrCat(options.max_headers_count().value(), " is out of range (1-1000)"));
  }
  return absl::OkStatus();
}

absl::Status CheckCluster(const std::string& path, const v1::Cluster& c, Scope scope) {
  if (c.name().empty()) return Err(path + ".name", "required");
  if (c.type() == v1::Cluster::EDS && !scope.dynamic) {
    return Err(path + ".type", "EDS needs dynamic_resources.ads in the bootstrap (or use STATIC or STRICT_DNS)");
  }
  if (!v1::Cluster::DiscoveryType_IsValid(c.type())) return Err(path + ".type", StrCat("unknown type ", c.type()));
  if (!v1::Cluster::LbPolicy_IsValid(c.lb_policy())) return Err(path + ".lb_policy", StrCat("unknown policy ", c.lb_policy()));
  if (!v1::Cluster::DnsLookupFamily_IsValid(c.dns_lookup_family())) {
    return Err(path + ".dns_lookup_family", StrCat("unknown family ", c.dns_lookup_family()));
  }
  if (c.has_connect_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".connect_timeout", c.connect_timeout(), true));
  if (c.has_dns_refresh_rate()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".dns_refresh_rate", c.dns_refresh_rate(), true));
  if (c.has_idle_timeout()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".idle_timeout", c.idle_timeout(), false));
  TETHER_RETURN_IF_ERROR(ApplyClusterConnectionLimits(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyClusterProtocol(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyCircuitBreakers(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyOutlierDetection(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyClusterHashLb(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(ApplyHealthChecks(c, path, nullptr));
  TETHER_RETURN_IF_ERROR(CheckClusterHttpOptions(path, c));
  return CheckEndpoints(path + ".load_assignment", c.load_assignment(), c.type() == v1::Cluster::STATIC);
}

// The admin endpoint: empty address = 127.0.0.1, port 0 = 15000 (see server.cc).
absl::Status CheckAdmin(const v1::Bootstrap& bootstrap, BindTable& binds) {
  const auto& a = bootstrap.admin().address().socket_address();
  const std::string address = a.address().empty() ? "127.0.0.1" : a.address();
  const uint32_t port = a.port_value() == 0 ? 15000 : a.port_value();
  const std::string path = "admin.address.socket_address";
  if (CanonicalIp(address).empty()) return Err(path + ".address", StrCat("\"", address, "\" is not an IP address"));
  TETHER_RETURN_IF_ERROR(CheckPort(path + ".port_value", port));
  binds.Add(address, port, "the admin endpoint");
  if (!bootstrap.has_health()) return absl::OkStatus();
  const auto& h = bootstrap.health().address().socket_address();
  const std::string hp = "health.address.socket_address";
  if (CanonicalIp(h.address()).empty()) return Err(hp + ".address", StrCat("\"", h.address(), "\" is not an IP address"));
  TETHER_RETURN_IF_ERROR(CheckPort(hp + ".port_value", h.port_value()));
  const std::string taken = binds.Add(h.address(), h.port_value(), "the health listener");
  if (!taken.empty()) return Err(hp, StrCat(HostPort(h.address(), static_cast<uint16_t>(h.port_value())), " is already used by ", taken));
  return absl::OkStatus();
}

// Resource paths start at the resource: "address.port_value", not ".address...".
absl::Status FromTop(absl::Status s) {
  if (s.ok() || !absl::StartsWith(s.message(), ".")) return s;
  return absl::Status(s.code(), s.message().substr(1));
}

absl::Status CheckAds(const v1::Bootstrap& bootstrap) {
  if (!bootstrap.has_dynamic_resources()) return absl::OkStatus();
  const auto& ads = bootstrap.dynamic_resources().ads();
  const std::string path = "dynamic_resources.ads";
  if (ads.address().empty() == ads.cluster_name().empty()) {
    return Err(path + ".address", "exactly one of address (host:port of the control plane) and cluster_name");
  }
  if (!ads.address().empty() && ads.address().find(':') == std::string::npos) {
    return Err(path + ".address", StrCat("\"", ads.address(), "\" has no port"));
  }
  if (!ads.cluster_name().empty()) {
    const auto& clusters = bootstrap.static_resources().clusters();
    auto it = std::find_if(clusters.begin(), clusters.end(), [&](const v1::Cluster& c) { return c.name() == ads.cluster_name(); });
    if (it == clusters.end()) return Err(path + ".cluster_name", StrCat("no static cluster \"", ads.cluster_name(), "\""));
    if (it->load_assignment().endpoints_size() == 0 || it->load_assignment().endpoints(0).lb_endpoints_size() == 0) {
      return Err(path + ".cluster_name", StrCat("cluster \"", ads.cluster_name(), "\" has no endpoint"));
    }
  }
  if (bootstrap.node().id().empty()) return Err("node.id", "required with dynamic_resources (the control plane selects by it)");
  if (ads.has_initial_fetch_timeout()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".initial_fetch_timeout", ads.initial_fetch_timeout(), false));
  }
  if (ads.has_reconnect_base()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".reconnect_base", ads.reconnect_base(), true));
  if (ads.has_reconnect_max()) TETHER_RETURN_IF_ERROR(CheckDuration(path + ".reconnect_max", ads.reconnect_max(), true));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateListenerResource(const v1::Listener& listener) {
  return FromTop(CheckListener("", listener, Scope{nullptr, true}));
}

absl::Status ValidateClusterResource(const v1::Cluster& cluster) {
  return FromTop(CheckCluster("", cluster, Scope{nullptr, true}));
}

absl::Status ValidateRouteConfigurationResource(const v1::RouteConfiguration& route_config) {
  if (route_config.name().empty()) return Err("name", "required");
  CompiledRegexes regexes;
  return FromTop(ValidateRouteConfig("", route_config, nullptr, regexes));
}

absl::Status ValidateClusterLoadAssignment(const v1::ClusterLoadAssignment& assignment) {
  if (assignment.cluster_name().empty()) return Err("cluster_name", "required");
  return FromTop(CheckEndpoints("", assignment, true));
}

absl::Status ValidateTracingResource(const v1::Tracing& tracing) { return ValidateTracing(tracing, nullptr); }

absl::Status ValidateBootstrap(const v1::Bootstrap& bootstrap, CompiledRegexes* regexes) {
  BindTable binds;
  TETHER_RETURN_IF_ERROR(CheckAdmin(bootstrap, binds));
  TETHER_RETURN_IF_ERROR(BuildOverloadConfig(bootstrap.overload_manager()).status());
  TETHER_RETURN_IF_ERROR(CheckAds(bootstrap));
  const auto& sr = bootstrap.static_resources();
  std::set<std::string> clusters;
  const Scope scope{&clusters, bootstrap.has_dynamic_resources(), regexes};
  for (int i = 0; i < sr.clusters_size(); ++i) {
    const std::string cp = StrCat("static_resources.clusters[", i, "]");
    TETHER_RETURN_IF_ERROR(CheckCluster(cp, sr.clusters(i), scope));
    if (!clusters.insert(sr.clusters(i).name()).second) {
      return Err(cp + ".name", StrCat("duplicate cluster \"", sr.clusters(i).name(), "\""));
    }
  }
  // With a control plane, the collector cluster may arrive by xDS.
  if (bootstrap.has_tracing()) {
    TETHER_RETURN_IF_ERROR(ValidateTracing(bootstrap.tracing(), scope.dynamic ? nullptr : &clusters));
  }
  std::set<std::string> listeners;
  for (int i = 0; i < sr.listeners_size(); ++i) {
    const std::string lp = StrCat("static_resources.listeners[", i, "]");
    const auto& l = sr.listeners(i);
    TETHER_RETURN_IF_ERROR(CheckListener(lp, l, scope.dynamic ? Scope{nullptr, true, regexes} : scope));
    if (!listeners.insert(l.name()).second) return Err(lp + ".name", StrCat("duplicate listener \"", l.name(), "\""));
    const auto& a = l.address().socket_address();
    const std::string taken = binds.Add(a.address(), a.port_value(), StrCat("listener \"", l.name(), "\""));
    if (!taken.empty()) return Err(lp + ".address", StrCat(HostPort(a.address(), static_cast<uint16_t>(a.port_value())), " is already used by ", taken));
  }
  return absl::OkStatus();
}

}  // namespace tether::config
