#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace tether {

// Small text helpers used on hot paths, where absl's (which take
// absl::string_view, not std::string_view, in this Abseil) would cost copies.

// ASCII digits only (no sign, no space, not empty), within uint64_t; nullopt otherwise. For
// numbers in header values (x-envoy-max-retries, x-envoy-fault-delay-request...).
inline std::optional<uint64_t> ParseDecimal(std::string_view s) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

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

// `v` with at most `max_decimals` (<= 9) decimals and no trailing zeros,
// never an exponent: "0.5", "20.7", "1800000", "0.0025". Stats pages print
// durations with it (milliseconds with 3, seconds with 6).
inline std::string FormatDecimal(double v, int max_decimals) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.*f", max_decimals, v);
  if (n < 0 || n >= static_cast<int>(sizeof(buf))) return std::to_string(v);  // beyond 1e50: never a duration
  std::string s(buf, static_cast<size_t>(n));
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

}  // namespace tether
