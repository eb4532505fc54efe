#include "src/http/request_hash.h"

#include <gtest/gtest.h>

#include <vector>

#include "src/upstream/xxhash64.h"

namespace tether::http {
namespace {

using config::HashPolicy;
using upstream::XxHash64;

HashPolicy Header(std::string name, bool terminal = false) { return {HashPolicy::Kind::kHeader, std::move(name), terminal}; }
HashPolicy Cookie(std::string name, bool terminal = false) { return {HashPolicy::Kind::kCookie, std::move(name), terminal}; }
HashPolicy SourceIp(bool terminal = false) { return {HashPolicy::Kind::kSourceIp, "", terminal}; }

uint64_t Rotl(uint64_t h) { return (h << 1) | (h >> 63); }

codec::HeaderMap Request(std::vector<std::pair<std::string, std::string>> fields) {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "GET");
  h.Set(codec::PseudoHeader::kPath, "/cart");
  h.Set(codec::PseudoHeader::kAuthority, "shop.local");
  for (const auto& [name, value] : fields) h.Add(name, value);
  return h;
}

TEST(RequestHashTest, AHeadersValueIsItsXxHash64) {
  const std::vector<HashPolicy> p = {Header("x-user")};
  EXPECT_EQ(RequestHash(p, Request({{"X-User", "alice"}}), "10.0.0.7:5000"), XxHash64("alice"));
  EXPECT_NE(RequestHash(p, Request({{"x-user", "bob"}}), "10.0.0.7:5000"), XxHash64("alice"));
  EXPECT_EQ(RequestHash(p, Request({}), "10.0.0.7:5000"), std::nullopt);
}

TEST(RequestHashTest, RepeatedHeaderValuesHashAlikeInAnyOrder) {
  const std::vector<HashPolicy> p = {Header("x-tag")};
  const auto ab = RequestHash(p, Request({{"x-tag", "a"}, {"x-tag", "b"}}), "");
  EXPECT_EQ(ab, RequestHash(p, Request({{"x-tag", "b"}, {"x-tag", "a"}}), ""));
  EXPECT_EQ(ab, XxHash64("b", XxHash64("a")));  // Envoy's chaining of the sorted values
}

TEST(RequestHashTest, PseudoHeadersCanBeHashed) {
  EXPECT_EQ(RequestHash(std::vector{Header(":authority")}, Request({}), ""), XxHash64("shop.local"));
  EXPECT_EQ(RequestHash(std::vector{Header(":path")}, Request({}), ""), XxHash64("/cart"));
}

TEST(RequestHashTest, ACookiesValueFromAnyCookieHeader) {
  const std::vector<HashPolicy> p = {Cookie("session")};
  EXPECT_EQ(RequestHash(p, Request({{"cookie", "theme=dark; session=s-42; x=1"}}), ""), XxHash64("s-42"));
  // HTTP/2 may split cookies over several fields; a quoted value hashes as its content.
  EXPECT_EQ(RequestHash(p, Request({{"cookie", "theme=dark"}, {"cookie", "session=\"s-42\""}}), ""),
            XxHash64("s-42"));
  // Only the exact name: "sessionid" is another cookie.
  EXPECT_EQ(RequestHash(p, Request({{"cookie", "sessionid=1"}}), ""), std::nullopt);
  EXPECT_EQ(RequestHash(p, Request({}), ""), std::nullopt);
}

TEST(RequestHashTest, SourceIpWithoutThePort) {
  const std::vector<HashPolicy> p = {SourceIp()};
  EXPECT_EQ(RequestHash(p, Request({}), "10.0.0.7:5000"), XxHash64("10.0.0.7"));
  EXPECT_EQ(RequestHash(p, Request({}), "10.0.0.7:6000"), XxHash64("10.0.0.7"));  // any connection of the client
  EXPECT_EQ(RequestHash(p, Request({}), "[::1]:5000"), XxHash64("::1"));
  EXPECT_EQ(RequestHash(p, Request({}), ""), std::nullopt);
}

TEST(RequestHashTest, PoliciesCombineAndATerminalOneEndsTheList) {
  const auto request = Request({{"x-user", "alice"}, {"cookie", "session=s-42"}});
  const uint64_t user = XxHash64("alice");
  const uint64_t session = XxHash64("s-42");
  // Rotated before XOR: two equal policies do not cancel out to 0.
  EXPECT_EQ(RequestHash(std::vector{Header("x-user"), Cookie("session")}, request, ""), Rotl(user) ^ session);
  EXPECT_EQ(RequestHash(std::vector{Header("x-user"), Header("x-user")}, request, ""), Rotl(user) ^ user);
  // A missing value adds nothing.
  EXPECT_EQ(RequestHash(std::vector{Header("x-missing"), Cookie("session")}, request, ""), session);
  // Terminal with a hash: the rest is skipped; terminal without one: the list goes on.
  EXPECT_EQ(RequestHash(std::vector{Header("x-user", true), Cookie("session")}, request, ""), user);
  EXPECT_EQ(RequestHash(std::vector{Header("x-missing", true), Cookie("session")}, request, ""), session);
}

TEST(RequestHashTest, RehashForAttemptIsDeterministicAndDifferent) {
  EXPECT_EQ(RehashForAttempt(42, 1), RehashForAttempt(42, 1));
  EXPECT_NE(RehashForAttempt(42, 1), 42u);
  EXPECT_NE(RehashForAttempt(42, 1), RehashForAttempt(42, 2));
}

}  // namespace
}  // namespace tether::http
