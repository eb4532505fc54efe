#include "src/tracing/trace_context.h"

#include <array>
#include <cstring>

namespace tether::tracing {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

std::optional<uint64_t> ParseHexDigits(std::string_view hex) {
  uint64_t v = 0;
  for (const char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace

void WriteHex64(uint64_t v, char* out) {
  // A byte at a time from a table of 256 digit pairs.
  static constexpr auto kPairs = [] {
    std::array<char, 512> a{};
    for (int b = 0; b < 256; ++b) {
      a[2 * b] = kDigits[b >> 4];
      a[2 * b + 1] = kDigits[b & 0xf];
    }
    return a;
  }();
  for (int i = 7; i >= 0; --i, v >>= 8) std::memcpy(out + 2 * i, &kPairs[2 * (v & 0xff)], 2);
}

std::string Hex64(uint64_t v) {
  std::string out(16, '0');
  WriteHex64(v, out.data());
  return out;
}

std::optional<uint64_t> ParseHex64(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  return ParseHexDigits(hex);
}

std::optional<TraceId> ParseTraceId(std::string_view hex) {
  TraceId id;
  if (hex.size() == 16) {
    auto low = ParseHexDigits(hex);
    if (!low) return std::nullopt;
    id.low = *low;
  } else if (hex.size() == 32) {
    auto high = ParseHexDigits(hex.substr(0, 16));
    auto low = ParseHexDigits(hex.substr(16));
    if (!high || !low) return std::nullopt;
    id = {*high, *low, true};
  } else {
    return std::nullopt;
  }
  if (id.empty()) return std::nullopt;
  return id;
}

std::string TraceId::Hex() const { return is_128 ? Hex64(high) + Hex64(low) : Hex64(low); }

std::string TraceId::Hex128() const { return Hex64(high) + Hex64(low); }

}  // namespace tether::tracing
