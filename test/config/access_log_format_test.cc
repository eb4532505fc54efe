#include "src/config/access_log_format.h"

#include <gtest/gtest.h>

namespace tether::config {
namespace {

using Kind = AccessLogToken::Kind;

AccessLogFormat ParseOk(std::string_view format) {
  auto f = ParseAccessLogFormat(format);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *f : AccessLogFormat{};
}

std::string ErrorOf(std::string_view format) {
  auto f = ParseAccessLogFormat(format);
  EXPECT_FALSE(f.ok()) << format;
  return f.ok() ? "" : std::string(f.status().message());
}

TEST(AccessLogFormatTest, DefaultFormatParses) {
  const AccessLogFormat f = ParseOk(kDefaultAccessLogFormat);
  ASSERT_EQ(f.tokens.size(), 31u);
  EXPECT_EQ(f.tokens[0].kind, Kind::kLiteral);
  EXPECT_EQ(f.tokens[0].text, "[");
  EXPECT_EQ(f.tokens[1].kind, Kind::kStartTime);
  EXPECT_EQ(f.tokens[1].text, "");
  EXPECT_EQ(f.tokens[2].text, "] \"");
  EXPECT_EQ(f.tokens[3].kind, Kind::kRequestHeader);
  EXPECT_EQ(f.tokens[3].header, ":method");
  EXPECT_EQ(f.tokens[5].header, "x-envoy-original-path");
  EXPECT_EQ(f.tokens[5].alt_header, ":path");
  EXPECT_EQ(f.tokens[19].kind, Kind::kResponseHeader);
  EXPECT_EQ(f.tokens[19].header, "x-envoy-upstream-service-time");
  EXPECT_EQ(f.tokens.back().kind, Kind::kLiteral);
  EXPECT_EQ(f.tokens.back().text, "\"\n");
}

TEST(AccessLogFormatTest, HeaderOperators) {
  const AccessLogFormat f = ParseOk("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESP(Server):3% %REQ(:AUTHORITY)%");
  ASSERT_EQ(f.tokens.size(), 5u);
  EXPECT_EQ(f.tokens[0].kind, Kind::kRequestHeader);
  EXPECT_EQ(f.tokens[0].header, "x-envoy-original-path");
  EXPECT_EQ(f.tokens[0].alt_header, ":path");
  EXPECT_EQ(f.tokens[0].max_length, 0u);
  EXPECT_EQ(f.tokens[2].kind, Kind::kResponseHeader);
  EXPECT_EQ(f.tokens[2].header, "server");
  EXPECT_EQ(f.tokens[2].max_length, 3u);
  EXPECT_EQ(f.tokens[4].header, ":authority");
}

TEST(AccessLogFormatTest, StartTimeWithPattern) {
  const AccessLogFormat f = ParseOk("%START_TIME(%Y/%m/%dT%H:%M:%S.%3f)% x");
  ASSERT_EQ(f.tokens.size(), 2u);
  EXPECT_EQ(f.tokens[0].kind, Kind::kStartTime);
  EXPECT_EQ(f.tokens[0].text, "%Y/%m/%dT%H:%M:%S.%3f");
  EXPECT_EQ(f.tokens[1].text, " x");
}

TEST(AccessLogFormatTest, EverySimpleOperator) {
  const AccessLogFormat f = ParseOk(
      "%PROTOCOL%%RESPONSE_CODE%%RESPONSE_FLAGS%%BYTES_RECEIVED%%BYTES_SENT%%DURATION%%UPSTREAM_HOST%"
      "%UPSTREAM_CLUSTER%%DOWNSTREAM_REMOTE_ADDRESS%%DOWNSTREAM_LOCAL_ADDRESS%%ROUTE_NAME%%UPSTREAM_SERVICE_TIME%");
  const std::vector<Kind> expected = {
      Kind::kProtocol,         Kind::kResponseCode,   Kind::kResponseFlags,
      Kind::kBytesReceived,    Kind::kBytesSent,      Kind::kDuration,
      Kind::kUpstreamHost,     Kind::kUpstreamCluster, Kind::kDownstreamRemoteAddress,
      Kind::kDownstreamLocalAddress, Kind::kRouteName, Kind::kUpstreamServiceTime};
  ASSERT_EQ(f.tokens.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(f.tokens[i].kind, expected[i]) << i;
}

TEST(AccessLogFormatTest, LiteralsAroundOperatorsAreKept) {
  const AccessLogFormat f = ParseOk("a=%DURATION%ms, done");
  ASSERT_EQ(f.tokens.size(), 3u);
  EXPECT_EQ(f.tokens[0].text, "a=");
  EXPECT_EQ(f.tokens[1].kind, Kind::kDuration);
  EXPECT_EQ(f.tokens[2].text, "ms, done");
  EXPECT_TRUE(ParseOk("").tokens.empty());
}

TEST(AccessLogFormatTest, ErrorsQuoteTheOperator) {
  EXPECT_NE(ErrorOf("a %NOPE% b").find("unknown operator \"%NOPE%\""), std::string::npos);
  EXPECT_NE(ErrorOf("a %DURATION").find("\"%DURATION\""), std::string::npos);
  EXPECT_NE(ErrorOf("100% sure").find("\"% sure\""), std::string::npos);  // no escape, as in Envoy
  EXPECT_NE(ErrorOf("%%").find("\"%%\""), std::string::npos);
  EXPECT_NE(ErrorOf("%REQ(x%").find("%REQ(x%"), std::string::npos);
  EXPECT_NE(ErrorOf("%REQ(x):abc%").find("%REQ(x):"), std::string::npos);
  EXPECT_NE(ErrorOf("%REQ()%").find("%REQ()%"), std::string::npos);
  EXPECT_NE(ErrorOf("%REQ%").find("%REQ%"), std::string::npos);
  EXPECT_NE(ErrorOf("%REQ(:scheme)%").find("%REQ(:scheme)%"), std::string::npos);
  EXPECT_NE(ErrorOf("%DURATION(x)%").find("%DURATION(x)%"), std::string::npos);
  EXPECT_NE(ErrorOf("%DURATION:3%").find("%DURATION:3%"), std::string::npos);
  EXPECT_NE(ErrorOf("%duration%").find("%duration%"), std::string::npos);
  // A long runaway is quoted, but not all of it.
  const std::string runaway = "%START_TIME(" + std::string(200, 'x');
  EXPECT_LT(ErrorOf(runaway).size(), 120u);
}

// Issue 13: %GRPC_STATUS% as Envoy spells it, with its optional form.
TEST(AccessLogFormatTest, GrpcStatusAndItsForms) {
  using Format = AccessLogToken::GrpcStatusFormat;
  const AccessLogFormat f =
      ParseOk("%GRPC_STATUS% %GRPC_STATUS(CAMEL_STRING)% %GRPC_STATUS(SNAKE_STRING)% %GRPC_STATUS(NUMBER)% %PROTOCOL%");
  ASSERT_EQ(f.tokens.size(), 9u);
  EXPECT_EQ(f.tokens[0].kind, Kind::kGrpcStatus);
  EXPECT_EQ(f.tokens[0].grpc_status_format, Format::kCamelString);
  EXPECT_EQ(f.tokens[2].grpc_status_format, Format::kCamelString);
  EXPECT_EQ(f.tokens[4].grpc_status_format, Format::kSnakeString);
  EXPECT_EQ(f.tokens[6].kind, Kind::kGrpcStatus);
  EXPECT_EQ(f.tokens[6].grpc_status_format, Format::kNumber);
  EXPECT_EQ(f.tokens[8].kind, Kind::kProtocol);
  EXPECT_NE(ErrorOf("%GRPC_STATUS(snake)%").find("\"%GRPC_STATUS(snake)%\""), std::string::npos);
  EXPECT_NE(ErrorOf("%GRPC_STATUS:5%").find("length"), std::string::npos);
}

}  // namespace
}  // namespace tether::config
