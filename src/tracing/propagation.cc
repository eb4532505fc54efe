#include "src/tracing/propagation.h"

#include <array>
#include <string>
#include <vector>

namespace tether::tracing {
namespace {

namespace bhttp = boost::beast::http;

std::string_view Get(const bhttp::fields& h, std::string_view name) {
  auto it = h.find(name);
  return it == h.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// "1"/"0", and the "true"/"false" of old tracers.
std::optional<bool> ParseSampled(std::string_view v) {
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  return std::nullopt;
}

std::optional<Incoming> FromB3Single(std::string_view v) {
  if (v.empty()) return std::nullopt;
  const auto parts = Split(v, '-');
  Incoming in;
  auto state = [&](std::string_view s) {
    if (s == "d") {
      in.debug = true;
      return true;
    }
    auto sampled = ParseSampled(s);
    if (!sampled || (s != "0" && s != "1")) return false;
    in.sampled = sampled;
    return true;
  };
  if (parts.size() == 1) return state(parts[0]) ? std::optional(in) : std::nullopt;
  if (parts.size() > 4) return std::nullopt;
  auto trace_id = ParseTraceId(parts[0]);
  auto span_id = ParseHex64(parts[1]);
  if (!trace_id || !span_id || *span_id == 0) return std::nullopt;
  SpanContext ctx{*trace_id, *span_id};
  if (parts.size() >= 3 && !state(parts[2])) return std::nullopt;
  if (parts.size() == 4) {
    auto parent = ParseHex64(parts[3]);
    if (!parent) return std::nullopt;
    ctx.parent_id = *parent;
  }
  ctx.sampled = in.debug ? std::optional(true) : in.sampled;
  ctx.debug = in.debug;
  in.context = ctx;
  return in;
}

std::optional<Incoming> FromB3Multi(const bhttp::fields& h) {
  Incoming in;
  const std::string_view flags = Get(h, "x-b3-flags");
  in.debug = flags == "1";
  in.sampled = in.debug ? std::optional(true) : ParseSampled(Get(h, "x-b3-sampled"));
  const std::string_view trace = Get(h, "x-b3-traceid");
  const std::string_view span = Get(h, "x-b3-spanid");
  if (trace.empty() && span.empty()) {
    if (!in.sampled && !in.debug) return std::nullopt;
    return in;  // a decision without a context
  }
  auto trace_id = ParseTraceId(trace);
  auto span_id = ParseHex64(span);
  if (!trace_id || !span_id || *span_id == 0) return std::nullopt;
  SpanContext ctx{*trace_id, *span_id};
  const std::string_view parent = Get(h, "x-b3-parentspanid");
  if (!parent.empty()) {
    auto parent_id = ParseHex64(parent);
    if (!parent_id) return std::nullopt;
    ctx.parent_id = *parent_id;
  }
  ctx.sampled = in.sampled;
  ctx.debug = in.debug;
  in.context = ctx;
  return in;
}

std::optional<Incoming> FromTraceparent(const bhttp::fields& h) {
  const std::string_view v = Get(h, "traceparent");
  if (v.size() < 55 || (v.size() > 55 && v[55] != '-')) return std::nullopt;
  const std::string_view version = v.substr(0, 2);
  if (version == "ff" || !ParseHex64("00000000000000" + std::string(version))) return std::nullopt;
  if (version == "00" && v.size() != 55) return std::nullopt;
  if (v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  auto trace_id = ParseTraceId(v.substr(3, 32));
  auto span_id = ParseHex64(v.substr(36, 16));
  auto flags = ParseHex64("00000000000000" + std::string(v.substr(53, 2)));
  if (!trace_id || !span_id || *span_id == 0 || !flags) return std::nullopt;
  SpanContext ctx{*trace_id, *span_id};
  ctx.sampled = (*flags & 1) != 0;
  std::string state;
  auto range = h.equal_range("tracestate");
  for (auto it = range.first; it != range.second; ++it) {
    if (!state.empty()) state += ',';
    state.append(it->value().data(), it->value().size());
  }
  ctx.tracestate = std::move(state);
  Incoming in;
  in.context = ctx;
  return in;
}

std::optional<Incoming> FromOtSpanContext(const bhttp::fields& h) {
  const auto parts = Split(Get(h, "x-ot-span-context"), ';');
  if (parts.size() != 4) return std::nullopt;
  auto trace_id = ParseTraceId(parts[0]);
  auto span_id = ParseHex64(parts[1]);
  auto parent = ParseHex64(parts[2]);
  if (!trace_id || !span_id || *span_id == 0 || !parent) return std::nullopt;
  SpanContext ctx{*trace_id, *span_id};
  if (*parent != 0) ctx.parent_id = *parent;
  Incoming in;
  in.context = ctx;
  return in;
}

}  // namespace

Incoming Extract(const bhttp::fields& headers) {
  // `b3` wins over X-B3-*: B3's own rule.
  if (auto in = FromB3Single(Get(headers, "b3"))) return *in;
  if (auto in = FromB3Multi(headers)) return *in;
  if (auto in = FromTraceparent(headers)) return *in;
  if (auto in = FromOtSpanContext(headers)) return *in;
  return {};
}

void ClearPropagation(bhttp::fields& headers) {
  for (const char* name : {"b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
                           "traceparent", "tracestate", "x-ot-span-context"}) {
    headers.erase(name);
  }
}

void Inject(const SpanContext& span, const Formats& formats, bhttp::fields& headers) {
  ClearPropagation(headers);
  const std::string trace = span.trace_id.Hex();
  const std::string id = Hex64(span.span_id);
  const bool sampled = span.debug || span.sampled.value_or(false);
  if (formats.b3_multi) {
    headers.set("x-b3-traceid", trace);
    headers.set("x-b3-spanid", id);
    if (span.parent_id) headers.set("x-b3-parentspanid", Hex64(*span.parent_id));
    if (span.debug) {
      headers.set("x-b3-flags", "1");  // implies sampled, so x-b3-sampled is left out
    } else if (span.sampled) {
      headers.set("x-b3-sampled", *span.sampled ? "1" : "0");
    }
  }
  if (formats.b3_single) {
    std::string b3 = trace + "-" + id;
    if (span.debug || span.sampled) {
      b3 += span.debug ? "-d" : (*span.sampled ? "-1" : "-0");
      if (span.parent_id) b3 += "-" + Hex64(*span.parent_id);
    }
    headers.set("b3", b3);
  }
  if (formats.w3c) {
    headers.set("traceparent", "00-" + span.trace_id.Hex128() + "-" + id + (sampled ? "-01" : "-00"));
    if (!span.tracestate.empty()) headers.set("tracestate", span.tracestate);
  }
  if (formats.ot_span_context) {
    headers.set("x-ot-span-context",
                trace + ";" + id + ";" + Hex64(span.parent_id.value_or(0)) + ";cs");
  }
}

}  // namespace tether::tracing
