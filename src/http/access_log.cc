#include "src/http/access_log.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "src/common/grpc_status.h"

namespace tether::http {
namespace {

using Kind = config::AccessLogToken::Kind;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

void AppendOrDash(std::string& out, std::string_view v, size_t max_length = 0) {
  if (v.empty()) {
    out += '-';
    return;
  }
  if (max_length != 0 && v.size() > max_length) v = v.substr(0, max_length);
  out.append(v);
}

void AppendMillis(std::string& out, std::chrono::microseconds d) {
  absl::StrAppend(&out, duration_cast<milliseconds>(d).count());
}

struct SplitTime {
  std::tm tm{};
  int64_t nanos = 0;  // within the second, never negative
  int64_t epoch_seconds = 0;
};

SplitTime Split(std::chrono::system_clock::time_point t) {
  // floor, not truncation, so instants before 1970 still get a positive fraction.
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  SplitTime s;
  s.epoch_seconds = secs.time_since_epoch().count();
  s.nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(t - secs).count();
  const std::time_t tt = static_cast<std::time_t>(s.epoch_seconds);
  gmtime_r(&tt, &s.tm);
  return s;
}

// 2026-11-25T10:00:00.123Z, Envoy's default.
void AppendIsoTime(std::string& out, const SplitTime& s) {
  char buf[96];
  const int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", s.tm.tm_year + 1900,
                              s.tm.tm_mon + 1, s.tm.tm_mday, s.tm.tm_hour, s.tm.tm_min, s.tm.tm_sec,
                              static_cast<int>(s.nanos / 1'000'000));
  if (n > 0) out.append(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
}

// strftime plus Envoy's extensions: %f and %1f..%9f (fractional seconds, %f
// being nanoseconds) and %s (seconds since the epoch), substituted first.
std::string ExpandEnvoySpecifiers(const std::string& pattern, const SplitTime& s) {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 >= pattern.size()) {
      out += pattern[i];
      continue;
    }
    const char next = pattern[i + 1];
    const bool digit_f = next >= '1' && next <= '9' && i + 2 < pattern.size() && pattern[i + 2] == 'f';
    if (next == 'f' || digit_f) {
      char digits[16];
      std::snprintf(digits, sizeof(digits), "%09lld", static_cast<long long>(s.nanos));
      out.append(digits, next == 'f' ? 9 : static_cast<size_t>(next - '0'));
      i += next == 'f' ? 1 : 2;
    } else if (next == 's') {
      absl::StrAppend(&out, s.epoch_seconds);
      ++i;
    } else {  // strftime's own, including "%%"
      out.append(pattern, i, 2);
      ++i;
    }
  }
  return out;
}

void AppendTime(std::string& out, std::chrono::system_clock::time_point t, const std::string& pattern) {
  const SplitTime s = Split(t);
  if (pattern.empty()) {
    AppendIsoTime(out, s);
    return;
  }
  const std::string expanded = ExpandEnvoySpecifiers(pattern, s);
  std::array<char, 512> buf;
  // strftime returns 0 both for "too long" and for an empty result; either way nothing is printed.
  const size_t n = std::strftime(buf.data(), buf.size(), expanded.c_str(), &s.tm);
  out.append(buf.data(), n);
}

std::string_view Pseudo(const AccessLogEntry& e, const std::string& name) {
  if (name == ":method") return e.method;
  if (name == ":path") return e.path;
  if (name == ":authority") return e.authority;
  return {};
}

std::string_view HeaderValue(const AccessLogEntry& e, const codec::HeaderMap* headers, const std::string& name,
                             bool request) {
  if (name.empty()) return {};
  if (name[0] == ':') return request ? Pseudo(e, name) : std::string_view{};
  // What the proxy added upstream (the trace context) is a field of the request's map too.
  return headers != nullptr ? headers->Get(name).value_or(std::string_view()) : std::string_view{};
}

