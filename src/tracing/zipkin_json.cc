#include "src/tracing/zipkin_json.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/ascii.h"
#include "src/common/host_port.h"

namespace tether::tracing {
namespace {

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

// {"serviceName":..,"ipv4":..,"port":..}; port 0 and empty addresses are
// left out. An unknown service name is left out in v2 ("absent if unknown")
// but written as "" in v1, whose Endpoint requires it.
void Endpoint(ZipkinVersion version, std::string_view service, std::string_view ip, uint16_t port, JsonCursor& out) {
  out.Char('{');
  bool first = true;
  auto field = [&](std::string_view name_colon) {
    if (!first) out.Char(',');
    first = false;
    out.Raw(name_colon);
  };
  if (!service.empty() || version == ZipkinVersion::kV1) {
    field("\"serviceName\":");
    out.String(Lower(service));
  }
  if (!ip.empty()) {
    field(IsV6(ip) ? "\"ipv6\":" : "\"ipv4\":");
    out.String(ip);
  }
  if (port != 0) {
    field("\"port\":");
    out.Int(port);
  }
  out.Char('}');
}

void Key(const Span::Tag& tag, JsonCursor& out) {
  if (tag.plain_key) {
    out.PlainString(tag.key);
  } else {
    out.String(tag.key);
  }
}

void Value(const Span::Tag& tag, JsonCursor& out) {
  if (tag.plain_value) {
    out.PlainString(tag.value);
  } else {
    out.String(tag.value);
  }
}

void LocalEndpoint(ZipkinVersion version, const Span& s, JsonCursor& out) {
  if (s.local_endpoint_json.empty()) {
    Endpoint(version, s.local_service, s.local_ip, 0, out);
  } else {
    out.Raw(s.local_endpoint_json);
  }
}

void Ids(const Span& s, JsonCursor& out) {
  out.Raw("\"traceId\":");
  if (s.trace_id.is_128) {
    out.QuotedHex128(s.trace_id.high, s.trace_id.low);
  } else {
    out.QuotedHex64(s.trace_id.low);
  }
  out.Raw(",\"id\":");
  out.QuotedHex64(s.id);
  if (s.parent_id) {
    out.Raw(",\"parentId\":");
    out.QuotedHex64(*s.parent_id);
  }
  out.Raw(",\"name\":");
  out.String(Lower(s.name));
}

void SpanV2(const Span& s, JsonCursor& out) {
  out.Char('{');
  Ids(s, out);
  out.Raw(s.kind == Span::Kind::kClient ? ",\"kind\":\"CLIENT\",\"timestamp\":" : ",\"kind\":\"SERVER\",\"timestamp\":");
  out.Int(s.timestamp_us);
  out.Raw(",\"duration\":");
  out.Int(std::max<int64_t>(s.duration_us, 1));
  if (s.debug) out.Raw(",\"debug\":true");
  if (s.shared) out.Raw(",\"shared\":true");
  out.Raw(",\"localEndpoint\":");
  LocalEndpoint(ZipkinVersion::kV2, s, out);
  if (!s.remote_ip.empty()) {
    out.Raw(",\"remoteEndpoint\":");
    Endpoint(ZipkinVersion::kV2, "", s.remote_ip, s.remote_port, out);
  }
  if (!s.tags.empty()) {
    out.Raw(",\"tags\":{");
    for (size_t i = 0; i < s.tags.size(); ++i) {
      if (i > 0) out.Char(',');
      Key(s.tags[i], out);
      out.Char(':');
      Value(s.tags[i], out);
    }
    out.Char('}');
  }
  out.Char('}');
}

void Annotation(int64_t ts, std::string_view value, const Span& s, JsonCursor& out) {
  out.Raw("{\"timestamp\":");
  out.Int(ts);
  out.Raw(",\"value\":");
  out.String(value);
  out.Raw(",\"endpoint\":");
  LocalEndpoint(ZipkinVersion::kV1, s, out);
  out.Char('}');
}

void SpanV1(const Span& s, JsonCursor& out) {
  out.Char('{');
  Ids(s, out);
  const bool client = s.kind == Span::Kind::kClient;
  // A shared server span is owned by the client side: no timestamp/duration of its own.
  if (!s.shared) {
    out.Raw(",\"timestamp\":");
    out.Int(s.timestamp_us);
    out.Raw(",\"duration\":");
    out.Int(std::max<int64_t>(s.duration_us, 1));
  }
  if (s.debug) out.Raw(",\"debug\":true");
  out.Raw(",\"annotations\":[");
  Annotation(s.timestamp_us, client ? "cs" : "sr", s, out);
  out.Char(',');
  Annotation(s.timestamp_us + std::max<int64_t>(s.duration_us, 1), client ? "cr" : "ss", s, out);
  out.Raw("],\"binaryAnnotations\":[");
  bool first = true;
  for (const Span::Tag& tag : s.tags) {
    if (!first) out.Char(',');
    first = false;
    out.Raw("{\"key\":");
    Key(tag, out);
    out.Raw(",\"value\":");
    Value(tag, out);
    out.Raw(",\"endpoint\":");
    LocalEndpoint(ZipkinVersion::kV1, s, out);
    out.Char('}');
  }
  if (!s.remote_ip.empty()) {
    if (!first) out.Char(',');
    // The spec types values as strings; Zipkin reads "true" for an address.
    out.Raw(client ? "{\"key\":\"sa\",\"value\":\"true\",\"endpoint\":" : "{\"key\":\"ca\",\"value\":\"true\",\"endpoint\":");
    Endpoint(ZipkinVersion::kV1, "", s.remote_ip, s.remote_port, out);
    out.Char('}');
  }
  out.Raw("]}");
}

// Runs `write` on a cursor appending to `out`, then trims `out` to what was written.
template <typename Fn>
void AppendWith(std::string& out, Fn write) {
  JsonCursor cursor(out, out.size());
  write(cursor);
  out.resize(cursor.pos());
}

template <typename Fn>
std::string EncodeList(std::span<const Span> spans, Fn encode) {
  std::string out;
  AppendWith(out, [&](JsonCursor& c) {
    c.Char('[');
    for (size_t i = 0; i < spans.size(); ++i) {
      if (i > 0) c.Char(',');
      encode(spans[i], c);
    }
    c.Char(']');
  });
  return out;
}

}  // namespace

void WriteZipkinV2(const Span& span, JsonCursor& out) { SpanV2(span, out); }

void WriteZipkinV1(const Span& span, JsonCursor& out) { SpanV1(span, out); }

void AppendZipkinV2(const Span& span, std::string& out) {
  AppendWith(out, [&](JsonCursor& c) { SpanV2(span, c); });
}

void AppendZipkinV1(const Span& span, std::string& out) {
  AppendWith(out, [&](JsonCursor& c) { SpanV1(span, c); });
}

std::string EncodeEndpoint(ZipkinVersion version, std::string_view service, std::string_view ip, uint16_t port) {
  std::string out;
  AppendWith(out, [&](JsonCursor& c) { Endpoint(version, service, ip, port, c); });
  return out;
}

void SetRemoteAddress(Span& span, std::string_view address) {
  auto [ip, port] = SplitHostPort(address);
  if (ip.empty() || port.empty()) return;
  uint16_t number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size()) return;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  span.remote_ip = ip;
  span.remote_port = number;
}

std::string EncodeZipkinV2(std::span<const Span> spans) { return EncodeList(spans, SpanV2); }

std::string EncodeZipkinV1(std::span<const Span> spans) { return EncodeList(spans, SpanV1); }

}  // namespace tether::tracing
