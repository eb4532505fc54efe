#include "src/config/retry_policy.h"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/config/header_matcher.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;

constexpr char kPreviousHosts[] = "envoy.retry_host_predicates.previous_hosts";
constexpr int64_t kMaxHostSelectionAttempts = 100;

// A field name (RFC 9110 token) or a request pseudo-header.
bool IsRequestHeaderName(std::string_view name) {
  return name == ":method" || name == ":scheme" || name == ":authority" || name == ":path" || IsHeaderToken(name);
}

std::string FormatMs(Duration d) { return StrCat(d.count(), "ms"); }

absl::Status ParseRetryOn(const std::string& text, const std::string& path, uint32_t& out) {
  for (absl::string_view piece : absl::StrSplit(text, ',')) {
    piece = absl::StripAsciiWhitespace(piece);
    if (piece.empty()) continue;
    const std::string part(piece);
    const auto condition = RetryOnCondition(part);
    if (!condition) {
      return Err(path, StrCat("unknown condition \"", part,
                              "\" (5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, "
                              "retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, "
                              "unavailable)"));
    }
    out |= *condition;
  }
  return absl::OkStatus();
}

absl::Status BuildBackOff(const v1::RetryPolicy::RetryBackOff& b, const std::string& path, RetryPolicy& p) {
  if (!b.has_base_interval()) return Err(path + ".base_interval", "required");
  TETHER_RETURN_IF_ERROR(CheckDuration(path + ".base_interval", b.base_interval(), true));
  TETHER_RETURN_IF_ERROR(SetDuration(true, b.base_interval(), path + ".base_interval", p.base_interval));
  p.max_interval = p.base_interval * 10;
  if (b.has_max_interval()) {
    TETHER_RETURN_IF_ERROR(CheckDuration(path + ".max_interval", b.max_interval(), true));
    TETHER_RETURN_IF_ERROR(SetDuration(true, b.max_interval(), path + ".max_interval", p.max_interval));
    if (p.max_interval < p.base_interval) {
      return Err(path + ".max_interval", StrCat(FormatMs(p.max_interval), " is shorter than base_interval ",
                                                FormatMs(p.base_interval)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const RetryPolicy>> BuildRetryPolicy(const v1::RetryPolicy& in, const std::string& path,
                                                                    CompiledRegexes& regexes) {
  auto p = std::make_shared<RetryPolicy>();
  TETHER_RETURN_IF_ERROR(ParseRetryOn(in.retry_on(), path + ".retry_on", p->retry_on));
  if (in.has_num_retries()) p->num_retries = in.num_retries().value();
  TETHER_RETURN_IF_ERROR(
      SetDuration(in.has_per_try_timeout(), in.per_try_timeout(), path + ".per_try_timeout", p->per_try_timeout));
  TETHER_RETURN_IF_ERROR(SetDuration(in.has_per_try_idle_timeout(), in.per_try_idle_timeout(),
                                     path + ".per_try_idle_timeout", p->per_try_idle_timeout));
  for (int i = 0; i < in.retriable_status_codes_size(); ++i) {
    const uint32_t code = in.retriable_status_codes(i);
    if (code < 100 || code > 599) {
      return Err(StrCat(path, ".retriable_status_codes[", i, "]"), StrCat(code, " is not a status code (100-599)"));
    }
    p->retriable_status_codes.push_back(code);
  }
  if (in.has_retry_back_off()) TETHER_RETURN_IF_ERROR(BuildBackOff(in.retry_back_off(), path + ".retry_back_off", *p));
  for (int i = 0; i < in.retry_host_predicate_size(); ++i) {
    const std::string& name = in.retry_host_predicate(i).name();
    if (name != kPreviousHosts) {
      return Err(StrCat(path, ".retry_host_predicate[", i, "].name"),
                 StrCat("unknown predicate \"", name, "\" (", kPreviousHosts, ")"));
    }
    p->previous_hosts = true;
  }
  const int64_t attempts = in.host_selection_retry_max_attempts();
  if (attempts < 0 || attempts > kMaxHostSelectionAttempts) {
    return Err(path + ".host_selection_retry_max_attempts",
               StrCat(attempts, " is out of range (0-", kMaxHostSelectionAttempts, ")"));
  }
  if (attempts > 0) p->host_selection_retry_max_attempts = static_cast<uint32_t>(attempts);
  for (int i = 0; i < in.retriable_request_headers_size(); ++i) {
    const std::string hp = StrCat(path, ".retriable_request_headers[", i, "]");
    if (!IsRequestHeaderName(in.retriable_request_headers(i).name())) {
      return Err(hp + ".name", StrCat("\"", in.retriable_request_headers(i).name(),
                                      "\" is not a header name (a token, or :method, :scheme, :authority, :path)"));
    }
    auto match = BuildHeaderMatch(in.retriable_request_headers(i), hp, regexes);
    if (!match.ok()) return match.status();
    p->retriable_request_headers.push_back(*std::move(match));
  }
  return std::shared_ptr<const RetryPolicy>(std::move(p));
}

}  // namespace

std::optional<RetryPolicy::On> RetryOnCondition(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, RetryPolicy::On>, 12> kNames = {{
      {"5xx", RetryPolicy::k5xx},
      {"gateway-error", RetryPolicy::kGatewayError},
      {"reset", RetryPolicy::kReset},
      {"connect-failure", RetryPolicy::kConnectFailure},
      {"retriable-4xx", RetryPolicy::kRetriable4xx},
      {"refused-stream", RetryPolicy::kRefusedStream},
      {"retriable-status-codes", RetryPolicy::kRetriableStatusCodes},
      {"cancelled", RetryPolicy::kGrpcCancelled},
      {"deadline-exceeded", RetryPolicy::kGrpcDeadlineExceeded},
      {"internal", RetryPolicy::kGrpcInternal},
      {"resource-exhausted", RetryPolicy::kGrpcResourceExhausted},
      {"unavailable", RetryPolicy::kGrpcUnavailable},
  }};
  for (const auto& [n, on] : kNames) {
    if (n == name) return on;
  }
  return std::nullopt;
}

absl::Status ApplyRouteRetry(const v1::VirtualHost& vh, const std::string& vhost_path, const v1::Route& r,
                             const std::string& route_path, CompiledRegexes& regexes, Route* out) {
  const bool own = r.route().has_retry_policy();
  std::shared_ptr<const RetryPolicy> policy;
  std::string policy_path;
  if (own || vh.has_retry_policy()) {
    policy_path = own ? route_path + ".route.retry_policy" : vhost_path + ".retry_policy";
    auto built = BuildRetryPolicy(own ? r.route().retry_policy() : vh.retry_policy(), policy_path, regexes);
    if (!built.ok()) return built.status();
    policy = *std::move(built);
  }
  Duration timeout{std::chrono::seconds(15)};
  TETHER_RETURN_IF_ERROR(
      SetDuration(r.route().has_timeout(), r.route().timeout(), route_path + ".route.timeout", timeout));
  // A try longer than the whole request could never time out on its own.
  if (policy && timeout.count() > 0 && policy->per_try_timeout > timeout) {
    return Err(policy_path + ".per_try_timeout",
               StrCat(FormatMs(policy->per_try_timeout), " is longer than the route's timeout ", FormatMs(timeout),
                      " (", route_path, ".route.timeout)"));
  }
  if (out == nullptr) return absl::OkStatus();
  out->retry_policy = std::move(policy);
  out->include_request_attempt_count = vh.include_request_attempt_count();
  out->include_attempt_count_in_response = vh.include_attempt_count_in_response();
  if (r.has_per_request_buffer_limit_bytes()) {
    out->per_request_buffer_limit_bytes = r.per_request_buffer_limit_bytes().value();
  } else if (vh.has_per_request_buffer_limit_bytes()) {
    out->per_request_buffer_limit_bytes = vh.per_request_buffer_limit_bytes().value();
  }
  return absl::OkStatus();
}

}  // namespace tether::config