// Envoy's CAMEL_STRING names (Grpc::Utility::grpcStatusToString), by code; SNAKE_STRING is the
// codes' canonical names (GrpcStatusName).
constexpr std::array<std::string_view, kGrpcStatusCount> kGrpcCamelNames = {
    "OK",           "Canceled",      "Unknown",           "InvalidArgument",    "DeadlineExceeded", "NotFound",
    "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
    "OutOfRange",   "Unimplemented", "Internal",          "Unavailable",        "DataLoss",         "Unauthenticated"};

// As Envoy: a code without a name prints as its number in either string form.
void AppendGrpcStatus(std::string& out, std::optional<int> status, config::AccessLogToken::GrpcStatusFormat format) {
  using Format = config::AccessLogToken::GrpcStatusFormat;
  if (!status) {
    out += '-';
    return;
  }
  const bool known = *status >= 0 && *status < static_cast<int>(kGrpcStatusCount);
  if (format == Format::kNumber || !known) {
    absl::StrAppend(&out, *status);
  } else if (format == Format::kCamelString) {
    out.append(kGrpcCamelNames[static_cast<size_t>(*status)]);
  } else {
    out.append(GrpcStatusName(static_cast<GrpcStatus>(*status)));
  }
}

void AppendHeader(std::string& out, const AccessLogEntry& e, const config::AccessLogToken& t) {
  const bool request = t.kind == Kind::kRequestHeader;
  const codec::HeaderMap* headers = request ? e.request_headers : e.response_headers;
  std::string_view v = HeaderValue(e, headers, t.header, request);
  if (v.empty()) v = HeaderValue(e, headers, t.alt_header, request);
  // The upstream's own header wins; otherwise print what we measured, as Envoy sets it.
  if (v.empty() && !request && e.upstream_service_time &&
      (t.header == "x-envoy-upstream-service-time" || t.alt_header == "x-envoy-upstream-service-time")) {
    AppendMillis(out, *e.upstream_service_time);
    return;
  }
  AppendOrDash(out, v, t.max_length);
}

}  // namespace

AccessLogFormatter::AccessLogFormatter(config::AccessLogFormat format) : format_(std::move(format)) {}

std::string AccessLogFormatter::Format(const AccessLogEntry& e) const {
  std::string out;
  out.reserve(256);  // the default format with typical values fits
  for (const auto& t : format_.tokens) {
    switch (t.kind) {
      case Kind::kLiteral: out += t.text; break;
      case Kind::kStartTime: AppendTime(out, e.start_time, t.text); break;
      case Kind::kRequestHeader:
      case Kind::kResponseHeader: AppendHeader(out, e, t); break;
      case Kind::kProtocol: AppendOrDash(out, e.protocol); break;
      case Kind::kResponseCode: absl::StrAppend(&out, e.response_code); break;
      case Kind::kResponseFlags: e.response_flags.AppendShortCodes(out); break;
      case Kind::kBytesReceived: absl::StrAppend(&out, e.bytes_received); break;
      case Kind::kBytesSent: absl::StrAppend(&out, e.bytes_sent); break;
      case Kind::kDuration: AppendMillis(out, e.duration); break;
      case Kind::kUpstreamHost: AppendOrDash(out, e.upstream_host); break;
      case Kind::kUpstreamCluster: AppendOrDash(out, e.upstream_cluster); break;
      case Kind::kDownstreamRemoteAddress: AppendOrDash(out, e.downstream_remote_address); break;
      case Kind::kDownstreamLocalAddress: AppendOrDash(out, e.downstream_local_address); break;
      case Kind::kRouteName: AppendOrDash(out, e.route_name); break;
      case Kind::kGrpcStatus: AppendGrpcStatus(out, e.grpc_status, t.grpc_status_format); break;
      case Kind::kUpstreamServiceTime:
        if (e.upstream_service_time) {
          AppendMillis(out, *e.upstream_service_time);
        } else {
          out += '-';
        }
        break;
    }
  }
  return out;
}

}  // namespace tether::http
