#pragma once

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace tether {

// Small text helpers used on hot paths, where absl's (which take
// absl::string_view, not std::string_view, in this Abseil) would cost copies.

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Case-insensitive equality against a string known to be lower-case.
inline bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (AsciiLower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Appends `s` as a JSON string literal (quotes, escapes, \u00XX controls).
inline void AppendJsonString(std::string_view s, std::string& out) {
  // Which bytes need an escape: controls, '"' and '\\'.
  static constexpr auto kEscape = [] {
    std::array<bool, 256> a{};
    for (int c = 0; c < 0x20; ++c) a[c] = true;
    a['"'] = a['\\'] = true;
    return a;
  }();
  size_t first = 0;  // the first byte needing an escape
  while (first < s.size() && !kEscape[static_cast<unsigned char>(s[first])]) ++first;
  if (first == s.size()) {
    // The usual case: quotes around a copy, in one resize.
    const size_t at = out.size();
    out.resize(at + s.size() + 2);
    char* p = out.data() + at;
    p[0] = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return;
  }
  out += '"';
  // Characters that need no escape go out in runs, not one at a time.
  size_t run = 0;
  for (size_t i = first; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace tether
