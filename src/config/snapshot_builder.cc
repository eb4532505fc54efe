#include "src/config/snapshot_builder.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/config/access_log_format.h"

namespace tether::config {
namespace {

Duration ToDuration(const google::protobuf::Duration& d) {
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos()));
}

template <typename Msg>
Duration DurationOr(bool has, const Msg& d, Duration fallback) {
  return has ? ToDuration(d) : fallback;
}

HeaderMutation BuildMutation(const google::protobuf::RepeatedPtrField<v1::HeaderValueOption>& add,
                             const google::protobuf::RepeatedPtrField<std::string>& remove) {
  HeaderMutation m;
  for (const auto& a : add) m.add.push_back({absl::AsciiStrToLower(a.header().key()), a.header().value(), a.append_action()});
  for (const auto& r : remove) m.remove.push_back(absl::AsciiStrToLower(r));
  return m;
}

absl::StatusOr<std::shared_ptr<const re2::RE2>> Compile(const std::string& pattern, bool case_sensitive) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(case_sensitive);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) return absl::InvalidArgumentError(absl::StrCat("invalid regex \"", pattern, "\": ", re->error()));
  return re;
}

absl::StatusOr<HeaderMatch> BuildHeaderMatch(const v1::HeaderMatcher& h) {
  HeaderMatch m;
  m.name = absl::AsciiStrToLower(h.name());
  m.invert = h.invert_match();
  switch (h.header_match_specifier_case()) {
    case v1::HeaderMatcher::kExactMatch: m.kind = HeaderMatch::Kind::kExact; m.value = h.exact_match(); break;
    case v1::HeaderMatcher::kPrefixMatch: m.kind = HeaderMatch::Kind::kPrefix; m.value = h.prefix_match(); break;
    case v1::HeaderMatcher::kSuffixMatch: m.kind = HeaderMatch::Kind::kSuffix; m.value = h.suffix_match(); break;
    case v1::HeaderMatcher::kContainsMatch: m.kind = HeaderMatch::Kind::kContains; m.value = h.contains_match(); break;
    case v1::HeaderMatcher::kSafeRegexMatch: {
      m.kind = HeaderMatch::Kind::kRegex;
      auto re = Compile(h.safe_regex_match().regex(), true);
      if (!re.ok()) return re.status();
      m.regex = *re;
      break;
    }
    case v1::HeaderMatcher::kPresentMatch: m.kind = HeaderMatch::Kind::kPresent; m.present = h.present_match(); break;
    default: m.kind = HeaderMatch::Kind::kPresent; m.present = true; break;
  }
  return m;
}

absl::StatusOr<std::string> ReadDataSource(const v1::DataSource& ds) {
  if (ds.specifier_case() != v1::DataSource::kFilename) return ds.inline_string();
  std::ifstream in(ds.filename(), std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", ds.filename()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned RedirectStatus(v1::RedirectAction::RedirectResponseCode code) {
  switch (code) {
    case v1::RedirectAction::FOUND: return 302;
    case v1::RedirectAction::SEE_OTHER: return 303;
    case v1::RedirectAction::TEMPORARY_REDIRECT: return 307;
    case v1::RedirectAction::PERMANENT_REDIRECT: return 308;
    default: return 301;
  }
}

void BuildAction(const v1::Route& r, Route& route) {
  const v1::RouteAction& a = r.route();
  route.action = Route::Action::kCluster;
  if (a.cluster_specifier_case() == v1::RouteAction::kWeightedClusters) {
    for (const auto& c : a.weighted_clusters().clusters()) {
      route.clusters.push_back({c.name(), c.weight()});
      route.total_weight += c.weight();
    }
  } else {
    route.clusters.push_back({a.cluster(), 1});
    route.total_weight = 1;
  }
  route.has_prefix_rewrite = !a.prefix_rewrite().empty();
  route.prefix_rewrite = a.prefix_rewrite();
  route.host_rewrite = a.host_rewrite_literal();
  route.timeout = DurationOr(a.has_timeout(), a.timeout(), std::chrono::seconds(15));
}

void BuildRedirect(const v1::RedirectAction& r, Redirect& redirect) {
  redirect.scheme = r.https_redirect() ? "https" : r.scheme_redirect();
  redirect.host = r.host_redirect();
  redirect.port = r.port_redirect();
  redirect.path = r.path_redirect();
  redirect.has_prefix_rewrite = r.path_rewrite_specifier_case() == v1::RedirectAction::kPrefixRewrite;
  redirect.prefix_rewrite = r.prefix_rewrite();
  redirect.status = RedirectStatus(r.response_code());
  redirect.strip_query = r.strip_query();
}

absl::StatusOr<Route> BuildRoute(const v1::Route& r) {
  Route route;
  route.name = r.name();
  const auto& match = r.match();
  route.case_sensitive = !match.has_case_sensitive() || match.case_sensitive();
  switch (match.path_specifier_case()) {
    case v1::RouteMatch::kPath: route.path_kind = Route::PathKind::kExact; route.path = match.path(); break;
    case v1::RouteMatch::kSafeRegex: {
      route.path_kind = Route::PathKind::kRegex;
      auto re = Compile(match.safe_regex().regex(), route.case_sensitive);
      if (!re.ok()) return re.status();
      route.regex = *re;
      break;
    }
    default: route.path_kind = Route::PathKind::kPrefix; route.path = match.prefix(); break;
  }
  if (!route.case_sensitive) route.path = absl::AsciiStrToLower(route.path);
  for (const auto& h : match.headers()) {
    auto hm = BuildHeaderMatch(h);
    if (!hm.ok()) return hm.status();
    route.headers.push_back(*std::move(hm));
  }
  switch (r.action_case()) {
    case v1::Route::kRedirect:
      route.action = Route::Action::kRedirect;
      BuildRedirect(r.redirect(), route.redirect);
      break;
    case v1::Route::kDirectResponse: {
      route.action = Route::Action::kDirectResponse;
      route.direct_status = r.direct_response().status();
      auto body = ReadDataSource(r.direct_response().body());
      if (!body.ok()) return body.status();
      route.direct_body = *std::move(body);
      break;
    }
    default:
      BuildAction(r, route);
  }
  route.request_headers = BuildMutation(r.request_headers_to_add(), r.request_headers_to_remove());
  route.response_headers = BuildMutation(r.response_headers_to_add(), r.response_headers_to_remove());
  return route;
}

absl::StatusOr<std::shared_ptr<const RouteTable>> BuildRouteTable(const v1::RouteConfiguration& rc) {
  auto table = std::make_shared<RouteTable>();
  table->name = rc.name();
  table->request_headers = BuildMutation(rc.request_headers_to_add(), rc.request_headers_to_remove());
  table->response_headers = BuildMutation(rc.response_headers_to_add(), rc.response_headers_to_remove());
  for (const auto& vh : rc.virtual_hosts()) {
    VirtualHost vhost;
    vhost.name = vh.name();
    for (const auto& d : vh.domains()) vhost.domains.push_back(absl::AsciiStrToLower(d));
    vhost.request_headers = BuildMutation(vh.request_headers_to_add(), vh.request_headers_to_remove());
    vhost.response_headers = BuildMutation(vh.response_headers_to_add(), vh.response_headers_to_remove());
    for (const auto& r : vh.routes()) {
      auto route = BuildRoute(r);
      if (!route.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("virtual host ", vh.name(), ": ", route.status().message()));
      }
      vhost.routes.push_back(*std::move(route));
    }
    table->virtual_hosts.push_back(std::move(vhost));
  }
  return table;
}

