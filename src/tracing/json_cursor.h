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

// Index of the first byte JSON must escape in `s` (a control byte, '"' or
// '\\'), s.size() when none: eight bytes per step, as span values are mostly
// URLs and ids that need no escape.
size_t FirstJsonEscape(std::string_view s);

// Writes JSON at a cursor into a string that is only ever grown: a piece is
// one bounds check and a memcpy, without std::string's per-append length
// bookkeeping, and a buffer reused for the next span costs no zero-fill.
// The bytes written are [start, pos()); the string's size may be larger.
class JsonCursor {
 public:
  explicit JsonCursor(std::string& buf, size_t at = 0) : buf_(buf), pos_(at) {}

  void Raw(std::string_view s) {
    std::memcpy(Room(s.size()), s.data(), s.size());
    pos_ += s.size();
  }
  void Char(char c) {
    *Room(1) = c;
    ++pos_;
  }
  void Int(int64_t v) {
    char* p = Room(20);
    pos_ = static_cast<size_t>(std::to_chars(p, p + 20, v).ptr - buf_.data());
  }
  // 16 lower-hex digits in quotes.
  void QuotedHex64(uint64_t v) {
    char* p = Room(18);
    p[0] = '"';
    WriteHex64(v, p + 1);
    p[17] = '"';
    pos_ += 18;
  }
  // 32 lower-hex digits in quotes: a 128-bit trace id.
  void QuotedHex128(uint64_t high, uint64_t low) {
    char* p = Room(34);
    p[0] = '"';
    WriteHex64(high, p + 1);
    WriteHex64(low, p + 17);
    p[33] = '"';
    pos_ += 34;
  }
  // A JSON string literal: quotes, escapes, \u00XX controls.
  void String(std::string_view s) {
    if (FirstJsonEscape(s) != s.size()) return EscapedString({s}, s.size());
    char* p = Room(s.size() + 2);
    p[0] = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    pos_ += s.size() + 2;
  }
  // The string literal of the pieces joined and cut to at most `limit`
  // bytes: a tag built from parts needs no temporary string.
  void EscapedString(std::initializer_list<std::string_view> pieces, size_t limit);

  size_t pos() const { return pos_; }
  std::string_view Written(size_t from = 0) const { return {buf_.data() + from, pos_ - from}; }

 private:
  // Room for `n` more bytes at the cursor.
  char* Room(size_t n) {
    if (pos_ + n > buf_.size()) Grow(pos_ + n);
    return buf_.data() + pos_;
  }
  void Grow(size_t need) { buf_.resize(std::max(need, 2 * buf_.size())); }

  std::string& buf_;
  size_t pos_;
};

}  // namespace tether::tracing
