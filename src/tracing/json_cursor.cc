#include "src/tracing/json_cursor.h"

#include <array>
#include <bit>
#include <cstdio>

namespace tether::tracing {
namespace {

constexpr auto kEscape = [] {
  std::array<bool, 256> a{};
  for (int c = 0; c < 0x20; ++c) a[c] = true;
  a['"'] = a['\\'] = true;
  return a;
}();

// `v` < 10^8 as eight decimal digit values (0-9, not ASCII), most
// significant first in memory (little-endian): a few multiplications
// split 4+4, 2+2, 1+1 digits in all lanes at once.
uint64_t DigitBytes(uint32_t v) {
  uint64_t x = (v / 10000) | (static_cast<uint64_t>(v % 10000) << 32);
  const uint64_t hundreds = ((x * 10486) >> 20) & 0x0000007F0000007FULL;  // lane / 100, exact below 10^4
  x = hundreds | ((x - hundreds * 100) << 16);
  const uint64_t tens = ((x * 103) >> 10) & 0x000F000F000F000FULL;  // lane / 10, exact below 100
  return tens | ((x - tens * 10) << 8);
}

constexpr uint64_t kAsciiZeros = 0x3030303030303030ULL;

}  // namespace

void JsonCursor::Int(int64_t v) {
  constexpr int64_t k8 = 100000000;
  if (std::endian::native != std::endian::little || v < 0 || v >= k8 * k8) {
    char* p = Room(20);
    pos_ = static_cast<size_t>(std::to_chars(p, p + 20, v).ptr - buf_.data());
    return;
  }
  char* p = Room(16);
  if (v == 0) {
    *p = '0';
    ++pos_;
    return;
  }
  // The leading group without its leading zeros, then (for 9 to 16 digits) eight more.
  const bool two = v >= k8;
  const uint64_t lead = DigitBytes(static_cast<uint32_t>(two ? v / k8 : v));
  const size_t zeros = static_cast<size_t>(std::countr_zero(lead)) / 8;
  const uint64_t lead_ascii = (lead + kAsciiZeros) >> (8 * zeros);
  std::memcpy(p, &lead_ascii, 8);
  pos_ += 8 - zeros;
  if (two) {
    const uint64_t rest = DigitBytes(static_cast<uint32_t>(v % k8)) + kAsciiZeros;
    std::memcpy(p + 8 - zeros, &rest, 8);
    pos_ += 8;
  }
}

size_t json_internal::FirstJsonEscapeFrom(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (kEscape[static_cast<unsigned char>(s[i])]) return i;
  }
  return s.size();
}

void JsonCursor::Grow(size_t need) { buf_.resize(std::max(need, 2 * buf_.size())); }

void JsonCursor::EscapedString(std::initializer_list<std::string_view> pieces, size_t limit) {
  Char('"');
  for (std::string_view s : pieces) {
    s = s.substr(0, limit);
    limit -= s.size();
    // Bytes that need no escape go out in runs.
    while (!s.empty()) {
      const size_t run = FirstJsonEscape(s);
      Raw(s.substr(0, run));
      if (run == s.size()) break;
      const auto c = static_cast<unsigned char>(s[run]);
      s.remove_prefix(run + 1);
      switch (c) {
        case '"': Raw("\\\""); break;
        case '\\': Raw("\\\\"); break;
        case '\n': Raw("\\n"); break;
        case '\r': Raw("\\r"); break;
        case '\t': Raw("\\t"); break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          Raw(std::string_view(buf, 6));
        }
      }
    }
  }
  Char('"');
}

}  // namespace tether::tracing
