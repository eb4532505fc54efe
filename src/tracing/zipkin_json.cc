#include "src/tracing/zipkin_json.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/common/text.h"

namespace tether::tracing {
namespace {

// `key` is a constant with its quotes and colon ("\"id\":"): nothing to escape.
void Field(std::string_view key, std::string_view value, std::string& out) {
  out.append(key);
  AppendJsonString(value, out);
}

// Ids are hex digits: no escaping, written from a stack buffer.
void HexField(std::string_view key, uint64_t v, std::string& out) {
  char hex[18] = {'"'};
  WriteHex64(v, hex + 1);
  hex[17] = '"';
  out.append(key);
  out.append(hex, sizeof(hex));
}

bool IsV6(std::string_view ip) { return ip.find(':') != std::string_view::npos; }

// Zipkin names are lower case; most already are, and then cost no copy.
class Lower {
 public:
  explicit Lower(std::string_view s) : view_(s) {
    if (std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return;
    copy_ = absl::AsciiStrToLower(std::string(s));
    view_ = copy_;
  }
  operator std::string_view() const { return view_; }

 private:
  std::string_view view_;
  std::string copy_;
};

// {"serviceName":..,"ipv4":..,"port":..}; port 0 and empty addresses are left out.
void Endpoint(std::string_view service, std::string_view ip, uint16_t port, std::string& out) {
  out += '{';
  Field("\"serviceName\":", Lower(service), out);
  if (!ip.empty()) Field(IsV6(ip) ? ",\"ipv6\":" : ",\"ipv4\":", ip, out);
  if (port != 0) absl::StrAppend(&out, ",\"port\":", port);
  out += '}';
}

void LocalEndpoint(const Span& s, std::string& out) {
  if (s.local_endpoint_json.empty()) {
    Endpoint(s.local_service, s.local_ip, 0, out);
  } else {
    out.append(s.local_endpoint_json);
  }
}

void Ids(const Span& s, std::string& out) {
  if (s.trace_id.is_128) {
    char hex[34] = {'"'};
    WriteHex64(s.trace_id.high, hex + 1);
    WriteHex64(s.trace_id.low, hex + 17);
    hex[33] = '"';
    out.append("\"traceId\":");
    out.append(hex, sizeof(hex));
  } else {
    HexField("\"traceId\":", s.trace_id.low, out);
  }
  HexField(",\"id\":", s.id, out);
  if (s.parent_id) HexField(",\"parentId\":", *s.parent_id, out);
  Field(",\"name\":", Lower(s.name), out);
}

void SpanV2(const Span& s, std::string& out) {
  out += '{';
  Ids(s, out);
  out.append(s.kind == Span::Kind::kClient ? ",\"kind\":\"CLIENT\"" : ",\"kind\":\"SERVER\"");
  absl::StrAppend(&out, ",\"timestamp\":", s.timestamp_us, ",\"duration\":", std::max<int64_t>(s.duration_us, 1));
  if (s.debug) out += ",\"debug\":true";
  if (s.shared) out += ",\"shared\":true";
  out += ",\"localEndpoint\":";
  LocalEndpoint(s, out);
  if (!s.remote_ip.empty()) {
    out += ",\"remoteEndpoint\":";
    Endpoint("", s.remote_ip, s.remote_port, out);
  }
  if (!s.tags.empty()) {
    out += ",\"tags\":{";
    for (size_t i = 0; i < s.tags.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(s.tags[i].first, out);
      out += ':';
      AppendJsonString(s.tags[i].second, out);
    }
    out += '}';
  }
  out += '}';
}

void Annotation(int64_t ts, std::string_view value, const Span& s, std::string& out) {
  absl::StrAppend(&out, "{\"timestamp\":", ts);
  Field(",\"value\":", value, out);
  out += ",\"endpoint\":";
  LocalEndpoint(s, out);
  out += '}';
}

void SpanV1(const Span& s, std::string& out) {
  out += '{';
  Ids(s, out);
  const bool client = s.kind == Span::Kind::kClient;
  // A shared server span is owned by the client side: no timestamp/duration of its own.
  if (!s.shared) absl::StrAppend(&out, ",\"timestamp\":", s.timestamp_us, ",\"duration\":", std::max<int64_t>(s.duration_us, 1));
  if (s.debug) out += ",\"debug\":true";
  out += ",\"annotations\":[";
  Annotation(s.timestamp_us, client ? "cs" : "sr", s, out);
  out += ',';
  Annotation(s.timestamp_us + std::max<int64_t>(s.duration_us, 1), client ? "cr" : "ss", s, out);
  out += "],\"binaryAnnotations\":[";
  bool first = true;
  for (const auto& [k, v] : s.tags) {
    if (!first) out += ',';
    first = false;
    Field("{\"key\":", k, out);
    Field(",\"value\":", v, out);
    out += ",\"endpoint\":";
    LocalEndpoint(s, out);
    out += '}';
  }
  if (!s.remote_ip.empty()) {
    if (!first) out += ',';
    // The spec types values as strings; Zipkin reads "true" for an address.
    out.append(client ? "{\"key\":\"sa\"" : "{\"key\":\"ca\"");
    out += ",\"value\":\"true\",\"endpoint\":";
    Endpoint("", s.remote_ip, s.remote_port, out);
    out += '}';
  }
  out += "]}";
}

template <typename Fn>
std::string EncodeList(std::span<const Span> spans, Fn encode) {
  std::string out = "[";
  out.reserve(1024 * spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out += ',';
    encode(spans[i], out);
  }
  out += ']';
  return out;
}

}  // namespace

void AppendZipkinV2(const Span& span, std::string& out) { SpanV2(span, out); }

void AppendZipkinV1(const Span& span, std::string& out) { SpanV1(span, out); }

std::string EncodeEndpoint(std::string_view service, std::string_view ip, uint16_t port) {
  std::string out;
  Endpoint(service, ip, port, out);
  return out;
}

std::string JoinJsonList(std::span<const std::string> objects) {
  size_t size = 2;
  for (const std::string& o : objects) size += o.size() + 1;
  std::string out;
  out.reserve(size);
  out += '[';
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += ',';
    out += objects[i];
  }
  out += ']';
  return out;
}

std::string EncodeZipkinV2(std::span<const Span> spans) { return EncodeList(spans, SpanV2); }

std::string EncodeZipkinV1(std::span<const Span> spans) { return EncodeList(spans, SpanV1); }

}  // namespace tether::tracing