ListenerTracing BuildListenerTracing(const v1::ListenerTracing& t, v1::Listener::TrafficDirection direction) {
  ListenerTracing out;
  out.operation_name = !t.operation_name().empty() ? t.operation_name()
                       : direction == v1::Listener::INBOUND ? "ingress"
                                                            : "egress";
  if (t.has_client_sampling()) out.client_sampling = t.client_sampling().value();
  if (t.has_random_sampling()) out.random_sampling = t.random_sampling().value();
  if (t.has_overall_sampling()) out.overall_sampling = t.overall_sampling().value();
  if (t.has_max_path_tag_length()) out.max_path_tag_length = t.max_path_tag_length().value();
  if (!t.propagation().empty()) {
    out.b3_multi = out.w3c = false;
    for (const int f : t.propagation()) {
      switch (f) {
        case v1::ListenerTracing::B3_MULTI: out.b3_multi = true; break;
        case v1::ListenerTracing::B3_SINGLE: out.b3_single = true; break;
        case v1::ListenerTracing::W3C: out.w3c = true; break;
        case v1::ListenerTracing::OT_SPAN_CONTEXT: out.ot_span_context = true; break;
        default: break;
      }
    }
  }
  for (const auto& c : t.custom_tags()) {
    CustomTag tag{c.tag(), CustomTag::Kind::kLiteral, c.literal(), c.default_value()};
    if (c.type_case() == v1::CustomTag::kRequestHeader) {
      tag.kind = CustomTag::Kind::kRequestHeader;
      tag.value = absl::AsciiStrToLower(c.request_header());
    } else if (c.type_case() == v1::CustomTag::kEnvironment) {
      // Read once, at load, as Envoy does.
      const char* env = std::getenv(c.environment().c_str());
      tag.value = env != nullptr ? env : c.default_value();
    }
    out.custom_tags.push_back(std::move(tag));
  }
  return out;
}

std::optional<ZipkinConfig> BuildZipkin(const v1::Bootstrap& bootstrap) {
  if (!bootstrap.has_tracing() || !bootstrap.tracing().has_zipkin()) return std::nullopt;
  const v1::ZipkinConfig& z = bootstrap.tracing().zipkin();
  ZipkinConfig out;
  out.collector_cluster = z.collector_cluster();
  out.json_v1 = z.collector_endpoint_version() == v1::ZipkinConfig::HTTP_JSON_V1;
  out.collector_endpoint = !z.collector_endpoint().empty() ? z.collector_endpoint()
                           : out.json_v1                   ? "/api/v1/spans"
                                                           : "/api/v2/spans";
  out.trace_id_128bit = z.trace_id_128bit();
  if (z.has_shared_span_context()) out.shared_span_context = z.shared_span_context().value();
  if (z.has_max_batch_size()) out.max_batch_size = std::max<uint32_t>(1, z.max_batch_size().value());
  out.flush_interval = DurationOr(z.has_flush_interval(), z.flush_interval(), out.flush_interval);
  if (z.has_max_queue_size()) out.max_queue_size = z.max_queue_size().value();
  out.collector_hostname = z.collector_hostname().empty() ? z.collector_cluster() : z.collector_hostname();
  return out;
}

