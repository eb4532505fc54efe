#include "src/config/health_check.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/config/validation_util.h"

namespace tether::config {
namespace {

using absl::StrCat;
using v1::HealthCheck;

// Envoy's bounds for expected_statuses: [100, 600).
constexpr int64_t kMinStatus = 100;
constexpr int64_t kMaxStatusEnd = 600;

// A duration that must be set and positive (timeout, interval).
absl::Status RequiredPositive(bool has, const google::protobuf::Duration& d, const std::string& path,
                              Duration& out) {
  if (!has) return Err(path, "required");
  TETHER_RETURN_IF_ERROR(CheckDuration(path, d, true));
  return SetDuration(true, d, path, out);
}

// An optional duration: when set, positive (`positive`) or at least zero (the jitters).
absl::Status Optional(bool has, const google::protobuf::Duration& d, const std::string& path, bool positive,
                      Duration& out) {
  if (!has) return absl::OkStatus();
  TETHER_RETURN_IF_ERROR(CheckDuration(path, d, positive));
  return SetDuration(true, d, path, out);
}

absl::Status Threshold(bool has, uint32_t value, const std::string& path, uint32_t& out) {
  if (!has) return Err(path, "required");
  if (value < 1) return Err(path, "must be at least 1");
  out = value;
  return absl::OkStatus();
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

absl::Status BuildHttp(const HealthCheck::HttpHealthCheck& in, const std::string& path, config::HealthCheck& out) {
  if (in.path().empty()) return Err(path + ".path", "required");
  if (in.path().front() != '/') return Err(path + ".path", StrCat("\"", in.path(), "\" must start with \"/\""));
  if (HasLineBreak(in.path()) || in.path().find(' ') != std::string::npos) {
    return Err(path + ".path", "must not contain spaces or line breaks");
  }
  if (HasLineBreak(in.host())) return Err(path + ".host", "must not contain a line break");
  out.kind = config::HealthCheck::Kind::kHttp;
  out.path = in.path();
  out.host = in.host();
  for (int i = 0; i < in.request_headers_to_add_size(); ++i) {
    const auto& add = in.request_headers_to_add(i);
    const std::string hp = StrCat(path, ".request_headers_to_add[", i, "]");
    const std::string& key = add.header().key();
    if (key.empty()) return Err(hp + ".header.key", "required");
    if (!IsHeaderToken(key)) return Err(hp + ".header.key", StrCat("\"", key, "\" is not a valid header name"));
    // Envoy's rule for added request headers: the probe's Host is `host`, not a header to add.
    if (absl::AsciiStrToLower(key) == "host") return Err(hp + ".header.key", "\"host\" is set by host, not added");
    if (HasLineBreak(add.header().value())) return Err(hp + ".header.value", "must not contain a line break");
    if (!v1::HeaderValueOption::AppendAction_IsValid(add.append_action())) {
      return Err(hp + ".append_action", StrCat("unknown action ", add.append_action()));
    }
    out.request_headers_to_add.push_back({absl::AsciiStrToLower(key), add.header().value(), add.append_action()});
  }
  for (int i = 0; i < in.expected_statuses_size(); ++i) {
    const auto& r = in.expected_statuses(i);
    const std::string rp = StrCat(path, ".expected_statuses[", i, "]");
    if (r.start() < kMinStatus || r.start() >= kMaxStatusEnd) {
      return Err(rp + ".start", StrCat(r.start(), " is out of range [100, 600)"));
    }
    if (r.end() <= kMinStatus || r.end() > kMaxStatusEnd) {
      return Err(rp + ".end", StrCat(r.end(), " is out of range (100, 600]"));
    }
    if (r.start() >= r.end()) {
      return Err(rp, StrCat("[", r.start(), ", ", r.end(), ") is empty: start must be below end (end is exclusive)"));
    }
    out.expected_statuses.push_back({r.start(), r.end()});
  }
  if (out.expected_statuses.empty()) out.expected_statuses.push_back({200, 201});
  return absl::OkStatus();
}

absl::StatusOr<config::HealthCheck> BuildHealthCheck(const HealthCheck& in, const std::string& path) {
  config::HealthCheck out;
  TETHER_RETURN_IF_ERROR(RequiredPositive(in.has_timeout(), in.timeout(), path + ".timeout", out.timeout));
  TETHER_RETURN_IF_ERROR(RequiredPositive(in.has_interval(), in.interval(), path + ".interval", out.interval));
  TETHER_RETURN_IF_ERROR(Optional(in.has_interval_jitter(), in.interval_jitter(), path + ".interval_jitter", false,
                                  out.interval_jitter));
  TETHER_RETURN_IF_ERROR(Optional(in.has_initial_jitter(), in.initial_jitter(), path + ".initial_jitter", false,
                                  out.initial_jitter));
  TETHER_RETURN_IF_ERROR(Optional(in.has_no_traffic_interval(), in.no_traffic_interval(),
                                  path + ".no_traffic_interval", true, out.no_traffic_interval));
  out.unhealthy_interval = out.interval;
  TETHER_RETURN_IF_ERROR(Optional(in.has_unhealthy_interval(), in.unhealthy_interval(), path + ".unhealthy_interval",
                                  true, out.unhealthy_interval));
  TETHER_RETURN_IF_ERROR(Threshold(in.has_unhealthy_threshold(), in.unhealthy_threshold().value(),
                                   path + ".unhealthy_threshold", out.unhealthy_threshold));
  TETHER_RETURN_IF_ERROR(Threshold(in.has_healthy_threshold(), in.healthy_threshold().value(),
                                   path + ".healthy_threshold", out.healthy_threshold));
  switch (in.health_checker_case()) {
    case HealthCheck::kHttpHealthCheck:
      TETHER_RETURN_IF_ERROR(BuildHttp(in.http_health_check(), path + ".http_health_check", out));
      break;
    case HealthCheck::kTcpHealthCheck:
      out.kind = config::HealthCheck::Kind::kTcp;
      break;
    case HealthCheck::HEALTH_CHECKER_NOT_SET:
      return Err(path, "one of http_health_check and tcp_health_check is required");
  }
  return out;
}

}  // namespace

absl::Status ApplyHealthChecks(const v1::Cluster& c, const std::string& path, Cluster* out) {
  std::vector<config::HealthCheck> checks;
  for (int i = 0; i < c.health_checks_size(); ++i) {
    const std::string hp = StrCat(path, ".health_checks[", i, "]");
    if (i >= kMaxHealthChecks) {
      return Err(hp, StrCat("Tether runs one health check per cluster (", kMaxHealthChecks,
                            " at most): fold the checks into one"));
    }
    auto check = BuildHealthCheck(c.health_checks(i), hp);
    if (!check.ok()) return check.status();
    checks.push_back(*std::move(check));
  }
  if (out != nullptr) out->health_checks = std::move(checks);
  return absl::OkStatus();
}

}  // namespace tether::config
