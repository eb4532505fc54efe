#include "src/tracing/propagation.h"

#include "src/common/text.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

namespace tether::tracing {
namespace {

// The propagation headers of a request, found in one pass over its fields
// (a request has few fields; ten lookups by name cost more than one walk).
struct Found {
  std::string_view b3, trace_id, span_id, parent_id, sampled, flags, traceparent, ot;
  std::string tracestate;
  bool any = false;
  std::optional<bool> client_trace_id, force_trace;  // the first field's value is non-empty
};

bool IEquals(std::string_view a, std::string_view lower) { return EqualsLower(a, lower); }

bool IsPropagationName(std::string_view n) {
  if (n.empty()) return false;
  const char c = static_cast<char>(n[0] | 0x20);
  if (c == 'b') return IEquals(n, "b3");
  if (c == 't') return IEquals(n, "traceparent") || IEquals(n, "tracestate");
  if (c != 'x' || n.size() < 5) return false;
  return IEquals(n, "x-b3-traceid") || IEquals(n, "x-b3-spanid") || IEquals(n, "x-b3-parentspanid") ||
         IEquals(n, "x-b3-sampled") || IEquals(n, "x-b3-flags") || IEquals(n, "x-ot-span-context");
}

// One field of the pass; both header maps feed it.
void ScanField(Found& f, std::string_view n, std::string_view v) {
  if (!IsPropagationName(n)) {
    if (n.size() < 17 || (n[0] | 0x20) != 'x') return;
    if (!f.client_trace_id && IEquals(n, "x-client-trace-id")) f.client_trace_id = !v.empty();
    if (!f.force_trace && IEquals(n, "x-envoy-force-trace")) f.force_trace = !v.empty();
    return;
  }
  f.any = true;
  if (IEquals(n, "b3")) f.b3 = v;
  else if (IEquals(n, "x-b3-traceid")) f.trace_id = v;
  else if (IEquals(n, "x-b3-spanid")) f.span_id = v;
  else if (IEquals(n, "x-b3-parentspanid")) f.parent_id = v;
  else if (IEquals(n, "x-b3-sampled")) f.sampled = v;
  else if (IEquals(n, "x-b3-flags")) f.flags = v;
  else if (IEquals(n, "traceparent")) f.traceparent = v;
  else if (IEquals(n, "x-ot-span-context")) f.ot = v;
  else {
    if (!f.tracestate.empty()) f.tracestate += ',';
    f.tracestate.append(v);
  }
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

std::optional<Incoming> FromB3Multi(const Found& h) {
  Incoming in;
  in.debug = h.flags == "1";
  in.sampled = in.debug ? std::optional(true) : ParseSampled(h.sampled);
  const std::string_view trace = h.trace_id;
  const std::string_view span = h.span_id;
  if (trace.empty() && span.empty()) {
    if (!in.sampled && !in.debug) return std::nullopt;
    return in;  // a decision without a context
  }
  auto trace_id = ParseTraceId(trace);
  auto span_id = ParseHex64(span);
  if (!trace_id || !span_id || *span_id == 0) return std::nullopt;
  SpanContext ctx{*trace_id, *span_id};
  const std::string_view parent = h.parent_id;
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

std::optional<Incoming> FromTraceparent(const Found& h) {
  const std::string_view v = h.traceparent;
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
  ctx.tracestate = h.tracestate;
  Incoming in;
  in.context = ctx;
  return in;
}

std::optional<Incoming> FromOtSpanContext(const Found& h) {
  if (h.ot.empty()) return std::nullopt;  // the usual case: no vector for Split
  const auto parts = Split(h.ot, ';');
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

// A 64-bit B3 id and the same id left-padded in traceparent are one trace.
bool SameTrace(const TraceId& a, const TraceId& b) { return a.high == b.high && a.low == b.low; }

// What the fields found say.
Incoming FromFound(Found& found) {
  Incoming in = [&] {
    // `b3` wins over X-B3-*: B3's own rule.
    if (auto in = FromB3Single(found.b3)) return *in;
    if (auto in = FromB3Multi(found)) return *in;
    if (auto in = FromTraceparent(found)) return *in;
    if (auto in = FromOtSpanContext(found)) return *in;
    return Incoming{};
  }();
  // A request carrying B3 and traceparent (an application forwarding all it
  // received) continues the trace through B3, but W3C still wants its
  // tracestate passed on: kept when traceparent is valid and names the same trace.
  if (in.context && in.context->tracestate.empty() && !found.tracestate.empty() && !found.traceparent.empty()) {
    if (auto w3c = FromTraceparent(found); w3c && SameTrace(w3c->context->trace_id, in.context->trace_id)) {
      in.context->tracestate = std::move(found.tracestate);
    }
  }
  in.any_header = found.any;
  in.client_trace_id = found.client_trace_id.value_or(false);
  in.force_trace = found.force_trace.value_or(false);
  return in;
}

}  // namespace

Incoming Extract(const codec::HeaderMap& headers) {
  Found found;
  for (const codec::HeaderMap::Entry& e : headers) ScanField(found, e.name, e.value);
  return FromFound(found);
}

void ClearPropagation(codec::HeaderMap& headers) {
  headers.RemoveIf([](const codec::HeaderMap::Entry& e) { return IsPropagationName(e.name); });
}

namespace {

// The ids as lower hex in stack buffers: a 16-character std::string is one
// character past the small-string buffer, so each would be a heap allocation.
struct HexIds {
  // Only what `formats` write: each id costs a table walk.
  HexIds(const SpanContext& span, const Formats& formats) : is_128(span.trace_id.is_128) {
    if (is_128 || formats.w3c) WriteHex64(span.trace_id.high, trace128);
    WriteHex64(span.trace_id.low, trace128 + 16);
    WriteHex64(span.span_id, id);
    if (span.parent_id || formats.ot_span_context) WriteHex64(span.parent_id.value_or(0), parent);
  }
  std::string_view Trace() const { return is_128 ? Trace128() : std::string_view(trace128 + 16, 16); }
  std::string_view Trace128() const { return {trace128, 32}; }  // left-padded, for traceparent
  std::string_view Id() const { return {id, 16}; }
  std::string_view Parent() const { return {parent, 16}; }
  bool is_128;
  char trace128[32];
  char id[16];
  char parent[16];
};

// Joins pieces into a stack buffer (every header here is under 128 bytes).
class Line {
 public:
  Line& operator<<(std::string_view s) {
    const size_t n = std::min(s.size(), sizeof(buf_) - len_);
    std::memcpy(buf_ + len_, s.data(), n);
    len_ += n;
    return *this;
  }
  std::string_view view() const { return {buf_, len_}; }

 private:
  char buf_[128];
  size_t len_ = 0;
};

template <typename Write>
void InjectWith(const SpanContext& span, const Formats& formats, Write& write) {
  const HexIds hex(span, formats);
  const bool sampled = span.debug || span.sampled.value_or(false);
  if (formats.b3_multi) {
    write("x-b3-traceid", hex.Trace());
    write("x-b3-spanid", hex.Id());
    if (span.parent_id) write("x-b3-parentspanid", hex.Parent());
    if (span.debug) {
      write("x-b3-flags", "1");  // implies sampled, so x-b3-sampled is left out
    } else if (span.sampled) {
      write("x-b3-sampled", *span.sampled ? "1" : "0");
    }
  }
  if (formats.b3_single) {
    Line b3;
    b3 << hex.Trace() << "-" << hex.Id();
    if (span.debug || span.sampled) {
      b3 << (span.debug ? "-d" : (*span.sampled ? "-1" : "-0"));
      if (span.parent_id) b3 << "-" << hex.Parent();
    }
    write("b3", b3.view());
  }
  if (formats.w3c) {
    Line tp;
    tp << "00-" << hex.Trace128() << "-" << hex.Id() << (sampled ? "-01" : "-00");
    write("traceparent", tp.view());
    if (!span.tracestate.empty()) write("tracestate", span.tracestate);
  }
  if (formats.ot_span_context) {
    Line ot;
    ot << hex.Trace() << ";" << hex.Id() << ";" << hex.Parent() << ";cs";
    write("x-ot-span-context", ot.view());
  }
}

}  // namespace

void Inject(const SpanContext& span, const Formats& formats, HeaderWriter write) { InjectWith(span, formats, write); }

void Inject(const SpanContext& span, const Formats& formats, codec::HeaderMap& headers) {
  auto add = [&headers](std::string_view name, std::string_view value) { headers.Add(name, value); };
  InjectWith(span, formats, add);
}

}  // namespace tether::tracing
