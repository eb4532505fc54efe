#include "src/common/host_port.h"

#include <gtest/gtest.h>

namespace tether {
namespace {

TEST(HostPortTest, Ipv4AndIpv6) {
  EXPECT_EQ(HostPort("127.0.0.1", 15001), "127.0.0.1:15001");
  EXPECT_EQ(HostPort("::1", 80), "[::1]:80");
  EXPECT_EQ(HostPort("::ffff:10.0.0.1", 443), "[::ffff:10.0.0.1]:443");
}

}  // namespace
}  // namespace tether
