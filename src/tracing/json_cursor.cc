#include "src/tracing/json_cursor.h"

#include <array>
#include <cstdio>

namespace tether::tracing {
namespace {

constexpr auto kEscape = [] {
  std::array<bool, 256> a{};
  for (int c = 0; c < 0x20; ++c) a[c] = true;
  a['"'] = a['\\'] = true;
  return a;
}();

}  // namespace

size_t json_internal::FirstJsonEscapeFrom(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (kEscape[static_cast<unsigned char>(s[i])]) return i;
  }
  return s.size();
}

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
