#include "src/http/grpc_stream_util.h"

#include <gtest/gtest.h>

namespace tether::http::grpc {
namespace {

using std::chrono::milliseconds;

TEST(GrpcStreamUtilTest, ContentType) {
  EXPECT_TRUE(IsGrpcContentType("application/grpc"));
  EXPECT_TRUE(IsGrpcContentType("application/grpc+proto"));
  EXPECT_TRUE(IsGrpcContentType("Application/GRPC;charset=utf-8"));
  EXPECT_FALSE(IsGrpcContentType("application/grpc-web"));
  EXPECT_FALSE(IsGrpcContentType("application/json"));
  EXPECT_FALSE(IsGrpcContentType(""));
}

TEST(GrpcStreamUtilTest, HttpStatusMapsAsEnvoy) {
  EXPECT_EQ(StatusFromHttp(404), 12);
  EXPECT_EQ(StatusFromHttp(503), 14);
  EXPECT_EQ(StatusFromHttp(504), 14);
  EXPECT_EQ(StatusFromHttp(429), 14);
  EXPECT_EQ(StatusFromHttp(400), 13);
  EXPECT_EQ(StatusFromHttp(401), 16);
  EXPECT_EQ(StatusFromHttp(403), 7);
  EXPECT_EQ(StatusFromHttp(418), 2);
}

TEST(GrpcStreamUtilTest, Timeout) {
  EXPECT_EQ(ParseTimeout("1S"), milliseconds(1000));
  EXPECT_EQ(ParseTimeout("250m"), milliseconds(250));
  EXPECT_EQ(ParseTimeout("2M"), milliseconds(120000));
  EXPECT_EQ(ParseTimeout("1H"), milliseconds(3600000));
  EXPECT_EQ(ParseTimeout("1500u"), milliseconds(2));  // rounded up
  EXPECT_EQ(ParseTimeout("1n"), milliseconds(1));
  EXPECT_EQ(ParseTimeout("99999999m"), milliseconds(99999999));
  EXPECT_FALSE(ParseTimeout("123456789m"));  // 9 digits
  EXPECT_FALSE(ParseTimeout("S"));
  EXPECT_FALSE(ParseTimeout("10x"));
  EXPECT_FALSE(ParseTimeout("-1S"));
}

TEST(GrpcStreamUtilTest, StatusAndMessage) {
  EXPECT_EQ(ParseStatus("0"), 0);
  EXPECT_EQ(ParseStatus("14"), 14);
  EXPECT_FALSE(ParseStatus(""));
  EXPECT_FALSE(ParseStatus("x"));
  EXPECT_EQ(EncodeMessage("no route"), "no route");
  EXPECT_EQ(EncodeMessage("100%\n"), "100%25%0A");
}

}  // namespace
}  // namespace tether::http::grpc
