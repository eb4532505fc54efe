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

}  // namespace
}  // namespace tether