absl::StatusOr<std::shared_ptr<const Listener>> BuildListener(const v1::Listener& l) {
  auto listener = std::make_shared<Listener>();
  const auto& hcm = l.http_connection_manager();
  listener->name = l.name();
  listener->stat_prefix = hcm.stat_prefix().empty() ? l.name() : hcm.stat_prefix();
  listener->address = l.address().socket_address().address();
  listener->port = static_cast<uint16_t>(l.address().socket_address().port_value());
  listener->direction = l.traffic_direction();
  auto routes = BuildRouteTable(hcm.route_config());
  if (!routes.ok()) return absl::InvalidArgumentError(absl::StrCat("listener ", l.name(), ": ", routes.status().message()));
  listener->routes = *std::move(routes);
  for (const auto& log : hcm.access_log()) {
    listener->access_logs.push_back({log.path(), log.format().empty() ? std::string(kDefaultAccessLogFormat) : log.format()});
  }
  if (hcm.has_max_request_headers_kb()) listener->max_request_headers_bytes = hcm.max_request_headers_kb().value() * 1024;
  if (hcm.has_max_headers_count()) listener->max_headers_count = hcm.max_headers_count().value();
  listener->request_headers_timeout =
      DurationOr(hcm.has_request_headers_timeout(), hcm.request_headers_timeout(), listener->request_headers_timeout);
  listener->idle_timeout = DurationOr(hcm.has_idle_timeout(), hcm.idle_timeout(), listener->idle_timeout);
  listener->drain_timeout = DurationOr(l.has_drain_timeout(), l.drain_timeout(), listener->drain_timeout);
  listener->use_remote_address = hcm.use_remote_address();
  if (hcm.has_tracing()) listener->tracing = BuildListenerTracing(hcm.tracing(), l.traffic_direction());
  if (hcm.has_generate_request_id()) listener->generate_request_id = hcm.generate_request_id().value();
  listener->preserve_external_request_id = hcm.preserve_external_request_id();
  listener->always_set_request_id_in_response = hcm.always_set_request_id_in_response();
  if (!hcm.forwarded_proto().empty()) listener->forwarded_proto = hcm.forwarded_proto();
  return listener;
}

std::shared_ptr<const Cluster> BuildCluster(const v1::Cluster& c, const ResolvedHosts& resolved) {
  auto cluster = std::make_shared<Cluster>();
  cluster->name = c.name();
  cluster->type = c.type();
  cluster->lb_policy = c.lb_policy();
  cluster->dns_lookup_family = c.dns_lookup_family();
  cluster->connect_timeout = DurationOr(c.has_connect_timeout(), c.connect_timeout(), cluster->connect_timeout);
  cluster->dns_refresh_rate = DurationOr(c.has_dns_refresh_rate(), c.dns_refresh_rate(), cluster->dns_refresh_rate);
  cluster->idle_timeout = DurationOr(c.has_idle_timeout(), c.idle_timeout(), cluster->idle_timeout);
  cluster->max_requests_per_connection = c.max_requests_per_connection();
  if (c.has_max_idle_connections_per_host()) cluster->max_idle_connections_per_host = c.max_idle_connections_per_host().value();
  for (const auto& locality : c.load_assignment().endpoints()) {
    for (const auto& e : locality.lb_endpoints()) {
      const auto& sa = e.endpoint().address().socket_address();
      const uint32_t weight = e.has_load_balancing_weight() ? e.load_balancing_weight().value() : 1;
      const auto port = static_cast<uint16_t>(sa.port_value());
      if (c.type() == v1::Cluster::STRICT_DNS) {
        cluster->dns_names.push_back({sa.address(), port, weight});
      } else {
        cluster->hosts.push_back({sa.address(), port, weight});
      }
    }
  }
  if (c.type() == v1::Cluster::STRICT_DNS) {
    auto it = resolved.find(c.name());
    if (it != resolved.end()) cluster->hosts = it->second;
  }
  return cluster;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(const v1::Bootstrap& bootstrap,
                                                             const ResolvedHosts& resolved, uint64_t version) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = version;
  snapshot->bootstrap = bootstrap;
  snapshot->zipkin = BuildZipkin(bootstrap);
  for (const auto& c : bootstrap.static_resources().clusters()) {
    snapshot->clusters[c.name()] = BuildCluster(c, resolved);
  }
  for (const auto& l : bootstrap.static_resources().listeners()) {
    auto listener = BuildListener(l);
    if (!listener.ok()) return listener.status();
    snapshot->listeners.push_back(*std::move(listener));
  }
  return snapshot;
}

}  // namespace tether::config
