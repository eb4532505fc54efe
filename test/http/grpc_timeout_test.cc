#include "src/http/grpc_timeout.h"

#include <gtest/gtest.h>

namespace tether::http {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(GrpcTimeoutTest, ParsesEveryUnit) {
  EXPECT_EQ(ParseGrpcTimeout("2H"), hours(2));
  EXPECT_EQ(ParseGrpcTimeout("3M"), minutes(3));
  EXPECT_EQ(ParseGrpcTimeout("10S"), seconds(10));
  EXPECT_EQ(ParseGrpcTimeout("250m"), milliseconds(250));
  EXPECT_EQ(ParseGrpcTimeout("1500u"), milliseconds(2));   // rounded up
  EXPECT_EQ(ParseGrpcTimeout("1000u"), milliseconds(1));
  EXPECT_EQ(ParseGrpcTimeout("1n"), milliseconds(1));      // never rounded down to "none"
  EXPECT_EQ(ParseGrpcTimeout("99999999H"), hours(99999999));
  EXPECT_EQ(ParseGrpcTimeout("0m"), milliseconds(0));
}

TEST(GrpcTimeoutTest, BadValuesAreIgnored) {
  for (std::string_view bad : {"", "S", "10", "10s", "10 S", " 10S", "+10S", "-10S", "123456789S", "1.5S", "10SS",
                               "0x10S", "10h"}) {
    EXPECT_EQ(ParseGrpcTimeout(bad), std::nullopt) << bad;
  }
}

TEST(GrpcTimeoutTest, ReadsTheRequestHeader) {
  codec::HeaderMap h;
  EXPECT_EQ(GrpcTimeout(h), std::nullopt);
  h.Add("grpc-timeout", "100m");
  EXPECT_EQ(GrpcTimeout(h), milliseconds(100));
}

TEST(GrpcTimeoutTest, FormatsInTheSmallestUnitThatFits) {
  EXPECT_EQ(FormatGrpcTimeout(milliseconds(0)), "0m");
  EXPECT_EQ(FormatGrpcTimeout(milliseconds(1500)), "1500m");
  EXPECT_EQ(FormatGrpcTimeout(milliseconds(99999999)), "99999999m");
  EXPECT_EQ(FormatGrpcTimeout(milliseconds(100000000)), "100000S");
  EXPECT_EQ(FormatGrpcTimeout(hours(24 * 365 * 20)), "10512000M");
  EXPECT_EQ(FormatGrpcTimeout(hours(200000000)), "99999999H");  // clipped
  EXPECT_EQ(FormatGrpcTimeout(milliseconds(-5)), "0m");
  for (milliseconds t : {milliseconds(7), milliseconds(99999999), milliseconds(123456789000)}) {
    const auto back = ParseGrpcTimeout(FormatGrpcTimeout(t));
    ASSERT_TRUE(back.has_value());
    EXPECT_LE(*back, t);  // never longer than asked
  }
}

config::Route RouteWith(milliseconds timeout, std::optional<milliseconds> max_grpc) {
  config::Route r;
  r.timeout = timeout;
  r.max_grpc_timeout = max_grpc;
  return r;
}

TEST(GrpcTimeoutTest, PlainRequestsUseTheRouteTimeout) {
  EXPECT_EQ(RouteTimeout(RouteWith(seconds(15), seconds(1)), false, milliseconds(5)), seconds(15));
}

TEST(GrpcTimeoutTest, WithoutMaxGrpcTimeoutTheHeaderOnlyShortens) {
  const auto r = RouteWith(seconds(15), std::nullopt);
  EXPECT_EQ(RouteTimeout(r, true, milliseconds(200)), milliseconds(200));
  EXPECT_EQ(RouteTimeout(r, true, seconds(60)), seconds(15));
  EXPECT_EQ(RouteTimeout(r, true, std::nullopt), seconds(15));
  EXPECT_EQ(RouteTimeout(r, true, milliseconds(0)), seconds(15));  // 0: no deadline
  EXPECT_EQ(RouteTimeout(RouteWith(milliseconds(0), std::nullopt), true, seconds(3)), seconds(3));
}

TEST(GrpcTimeoutTest, MaxGrpcTimeoutAsEnvoy) {
  const auto capped = RouteWith(seconds(15), seconds(30));
  EXPECT_EQ(RouteTimeout(capped, true, seconds(60)), seconds(30));       // capped
  EXPECT_EQ(RouteTimeout(capped, true, seconds(20)), seconds(20));       // replaces the route's 15s
  EXPECT_EQ(RouteTimeout(capped, true, std::nullopt), seconds(30));      // none = infinity, capped
  EXPECT_EQ(RouteTimeout(capped, true, milliseconds(0)), seconds(30));
  const auto uncapped = RouteWith(seconds(15), milliseconds(0));
  EXPECT_EQ(RouteTimeout(uncapped, true, seconds(60)), seconds(60));
  EXPECT_EQ(RouteTimeout(uncapped, true, std::nullopt), milliseconds(0));  // no timeout at all
}

// Envoy's grpc_timeout_offset: the sidecar gives up `offset` before the caller's deadline.
TEST(GrpcTimeoutTest, OffsetShortensTheHeaderBeforeItIsUsed) {
  auto capped = RouteWith(seconds(15), seconds(30));
  capped.grpc_timeout_offset = milliseconds(200);
  EXPECT_EQ(RouteTimeout(capped, true, seconds(1)), milliseconds(800));
  EXPECT_EQ(RouteTimeout(capped, true, seconds(60)), seconds(30));  // offset first, then the cap
  EXPECT_EQ(RouteTimeout(capped, true, milliseconds(200)), milliseconds(200));  // not longer: kept
  EXPECT_EQ(RouteTimeout(capped, true, milliseconds(150)), milliseconds(150));
  EXPECT_EQ(RouteTimeout(capped, true, std::nullopt), seconds(30));  // no header: nothing to offset
  auto uncapped = RouteWith(seconds(15), milliseconds(0));
  uncapped.grpc_timeout_offset = milliseconds(200);
  EXPECT_EQ(RouteTimeout(uncapped, true, std::nullopt), milliseconds(0));  // still no timeout at all
  EXPECT_EQ(RouteTimeout(uncapped, true, seconds(5)), milliseconds(4800));
  // Without max_grpc_timeout (Tether's default) the offset header shortens the route's timeout.
  auto plain = RouteWith(seconds(15), std::nullopt);
  plain.grpc_timeout_offset = seconds(1);
  EXPECT_EQ(RouteTimeout(plain, true, seconds(3)), seconds(2));
  EXPECT_EQ(RouteTimeout(plain, true, seconds(60)), seconds(15));
  EXPECT_EQ(RouteTimeout(plain, false, seconds(3)), seconds(15));  // not gRPC: the header means nothing
}

}  // namespace
}  // namespace tether::http
