#include "src/http/access_log.h"

#include <ctime>

#include "absl/strings/str_cat.h"

namespace tether::http {
namespace {

using Kind = config::AccessLogToken::Kind;

void AppendOrDash(std::string& out, std::string_view v, size_t max_length = 0) {
  if (v.empty()) {
    out += '-';
    return;
  }
  if (max_length != 0 && v.size() > max_length) v = v.substr(0, max_length);
  out.append(v);
}

void AppendTime(std::string& out, std::chrono::system_clock::time_point t, const std::string& pattern) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[128];
  if (pattern.empty()) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    out.append(buf, n);
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03dZ", static_cast<int>(ms));
    out += frac;
    return;
  }
  const size_t n = std::strftime(buf, sizeof(buf), pattern.c_str(), &tm);
  out.append(buf, n);
}

std::string_view Pseudo(const AccessLogEntry& e, const std::string& name) {
  if (name == ":method") return e.method;
  if (name == ":path") return e.path;
  if (name == ":authority") return e.authority;
  return {};
}

std::string_view HeaderValue(const AccessLogEntry& e, const boost::beast::http::fields* headers,
                             const std::string& name, bool request) {
  if (request && !name.empty() && name[0] == ':') return Pseudo(e, name);
  if (headers == nullptr || name.empty()) return {};
  auto it = headers->find(name);
  if (it == headers->end()) return {};
  return {it->value().data(), it->value().size()};
}

void AppendHeader(std::string& out, const AccessLogEntry& e, const config::AccessLogToken& t) {
  const bool request = t.kind == Kind::kRequestHeader;
  const auto* headers = request ? e.request_headers : e.response_headers;
  std::string_view v = HeaderValue(e, headers, t.header, request);
  if (v.empty()) v = HeaderValue(e, headers, t.alt_header, request);
  if (v.empty() && !request && t.header == "x-envoy-upstream-service-time" && e.upstream_service_time) {
    out += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*e.upstream_service_time).count());
    return;
  }
  AppendOrDash(out, v, t.max_length);
}

}  // namespace

AccessLogFormatter::AccessLogFormatter(config::AccessLogFormat format) : format_(std::move(format)) {}

std::string AccessLogFormatter::Format(const AccessLogEntry& e) const {
  std::string out;
  out.reserve(256);
  for (const auto& t : format_.tokens) {
    switch (t.kind) {
      case Kind::kLiteral: out += t.text; break;
      case Kind::kStartTime: AppendTime(out, e.start_time, t.text); break;
      case Kind::kRequestHeader:
      case Kind::kResponseHeader: AppendHeader(out, e, t); break;
      case Kind::kProtocol: AppendOrDash(out, e.protocol); break;
      case Kind::kResponseCode: out += std::to_string(e.response_code); break;
      case Kind::kResponseFlags: AppendOrDash(out, e.response_flags); break;
      case Kind::kBytesReceived: out += std::to_string(e.bytes_received); break;
      case Kind::kBytesSent: out += std::to_string(e.bytes_sent); break;
      case Kind::kDuration:
        out += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(e.duration).count());
        break;
      case Kind::kUpstreamHost: AppendOrDash(out, e.upstream_host); break;
      case Kind::kUpstreamCluster: AppendOrDash(out, e.upstream_cluster); break;
      case Kind::kDownstreamRemoteAddress: AppendOrDash(out, e.downstream_remote_address); break;
      case Kind::kDownstreamLocalAddress: AppendOrDash(out, e.downstream_local_address); break;
      case Kind::kRouteName: AppendOrDash(out, e.route_name); break;
      case Kind::kUpstreamServiceTime:
        if (e.upstream_service_time) {
          out += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*e.upstream_service_time).count());
        } else {
          out += '-';
        }
        break;
    }
  }
  return out;
}

}  // namespace tether::http
