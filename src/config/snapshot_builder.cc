#include "src/config/snapshot_builder.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/config/access_log_format.h"
#include "src/config/circuit_breakers.h"
#include "src/config/outlier_detection.h"
#include "src/config/health_check.h"
#include "src/config/connection_limits.h"
#include "src/config/header_matcher.h"
#include "src/config/hash_policy.h"
#include "src/config/retry_policy.h"
#include "src/config/protocol_options.h"
#include "src/config/tracing_builder.h"
#include "src/config/http_filters.h"
#include "src/config/validation_util.h"

// The validator has already run, but odd input (xDS, tests) is still refused with
// InvalidArgument naming the field, never turned into a crash or a wrong default.

namespace tether::config {
namespace {

using google::protobuf::RepeatedPtrField;

using HeaderAdds = RepeatedPtrField<v1::HeaderValueOption>;

absl::Status BuildMutation(const HeaderAdds& add, const RepeatedPtrField<std::string>& remove, const std::string& path,
                           HeaderMutation& m) {
  for (const auto& a : add) {
    if (a.header().key().empty()) return Err(path, "header to add has an empty key");
    m.add.push_back({absl::AsciiStrToLower(a.header().key()), a.header().value(), a.append_action()});
  }
  for (const auto& r : remove) m.remove.push_back(absl::AsciiStrToLower(r));
  return absl::OkStatus();
}

template <typename Msg>
absl::Status BuildMutations(const Msg& msg, const std::string& path, HeaderMutation& request, HeaderMutation& rsp) {
  TETHER_RETURN_IF_ERROR(BuildMutation(msg.request_headers_to_add(), msg.request_headers_to_remove(), path, request));
  return BuildMutation(msg.response_headers_to_add(), msg.response_headers_to_remove(), path, rsp);
}

absl::StatusOr<std::string> ReadDataSource(const v1::DataSource& ds, const std::string& path) {
  if (ds.specifier_case() != v1::DataSource::kFilename) return ds.inline_string();
  std::error_code ec;
  // A directory opens fine as a stream and reads as nothing: refuse it too.
  if (std::filesystem::is_regular_file(ds.filename(), ec)) {
    std::ifstream in(ds.filename(), std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.is_open() && !in.bad()) return body;
  }
  return Err(path + ".filename", absl::StrCat("cannot read \"", ds.filename(), "\""));
}

absl::StatusOr<unsigned> RedirectStatus(v1::RedirectAction::RedirectResponseCode code, const std::string& path) {
  // Indexed by the enum: MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT.
  static constexpr unsigned kStatus[] = {301, 302, 303, 307, 308};
  const int i = static_cast<int>(code);
  if (i < 0 || i >= 5) return Err(path + ".response_code", absl::StrCat("unknown redirect code ", i));
  return kStatus[i];
}

absl::Status BuildClusterAction(const v1::RouteAction& a, const std::string& path, Route& route) {
  route.action = Route::Action::kCluster;
  if (a.cluster_specifier_case() == v1::RouteAction::kWeightedClusters) {
    uint64_t total = 0;  // wide, so a sum past 2^32 is caught rather than wrapped
    for (const auto& c : a.weighted_clusters().clusters()) {
      if (c.name().empty()) return Err(path + ".weighted_clusters", "cluster without a name");
      route.clusters.push_back({c.name(), c.weight()});
      total += c.weight();
    }
    if (total == 0 || total > std::numeric_limits<uint32_t>::max()) {
      return Err(path + ".weighted_clusters", absl::StrCat("total weight ", total, " out of range"));
    }
    route.total_weight = static_cast<uint32_t>(total);
  } else {
    if (a.cluster().empty()) return Err(path + ".cluster", "no cluster named");
    route.clusters.push_back({a.cluster(), 1});
    route.total_weight = 1;
  }
  route.has_prefix_rewrite = !a.prefix_rewrite().empty();
  route.prefix_rewrite = a.prefix_rewrite();
  route.host_rewrite = a.host_rewrite_literal();
  if (a.has_max_grpc_timeout()) {
    Duration max_grpc_timeout{0};
    TETHER_RETURN_IF_ERROR(SetDuration(true, a.max_grpc_timeout(), path + ".max_grpc_timeout", max_grpc_timeout));
    route.max_grpc_timeout = max_grpc_timeout;  // 0s: grpc-timeout uncapped
  }
  TETHER_RETURN_IF_ERROR(SetDuration(a.has_grpc_timeout_offset(), a.grpc_timeout_offset(),
                                     path + ".grpc_timeout_offset", route.grpc_timeout_offset));
  if (a.has_idle_timeout()) {
    Duration idle{0};
    TETHER_RETURN_IF_ERROR(SetDuration(true, a.idle_timeout(), path + ".idle_timeout", idle));
    route.idle_timeout = idle;
  }
  return SetDuration(a.has_timeout(), a.timeout(), path + ".timeout", route.timeout);
}

absl::Status BuildRedirect(const v1::RedirectAction& r, const std::string& path, Redirect& redirect) {
  if (r.port_redirect() > 65535) return Err(path + ".port_redirect", "out of range");
  redirect.scheme = r.https_redirect() ? "https" : r.scheme_redirect();
  redirect.host = r.host_redirect();
  redirect.port = r.port_redirect();
  redirect.path = r.path_redirect();
  redirect.has_prefix_rewrite = r.path_rewrite_specifier_case() == v1::RedirectAction::kPrefixRewrite;
  redirect.prefix_rewrite = r.prefix_rewrite();
  redirect.strip_query = r.strip_query();
  auto status = RedirectStatus(r.response_code(), path);
  if (!status.ok()) return status.status();
  redirect.status = *status;
  return absl::OkStatus();
}

absl::Status BuildMatch(const v1::RouteMatch& match, const std::string& path, CompiledRegexes& regexes, Route& route) {
  route.case_sensitive = !match.has_case_sensitive() || match.case_sensitive();
  switch (match.path_specifier_case()) {
    case v1::RouteMatch::kPath: route.path_kind = Route::PathKind::kExact; route.path = match.path(); break;
    case v1::RouteMatch::kSafeRegex: {
      route.path_kind = Route::PathKind::kRegex;
      auto re = regexes.Compile(match.safe_regex().regex(), route.case_sensitive, path + ".safe_regex");
      if (!re.ok()) return re.status();
      route.regex = *std::move(re);
      break;
    }
    default: route.path_kind = Route::PathKind::kPrefix; route.path = match.prefix(); break;
  }
  // The router lowers the request path for these, so the pattern is stored lowered.
  if (!route.case_sensitive) route.path = absl::AsciiStrToLower(route.path);
  for (int i = 0; i < match.headers_size(); ++i) {
    auto hm = BuildHeaderMatch(match.headers(i), absl::StrCat(path, ".headers[", i, "]"), regexes);
    if (!hm.ok()) return hm.status();
    route.headers.push_back(*std::move(hm));
  }
  return absl::OkStatus();
}

absl::StatusOr<Route> BuildRoute(const v1::VirtualHost& vh, const std::string& vhost_path, const v1::Route& r,
                                 const std::string& path, CompiledRegexes& regexes) {
  Route route;
  route.name = r.name();
  TETHER_RETURN_IF_ERROR(BuildMatch(r.match(), path + ".match", regexes, route));
  switch (r.action_case()) {
    case v1::Route::kRoute:
      TETHER_RETURN_IF_ERROR(BuildClusterAction(r.route(), path + ".route", route));
      TETHER_RETURN_IF_ERROR(ApplyRouteRetry(vh, vhost_path, r, path, regexes, &route));
      TETHER_RETURN_IF_ERROR(ApplyRouteHashPolicy(r.route(), path + ".route", &route));
      break;
    case v1::Route::kRedirect:
      route.action = Route::Action::kRedirect;
      TETHER_RETURN_IF_ERROR(BuildRedirect(r.redirect(), path + ".redirect", route.redirect));
      break;
    case v1::Route::kDirectResponse: {
      route.action = Route::Action::kDirectResponse;
      route.direct_status = r.direct_response().status();
      if (route.direct_status < 100 || route.direct_status > 599) {
        return Err(path + ".direct_response.status", absl::StrCat("invalid status ", route.direct_status));
      }
      auto body = ReadDataSource(r.direct_response().body(), path + ".direct_response.body");
      if (!body.ok()) return body.status();
      route.direct_body = *std::move(body);
      break;
    }
    default: return Err(path, "route has no action (route, redirect or direct_response)");
  }
  TETHER_RETURN_IF_ERROR(BuildMutations(r, path, route.request_headers, route.response_headers));
  TETHER_RETURN_IF_ERROR(ApplyRouteFilters(r, path, &route));
  return route;
}

absl::StatusOr<VirtualHost> BuildVirtualHost(const v1::VirtualHost& vh, const std::string& path,
                                             CompiledRegexes& regexes) {
  VirtualHost vhost;
  vhost.name = vh.name();
  for (const auto& d : vh.domains()) vhost.domains.push_back(absl::AsciiStrToLower(d));
  TETHER_RETURN_IF_ERROR(BuildMutations(vh, path, vhost.request_headers, vhost.response_headers));
  for (int i = 0; i < vh.routes_size(); ++i) {
    auto route = BuildRoute(vh, path, vh.routes(i), absl::StrCat(path, ".routes[", i, "]"), regexes);
    if (!route.ok()) return route.status();
    vhost.routes.push_back(*std::move(route));
  }
  return vhost;
}

// An rds_route_config_name leaves the table empty (every request 404s) until
// the control plane delivers it.
absl::StatusOr<std::shared_ptr<const RouteTable>> BuildRouteTable(const v1::RouteConfiguration& rc,
                                                                  const std::string& path, CompiledRegexes& regexes) {
  auto table = std::make_shared<RouteTable>();
  table->name = rc.name();
  TETHER_RETURN_IF_ERROR(BuildMutations(rc, path, table->request_headers, table->response_headers));
  for (int i = 0; i < rc.virtual_hosts_size(); ++i) {
    auto vhost = BuildVirtualHost(rc.virtual_hosts(i), absl::StrCat(path, ".virtual_hosts[", i, "]"), regexes);
    if (!vhost.ok()) return vhost.status();
    table->virtual_hosts.push_back(*std::move(vhost));
  }
  return table;
}

absl::Status BuildLimits(const v1::HttpConnectionManager& hcm, const std::string& path, Listener& listener) {
  if (hcm.has_max_request_headers_kb()) {
    const uint32_t kb = hcm.max_request_headers_kb().value();
    if (kb == 0 || kb > 8192) return Err(path + ".max_request_headers_kb", "must be within 1..8192");
    listener.max_request_headers_bytes = kb * 1024;
  }
  if (hcm.has_max_headers_count()) {
    if (hcm.max_headers_count().value() == 0) return Err(path + ".max_headers_count", "must be at least 1");
    listener.max_headers_count = hcm.max_headers_count().value();
  }
  TETHER_RETURN_IF_ERROR(SetDuration(hcm.has_request_headers_timeout(), hcm.request_headers_timeout(),
                                     path + ".request_headers_timeout", listener.request_headers_timeout));
  TETHER_RETURN_IF_ERROR(SetDuration(hcm.has_stream_idle_timeout(), hcm.stream_idle_timeout(),
                                     path + ".stream_idle_timeout", listener.stream_idle_timeout));
  TETHER_RETURN_IF_ERROR(
      SetDuration(hcm.has_request_timeout(), hcm.request_timeout(), path + ".request_timeout", listener.request_timeout));
  return SetDuration(hcm.has_idle_timeout(), hcm.idle_timeout(), path + ".idle_timeout", listener.idle_timeout);
}

absl::StatusOr<std::shared_ptr<const Listener>> BuildListener(const v1::Listener& l, const std::string& path,
                                                              CompiledRegexes& regexes) {
  auto listener = std::make_shared<Listener>();
  const auto& hcm = l.http_connection_manager();
  const std::string hcm_path = path + ".http_connection_manager";
  listener->name = l.name();
  listener->stat_prefix = hcm.stat_prefix().empty() ? l.name() : hcm.stat_prefix();
  const auto& sa = l.address().socket_address();
  if (sa.port_value() > 65535) return Err(path + ".address.socket_address.port_value", "out of range");
  listener->address = sa.address();
  listener->port = static_cast<uint16_t>(sa.port_value());
  listener->direction = l.traffic_direction();
  auto routes = BuildRouteTable(hcm.route_config(), hcm_path + ".route_config", regexes);
  if (!routes.ok()) return routes.status();
  listener->routes = *std::move(routes);
  for (const auto& log : hcm.access_log()) {
    listener->access_logs.push_back(
        {log.path(), log.format().empty() ? std::string(kDefaultAccessLogFormat) : log.format()});
  }
  TETHER_RETURN_IF_ERROR(BuildLimits(hcm, hcm_path, *listener));
  TETHER_RETURN_IF_ERROR(ApplyListenerConnectionLimits(l, path, listener.get()));
  TETHER_RETURN_IF_ERROR(ApplyListenerProtocol(l, path, listener.get()));
  TETHER_RETURN_IF_ERROR(ApplyHttpFilters(l, path, listener.get()));
  TETHER_RETURN_IF_ERROR(
      SetDuration(l.has_drain_timeout(), l.drain_timeout(), path + ".drain_timeout", listener->drain_timeout));
  listener->use_remote_address = hcm.use_remote_address();
  if (hcm.has_tracing()) listener->tracing = BuildListenerTracing(hcm.tracing(), l.traffic_direction());
  if (hcm.has_generate_request_id()) listener->generate_request_id = hcm.generate_request_id().value();
  listener->preserve_external_request_id = hcm.preserve_external_request_id();
  listener->always_set_request_id_in_response = hcm.always_set_request_id_in_response();
  listener->normalize_path = hcm.has_normalize_path() && hcm.normalize_path().value();
  listener->merge_slashes = hcm.merge_slashes();
  listener->escaped_slashes_action = hcm.path_with_escaped_slashes_action() == v1::HttpConnectionManager::IMPLEMENTATION_SPECIFIC_DEFAULT
                                         ? v1::HttpConnectionManager::KEEP_UNCHANGED
                                         : hcm.path_with_escaped_slashes_action();
  if (!hcm.forwarded_proto().empty()) listener->forwarded_proto = hcm.forwarded_proto();
  return listener;
}

absl::Status BuildEndpoints(const v1::Cluster& c, const std::string& path, Cluster& cluster) {
  const auto& endpoints = c.load_assignment().endpoints();
  for (int i = 0; i < endpoints.size(); ++i) {
    const auto& lb = endpoints[i].lb_endpoints();
    for (int j = 0; j < lb.size(); ++j) {
      const auto& sa = lb[j].endpoint().address().socket_address();
      if (sa.port_value() > 65535) {
        return Err(absl::StrCat(path, ".load_assignment.endpoints[", i, "].lb_endpoints[", j, "]"), "bad port");
      }
      const uint32_t weight = std::max<uint32_t>(1, lb[j].load_balancing_weight().value());  // 0 or unset: 1
      const auto port = static_cast<uint16_t>(sa.port_value());
      if (c.type() == v1::Cluster::STRICT_DNS) {
        cluster.dns_names.push_back({sa.address(), port, weight});
      } else {
        const v1::HealthStatus health = lb[j].health_status();
        const bool unhealthy =
            health == v1::UNHEALTHY || health == v1::DRAINING || health == v1::TIMEOUT;
        cluster.hosts.push_back({sa.address(), port, weight, unhealthy});
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Cluster>> BuildCluster(const v1::Cluster& c, const ResolvedHosts& resolved,
                                                            const std::string& path) {
  auto cluster = std::make_shared<Cluster>();
  cluster->name = c.name();
  cluster->type = c.type();
  cluster->lb_policy = c.lb_policy();
  cluster->dns_lookup_family = c.dns_lookup_family();
  TETHER_RETURN_IF_ERROR(SetDuration(c.has_connect_timeout(), c.connect_timeout(), path + ".connect_timeout",
                                     cluster->connect_timeout));
  TETHER_RETURN_IF_ERROR(SetDuration(c.has_dns_refresh_rate(), c.dns_refresh_rate(), path + ".dns_refresh_rate",
                                     cluster->dns_refresh_rate));
  TETHER_RETURN_IF_ERROR(
      SetDuration(c.has_idle_timeout(), c.idle_timeout(), path + ".idle_timeout", cluster->idle_timeout));
  // Zero would mean connects that fail at once, a resolver that spins.
  if (cluster->connect_timeout <= Duration::zero()) return Err(path + ".connect_timeout", "must be greater than 0s");
  if (c.type() == v1::Cluster::STRICT_DNS && cluster->dns_refresh_rate <= Duration::zero()) {
    return Err(path + ".dns_refresh_rate", "must be greater than 0s");
  }
  cluster->max_requests_per_connection = c.max_requests_per_connection();
  // Envoy's newer spelling of the same limit; the validator refuses both at once.
  const auto& options = c.common_http_protocol_options();
  if (options.has_max_requests_per_connection()) {
    cluster->max_requests_per_connection = options.max_requests_per_connection().value();
  }
  if (options.has_max_headers_count()) {
    if (options.max_headers_count().value() == 0) {
      return Err(path + ".common_http_protocol_options.max_headers_count", "must be at least 1");
    }
    cluster->max_response_headers_count = options.max_headers_count().value();
  }
  const auto& max_idle = c.max_idle_connections_per_host();
  if (c.has_max_idle_connections_per_host()) cluster->max_idle_connections_per_host = max_idle.value();
  TETHER_RETURN_IF_ERROR(ApplyClusterConnectionLimits(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(ApplyClusterProtocol(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(ApplyCircuitBreakers(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(ApplyOutlierDetection(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(ApplyClusterHashLb(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(ApplyHealthChecks(c, path, cluster.get()));
  TETHER_RETURN_IF_ERROR(BuildEndpoints(c, path, *cluster));
  if (c.type() == v1::Cluster::STRICT_DNS) {
    auto it = resolved.find(c.name());
    if (it != resolved.end()) cluster->hosts = it->second;
  }
  return cluster;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(const v1::Bootstrap& bootstrap,
                                                             const ResolvedHosts& resolved, uint64_t version,
                                                             CompiledRegexes* regexes) {
  CompiledRegexes own;  // when the caller kept none from validation
  CompiledRegexes& compiled = regexes != nullptr ? *regexes : own;
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = version;
  snapshot->bootstrap = bootstrap;
  auto zipkin = BuildZipkin(bootstrap);
  if (!zipkin.ok()) return zipkin.status();
  snapshot->zipkin = *zipkin;
  const auto& clusters = bootstrap.static_resources().clusters();
  for (int i = 0; i < clusters.size(); ++i) {
    const std::string path = absl::StrCat("static_resources.clusters[", i, "]");
    auto cluster = BuildCluster(clusters[i], resolved, path);
    if (!cluster.ok()) return cluster.status();
    if (!snapshot->clusters.emplace(clusters[i].name(), *std::move(cluster)).second) {
      return Err(path + ".name", absl::StrCat("duplicate cluster \"", clusters[i].name(), "\""));
    }
  }
  std::set<std::string> listener_names;
  const auto& listeners = bootstrap.static_resources().listeners();
  for (int i = 0; i < listeners.size(); ++i) {
    const std::string path = absl::StrCat("static_resources.listeners[", i, "]");
    if (!listener_names.insert(listeners[i].name()).second) {
      return Err(path + ".name", absl::StrCat("duplicate listener \"", listeners[i].name(), "\""));
    }
    auto listener = BuildListener(listeners[i], path, compiled);
    if (!listener.ok()) return listener.status();
    snapshot->listeners.push_back(*std::move(listener));
  }
  return snapshot;
}

}  // namespace tether::config
