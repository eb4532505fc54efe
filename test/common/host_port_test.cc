#include "src/common/host_port.h"

#include <gtest/gtest.h>

namespace tether {
namespace {

TEST(HostPortTest, Ipv4AndIpv6) {
  EXPECT_EQ(HostPort("127.0.0.1", 15001), "127.0.0.1:15001");
  EXPECT_EQ(HostPort("::1", 80), "[::1]:80");
  EXPECT_EQ(HostPort("::ffff:10.0.0.1", 443), "[::ffff:10.0.0.1]:443");
}

TEST(HostPortTest, SplitIsTheInverse) {
  using Pair = std::pair<std::string_view, std::string_view>;
  EXPECT_EQ(SplitHostPort("127.0.0.1:15001"), Pair("127.0.0.1", "15001"));
  EXPECT_EQ(SplitHostPort("[::1]:80"), Pair("[::1]", "80"));
  EXPECT_EQ(SplitHostPort("[::1]"), Pair("[::1]", ""));
  EXPECT_EQ(SplitHostPort("example.com"), Pair("example.com", ""));
}

// What an address option ("--http-listen HOST:PORT") holds, read back into
// HostPort's arguments: the round trip is exact, IPv6 included.
TEST(HostPortTest, ParseIsTheInverseOfTheFormatter) {
  for (const auto& [host, port] : {std::pair<std::string, uint16_t>{"127.0.0.1", 15014}, {"::1", 80}, {"0.0.0.0", 0},
                                   {"fd00::a:1", 65535}}) {
    const auto parsed = ParseHostPort(HostPort(host, port));
    ASSERT_TRUE(parsed) << host;
    EXPECT_EQ(parsed->host, host);
    EXPECT_EQ(parsed->port, port);
  }
  EXPECT_EQ(ParseHostPort("localhost:1")->host, "localhost");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":80", "[]:80", "h:65536", "h:8o", "h:-1", "[::1]"}) {
    EXPECT_FALSE(ParseHostPort(bad)) << bad;
  }
}

}  // namespace
}  // namespace tether
