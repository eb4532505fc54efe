#include "src/config/http_filters.h"

#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

constexpr char kFaultName[] = "envoy.filters.http.fault";
constexpr char kRateLimitName[] = "envoy.filters.http.local_ratelimit";
constexpr char kRouterName[] = "envoy.filters.http.router";

absl::Status Percent(bool has, const google::protobuf::DoubleValue& v, const std::string& path, double& out) {
  if (!has) return absl::OkStatus();
  if (!(v.value() >= 0 && v.value() <= 100)) return Err(path, StrCat(v.value(), " is out of range (0-100)"));
  out = v.value();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const FaultConfig>> BuildFault(const v1::HttpFault& in, const std::string& path) {
  auto fault = std::make_shared<FaultConfig>();
  if (in.has_delay()) {
    const auto& d = in.delay();
    FaultConfig::Delay delay;
    switch (d.delay_type_case()) {
      case v1::HttpFault::Delay::kFixedDelay:
        TETHER_RETURN_IF_ERROR(CheckDuration(path + ".delay.fixed_delay", d.fixed_delay(), true));
        TETHER_RETURN_IF_ERROR(SetDuration(true, d.fixed_delay(), path + ".delay.fixed_delay", delay.fixed));
        break;
      case v1::HttpFault::Delay::kHeaderDelay: delay.from_header = true; break;
      default: return Err(path + ".delay", "needs fixed_delay or header_delay");
    }
    TETHER_RETURN_IF_ERROR(Percent(d.has_percentage(), d.percentage(), path + ".delay.percentage", delay.percentage));
    fault->delay = delay;
  }
  if (in.has_abort()) {
    const auto& a = in.abort();
    FaultConfig::Abort abort;
    switch (a.error_type_case()) {
      case v1::HttpFault::Abort::kHttpStatus:
        if (a.http_status() < 200 || a.http_status() > 599) {
          return Err(path + ".abort.http_status", StrCat(a.http_status(), " is not a status code (200-599)"));
        }
        abort.http_status = a.http_status();
        break;
      case v1::HttpFault::Abort::kGrpcStatus:
        if (a.grpc_status() > 16) return Err(path + ".abort.grpc_status", StrCat(a.grpc_status(), " is not a gRPC status (0-16)"));
        abort.grpc_status = static_cast<int>(a.grpc_status());
        break;
      case v1::HttpFault::Abort::kHeaderAbort: abort.from_header = true; break;
      default: return Err(path + ".abort", "needs http_status, grpc_status or header_abort");
    }
    TETHER_RETURN_IF_ERROR(Percent(a.has_percentage(), a.percentage(), path + ".abort.percentage", abort.percentage));
    fault->abort = abort;
  }
  fault->max_active_faults = in.max_active_faults().value();
  return std::shared_ptr<const FaultConfig>(std::move(fault));
}

absl::StatusOr<std::shared_ptr<const LocalRateLimitConfig>> BuildLocalRateLimit(const v1::LocalRateLimit& in,
                                                                              const std::string& path,
                                                                              bool bucket_required) {
  auto limit = std::make_shared<LocalRateLimitConfig>();
  if (in.stat_prefix().empty()) return Err(path + ".stat_prefix", "required");
  limit->stat_prefix = in.stat_prefix();
  if (in.has_token_bucket()) {
    const auto& b = in.token_bucket();
    if (b.max_tokens() == 0) return Err(path + ".token_bucket.max_tokens", "must be at least 1");
    if (!b.has_fill_interval()) return Err(path + ".token_bucket.fill_interval", "required");
    TETHER_RETURN_IF_ERROR(SetDuration(true, b.fill_interval(), path + ".token_bucket.fill_interval",
                                       limit->fill_interval));
    // Envoy's floor: a finer interval would refill on every request.
    if (limit->fill_interval < Duration(50)) {
      return Err(path + ".token_bucket.fill_interval", StrCat(limit->fill_interval.count(), "ms is below 50ms"));
    }
    if (b.has_tokens_per_fill()) {
      if (b.tokens_per_fill().value() == 0) return Err(path + ".token_bucket.tokens_per_fill", "must be at least 1");
      limit->tokens_per_fill = b.tokens_per_fill().value();
    }
    limit->max_tokens = b.max_tokens();
    limit->has_bucket = true;
  } else if (bucket_required) {
    return Err(path + ".token_bucket", "required");
  }
  TETHER_RETURN_IF_ERROR(
      Percent(in.has_filter_enabled(), in.filter_enabled(), path + ".filter_enabled", limit->filter_enabled));
  TETHER_RETURN_IF_ERROR(
      Percent(in.has_filter_enforced(), in.filter_enforced(), path + ".filter_enforced", limit->filter_enforced));
  if (in.has_status()) {
    if (in.status().value() < 400 || in.status().value() > 599) {
      return Err(path + ".status", StrCat(in.status().value(), " is not an error status (400-599)"));
    }
    limit->status = in.status().value();
  }
  return std::shared_ptr<const LocalRateLimitConfig>(std::move(limit));
}

absl::Status ApplyRouteFilters(const v1::Route& r, const std::string& path, Route* out) {
  if (!r.has_per_filter_config()) return absl::OkStatus();
  const auto& p = r.per_filter_config();
  const std::string pp = path + ".per_filter_config";
  std::shared_ptr<const FaultConfig> fault;
  std::shared_ptr<const LocalRateLimitConfig> limit;
  if (p.has_fault()) {
    auto built = BuildFault(p.fault(), pp + ".fault");
    if (!built.ok()) return built.status();
    fault = *std::move(built);
  }
  if (p.has_local_ratelimit()) {
    auto built = BuildLocalRateLimit(p.local_ratelimit(), pp + ".local_ratelimit", true);
    if (!built.ok()) return built.status();
    limit = *std::move(built);
  }
  if (out != nullptr) {
    out->fault = std::move(fault);
    out->rate_limit = std::move(limit);
  }
  return absl::OkStatus();
}

absl::Status ApplyHttpFilters(const v1::Listener& l, const std::string& path, Listener* out) {
  const auto& filters = l.http_connection_manager().http_filters();
  std::vector<HttpFilterConfig> built;
  for (int i = 0; i < filters.size(); ++i) {
    const v1::HttpFilter& f = filters[i];
    const std::string fp = StrCat(path, ".http_connection_manager.http_filters[", i, "]");
    const char* expected = f.has_fault() ? kFaultName : f.has_local_ratelimit() ? kRateLimitName : kRouterName;
    if (!f.name().empty() && f.name() != expected) {
      return Err(fp + ".name", StrCat("\"", f.name(), "\" does not name this entry's filter (", expected, ")"));
    }
    HttpFilterConfig config;
    switch (f.config_case()) {
      case v1::HttpFilter::kFault: {
        auto fault = BuildFault(f.fault(), fp + ".fault");
        if (!fault.ok()) return fault.status();
        config.fault = *std::move(fault);
        break;
      }
      case v1::HttpFilter::kLocalRatelimit: {
        auto limit = BuildLocalRateLimit(f.local_ratelimit(), fp + ".local_ratelimit", false);
        if (!limit.ok()) return limit.status();
        config.rate_limit = *std::move(limit);
        break;
      }
      default:
        // Envoy's router entry: routing is built in and always last.
        if (f.name() != kRouterName) return Err(fp, "needs fault or local_ratelimit");
        if (i != filters.size() - 1) return Err(fp, "the router comes last");
        continue;
    }
    built.push_back(std::move(config));
  }
  if (out != nullptr) out->http_filters = std::move(built);
  return absl::OkStatus();
}

}  // namespace tether::config
