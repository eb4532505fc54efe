#include "src/admin/request_origin.h"

#include <gtest/gtest.h>

namespace tether::admin {
namespace {

TEST(RequestOriginTest, AddressHostsAreAllowed) {
  for (const char* host : {"", "127.0.0.1", "127.0.0.1:15000", "localhost:9000", "LOCALHOST", "[::1]:15000", "[::1]",
                           "10.1.2.3:15000"}) {
    EXPECT_EQ(RefusedOrigin(host, ""), std::nullopt) << host;
  }
}

TEST(RequestOriginTest, NamesAndMalformedHostsAreRefused) {
  for (const char* host : {"attacker.example", "attacker.example:15000", "127.0.0.1.nip.io:15000", "[::1",
                           "[nope]:1", "127.0.0.1:99999", "127.0.0.1:x", "localhost.attacker.example"}) {
    auto refused = RefusedOrigin(host, "");
    ASSERT_TRUE(refused.has_value()) << host;
    EXPECT_NE(refused->find("is not the admin address"), std::string::npos) << *refused;
  }
}

TEST(RequestOriginTest, OriginMustBeTheAdminEndpointItself) {
  EXPECT_EQ(RefusedOrigin("127.0.0.1:15000", "http://127.0.0.1:15000"), std::nullopt);
  EXPECT_EQ(RefusedOrigin("localhost:15000", "HTTP://LOCALHOST:15000"), std::nullopt);
  for (const char* origin : {"null", "http://attacker.example", "http://127.0.0.1:8080", "https://127.0.0.1:15000"}) {
    auto refused = RefusedOrigin("127.0.0.1:15000", origin);
    ASSERT_TRUE(refused.has_value()) << origin;
    EXPECT_NE(refused->find("requests from web pages are refused"), std::string::npos) << *refused;
  }
  EXPECT_TRUE(RefusedOrigin("", "http://127.0.0.1:15000").has_value());  // no Host to be the same as
}

}  // namespace
}  // namespace tether::admin
