#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tether::tracing {

// A 64- or 128-bit trace id; a 64-bit one keeps its width when passed on.
struct TraceId {
  uint64_t high = 0;
  uint64_t low = 0;
  bool is_128 = false;
  bool operator==(const TraceId&) const = default;
  std::string Hex() const;       // 16 or 32 lower-hex characters
  std::string Hex128() const;    // always 32 (left-padded), for traceparent
  bool empty() const { return high == 0 && low == 0; }
};

// One span's identity as it travels between processes.
struct SpanContext {
  TraceId trace_id;
  uint64_t span_id = 0;
  std::optional<uint64_t> parent_id;
  std::optional<bool> sampled;  // absent: the receiver decides
  bool debug = false;           // forces sampling, marks the span
  std::string tracestate;       // W3C vendor state, passed on unchanged
  bool operator==(const SpanContext&) const = default;
};

// Lower-hex helpers. Parsing refuses upper case, other lengths and non-hex.
std::optional<uint64_t> ParseHex64(std::string_view hex);  // exactly 16 characters
std::optional<TraceId> ParseTraceId(std::string_view hex);  // 16 or 32 characters, not all zero
std::string Hex64(uint64_t v);
void WriteHex64(uint64_t v, char* out);  // exactly 16 characters, no terminator

}  // namespace tether::tracing
