#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "src/tracing/trace_context.h"

namespace tether::tracing {

namespace json_internal {
inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
// Whether any byte of `w` is below 0x20, '"' or '\\' (exact: no false hits).
inline bool WordNeedsEscape(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  return (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) &
         (kOnes * 0x80);
}
size_t FirstJsonEscapeFrom(std::string_view s, size_t from);  // byte by byte
}  // namespace json_internal

// Index of the first byte JSON must escape in `s` (a control byte, '"' or
// '\\'), s.size() when none: eight bytes per step (the last step overlaps
// the one before), as span values are mostly URLs and ids that need none.
[[gnu::always_inline]] inline size_t FirstJsonEscape(std::string_view s) {
  using json_internal::WordNeedsEscape;
  const size_t n = s.size();
  if (n < 8) return json_internal::FirstJsonEscapeFrom(s, 0);
  for (size_t i = 0; i + 8 < n; i += 8) {
    if (WordNeedsEscape(s.data() + i)) return json_internal::FirstJsonEscapeFrom(s, i);
  }
  return WordNeedsEscape(s.data() + n - 8) ? json_internal::FirstJsonEscapeFrom(s, n - 8) : n;
}

// Writes JSON at a cursor into a string that is only ever grown: a piece is
// one bounds check and a memcpy, without std::string's per-append length
// bookkeeping, and a buffer reused for the next span costs no zero-fill.
// The bytes written are [start, pos()); the string's size may be larger.
// The small writers are forced inline: with constant pieces a copy becomes a
// few moves instead of a call.
class JsonCursor {
 public:
  explicit JsonCursor(std::string& buf, size_t at = 0) : buf_(buf), pos_(at) {}

  [[gnu::always_inline]] void Raw(std::string_view s) {
    Copy(Room(s.size()), s);
    pos_ += s.size();
  }
  [[gnu::always_inline]] void Char(char c) {
    *Room(1) = c;
    ++pos_;
  }
  // Decimal, as to_chars writes it.
  void Int(int64_t v);
  // 16 lower-hex digits in quotes.
  [[gnu::always_inline]] void QuotedHex64(uint64_t v) {
    char* p = Room(18);
    p[0] = '"';
    WriteHex64(v, p + 1);
    p[17] = '"';
    pos_ += 18;
  }
  // 32 lower-hex digits in quotes: a 128-bit trace id.
  [[gnu::always_inline]] void QuotedHex128(uint64_t high, uint64_t low) {
    char* p = Room(34);
    p[0] = '"';
    WriteHex64(high, p + 1);
    WriteHex64(low, p + 17);
    p[33] = '"';
    pos_ += 34;
  }
  // A JSON string literal: quotes, escapes, \u00XX controls.
  [[gnu::always_inline]] void String(std::string_view s) {
    if (FirstJsonEscape(s) != s.size()) return EscapedString({s}, s.size());
    PlainString(s);
  }
  // The same for text the caller knows needs no escape.
  [[gnu::always_inline]] void PlainString(std::string_view s) {
    char* p = Room(s.size() + 2);
    p[0] = '"';
    Copy(p + 1, s);
    p[s.size() + 1] = '"';
    pos_ += s.size() + 2;
  }
  // The string literal of the pieces joined and cut to at most `limit`
  // bytes: a tag built from parts needs no temporary string.
  void EscapedString(std::initializer_list<std::string_view> pieces, size_t limit);

  size_t pos() const { return pos_; }
  std::string_view Written(size_t from = 0) const { return {buf_.data() + from, pos_ - from}; }

 private:
  // Most pieces are short: two overlapping word moves instead of a call to
  // memcpy, which costs more than the bytes.
  [[gnu::always_inline]] static void Copy(char* to, std::string_view s) {
    const size_t n = s.size();
    if (n >= 8 && n <= 16) {
      uint64_t head, tail;
      std::memcpy(&head, s.data(), 8);
      std::memcpy(&tail, s.data() + n - 8, 8);
      std::memcpy(to, &head, 8);
      std::memcpy(to + n - 8, &tail, 8);
    } else {
      std::memcpy(to, s.data(), n);
    }
  }
  // Room for `n` more bytes at the cursor.
  [[gnu::always_inline]] char* Room(size_t n) {
    if (pos_ + n > buf_.size()) Grow(pos_ + n);
    return buf_.data() + pos_;
  }
  [[gnu::noinline]] void Grow(size_t need);  // rare: the buffer is reused

  std::string& buf_;
  size_t pos_;
};

}  // namespace tether::tracing
