#include "src/common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace tether {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

TEST(AppendJsonStringTest, PlainTextIsQuotedAsIs) {
  EXPECT_EQ(Json(""), "\"\"");
  EXPECT_EQ(Json("GET /api/v1?x=1"), "\"GET /api/v1?x=1\"");
  EXPECT_EQ(Json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(Json("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(Json("l1\nl2\r\tx"), "\"l1\\nl2\\r\\tx\"");
  EXPECT_EQ(Json(std::string_view("\x01z\x1f", 3)), "\"\\u0001z\\u001f\"");
  EXPECT_EQ(Json(std::string_view("\0", 1)), "\"\\u0000\"");
}

TEST(AppendJsonStringTest, EscapesAtTheEdgesKeepTheRunsAround) {
  EXPECT_EQ(Json("\"start"), "\"\\\"start\"");
  EXPECT_EQ(Json("end\""), "\"end\\\"\"");
  EXPECT_EQ(Json("\"\""), "\"\\\"\\\"\"");
  std::string out = "[";
  AppendJsonString("x", out);  // appends, never replaces
  EXPECT_EQ(out, "[\"x\"");
}

TEST(EqualsLowerTest, ComparesCaseInsensitivelyToALowerCaseName) {
  EXPECT_TRUE(EqualsLower("X-B3-TraceId", "x-b3-traceid"));
  EXPECT_FALSE(EqualsLower("x-b3-traceid", "x-b3-spanid"));
  EXPECT_FALSE(EqualsLower("b3", "b"));
}

TEST(FormatDecimalTest, NoTrailingZerosAndNeverAnExponent) {
  EXPECT_EQ(FormatDecimal(0, 3), "0");
  EXPECT_EQ(FormatDecimal(0.5, 3), "0.5");
  EXPECT_EQ(FormatDecimal(20.7, 3), "20.7");
  EXPECT_EQ(FormatDecimal(1800000, 3), "1800000");
  EXPECT_EQ(FormatDecimal(0.0025, 3), "0.003");  // rounded to what was asked
  EXPECT_EQ(FormatDecimal(0.0025, 6), "0.0025");
  EXPECT_EQ(FormatDecimal(-0.0001, 3), "0");
  EXPECT_EQ(FormatDecimal(12, 0), "12");
}

}  // namespace
}  // namespace tether

namespace tether {
namespace {

TEST(ParseDecimalTest, DigitsOnlyWithinRange) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("1500"), 1500u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.5", "12ms", "18446744073709551616"}) {
    EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tether
