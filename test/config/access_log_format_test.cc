#include "src/config/access_log_format.h"

#include <gtest/gtest.h>

namespace tether::config {
namespace {

using Kind = AccessLogToken::Kind;

TEST(AccessLogFormatTest, DefaultFormatParses) {
  auto f = ParseAccessLogFormat(kDefaultAccessLogFormat);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->tokens[0].kind, Kind::kLiteral);
  EXPECT_EQ(f->tokens[0].text, "[");
  EXPECT_EQ(f->tokens[1].kind, Kind::kStartTime);
}

TEST(AccessLogFormatTest, HeaderOperators) {
  auto f = ParseAccessLogFormat("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESP(Server):3%");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->tokens.size(), 3u);
  EXPECT_EQ(f->tokens[0].kind, Kind::kRequestHeader);
  EXPECT_EQ(f->tokens[0].header, "x-envoy-original-path");
  EXPECT_EQ(f->tokens[0].alt_header, ":path");
  EXPECT_EQ(f->tokens[2].kind, Kind::kResponseHeader);
  EXPECT_EQ(f->tokens[2].header, "server");
  EXPECT_EQ(f->tokens[2].max_length, 3u);
}

TEST(AccessLogFormatTest, StartTimeWithPattern) {
  auto f = ParseAccessLogFormat("%START_TIME(%Y/%m/%d)% x");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->tokens.size(), 2u);
  EXPECT_EQ(f->tokens[0].kind, Kind::kStartTime);
  EXPECT_EQ(f->tokens[0].text, "%Y/%m/%d");
  EXPECT_EQ(f->tokens[1].text, " x");
}

TEST(AccessLogFormatTest, EverySimpleOperator) {
  auto f = ParseAccessLogFormat(
      "%PROTOCOL%%RESPONSE_CODE%%RESPONSE_FLAGS%%BYTES_RECEIVED%%BYTES_SENT%%DURATION%%UPSTREAM_HOST%"
      "%UPSTREAM_CLUSTER%%DOWNSTREAM_REMOTE_ADDRESS%%DOWNSTREAM_LOCAL_ADDRESS%%ROUTE_NAME%%UPSTREAM_SERVICE_TIME%");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->tokens.size(), 12u);
}

TEST(AccessLogFormatTest, ErrorsQuoteTheOperator) {
  auto unknown = ParseAccessLogFormat("a %NOPE% b");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string(unknown.status().message()).find("\"NOPE\""), std::string::npos);
  auto unclosed = ParseAccessLogFormat("a %DURATION");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(std::string(unclosed.status().message()).find("DURATION"), std::string::npos);
  EXPECT_FALSE(ParseAccessLogFormat("%REQ(x%").ok());
  EXPECT_FALSE(ParseAccessLogFormat("%REQ(x):abc%").ok());
}

}  // namespace
}  // namespace tether::config
