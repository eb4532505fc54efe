#include "src/tracing/json_cursor.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <vector>

#include "src/common/text.h"

namespace tether::tracing {
namespace {

TEST(JsonCursorTest, FirstEscapeAtEveryPosition) {
  for (size_t len = 0; len < 40; ++len) {
    EXPECT_EQ(FirstJsonEscape(std::string(len, 'a')), len);
    for (size_t at = 0; at < len; ++at) {
      for (char c : {'"', '\\', '\n', '\x01', '\x1f'}) {
        std::string s(len, 'a');
        s[at] = c;
        EXPECT_EQ(FirstJsonEscape(s), at) << len << " " << at << " " << int(c);
      }
      std::string s(len, 'a');
      s[at] = ' ';  // 0x20 and bytes above 0x7f need no escape
      if (at + 1 < len) s[at + 1] = '\xc3';
      EXPECT_EQ(FirstJsonEscape(s), len);
    }
  }
}

TEST(JsonCursorTest, StringsMatchAppendJsonString) {
  for (std::string_view s : {"", "plain", "a \"quoted\" \\ path\n\t\r\x01\x7f \xc3\xa9", "0123456789abcdef\"x"}) {
    std::string buf;
    JsonCursor c(buf);
    c.String(s);
    std::string expected;
    AppendJsonString(s, expected);
    EXPECT_EQ(c.Written(), expected);
  }
}

TEST(JsonCursorTest, PiecesAreJoinedAndCut) {
  std::string buf = "xx";
  JsonCursor c(buf, 2);
  c.EscapedString({"http", "://", "host/\"p\""}, 13);
  EXPECT_EQ(c.Written(2), "\"http://host/\\\"\"");
  EXPECT_EQ(buf.substr(0, 2), "xx");
}

TEST(JsonCursorTest, GrowsAndNumbers) {
  std::string buf;
  JsonCursor c(buf);
  for (int i = 0; i < 1000; ++i) c.Raw("abc");
  c.Int(-1764064800123456);
  c.QuotedHex64(0xa2fb4a1d1a96d312);
  c.QuotedHex128(1, 2);
  EXPECT_EQ(c.pos(), 3000u + 17 + 18 + 34);
  EXPECT_EQ(c.Written(3000), "-1764064800123456\"a2fb4a1d1a96d312\"\"00000000000000010000000000000002\"");
}

}  // namespace
}  // namespace tether::tracing

namespace tether::tracing {
namespace {

TEST(JsonCursorTest, IntMatchesToChars) {
  std::vector<int64_t> values = {0, 1, 9, 10, 99, 100, 12345678, 99999999, 100000000, 100000001, 1764064800123456,
                                 9999999999999999, 10000000000000000, -1, -42, INT64_MAX, INT64_MIN};
  for (int64_t p = 1; p < 1000000000000000000; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1, p * 7 + 3});
  }
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(static_cast<int64_t>(x >> (x % 64)));
  }
  std::string buf;
  for (int64_t v : values) {
    JsonCursor c(buf);
    c.Int(v);
    char expected[24];
    const auto end = std::to_chars(expected, expected + sizeof(expected), v).ptr;
    ASSERT_EQ(c.Written(), std::string_view(expected, static_cast<size_t>(end - expected))) << v;
  }
}

}  // namespace
}  // namespace tether::tracing
