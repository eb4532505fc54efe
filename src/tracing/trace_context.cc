#include "src/tracing/trace_context.h"

#include <array>
#include <bit>
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

namespace {

// The eight nibbles of `x` as lower-hex ASCII, most significant first in
// memory (little-endian): a few word operations instead of a table walk.
uint64_t HexWord(uint32_t x) {
  uint64_t t = x;
  t = (t | (t << 16)) & 0x0000FFFF0000FFFFULL;
  t = (t | (t << 8)) & 0x00FF00FF00FF00FFULL;
  t = (t | (t << 4)) & 0x0F0F0F0F0F0F0F0FULL;  // nibble i in byte i, lowest first
  const uint64_t letters = ((t + 0x0606060606060606ULL) & 0x1010101010101010ULL) >> 4;  // 1 where >= 10
  return __builtin_bswap64(t + 0x3030303030303030ULL + letters * ('a' - '0' - 10));
}

}  // namespace

void WriteHex64(uint64_t v, char* out) {
  if constexpr (std::endian::native == std::endian::little) {
    const uint64_t high = HexWord(static_cast<uint32_t>(v >> 32));
    const uint64_t low = HexWord(static_cast<uint32_t>(v));
    std::memcpy(out, &high, 8);
    std::memcpy(out + 8, &low, 8);
  } else {
    for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xf];
  }
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
