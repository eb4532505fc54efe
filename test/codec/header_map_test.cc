#include "src/codec/header_map.h"

#include <memory_resource>

#include <gtest/gtest.h>

namespace tether::codec {
namespace {

TEST(HeaderMapTest, PseudoHeadersHaveSlotsOfTheirOwn) {
  HeaderMap h;
  EXPECT_FALSE(h.Has(PseudoHeader::kMethod));
  h.Set(PseudoHeader::kMethod, "GET");
  h.Set(PseudoHeader::kPath, "/a?b");
  h.Set(PseudoHeader::kAuthority, "");  // set, even if empty
  EXPECT_EQ(h.Get(PseudoHeader::kMethod), "GET");
  EXPECT_EQ(h.Get(PseudoHeader::kPath), "/a?b");
  EXPECT_TRUE(h.Has(PseudoHeader::kAuthority));
  EXPECT_EQ(h.PseudoCount(), 3u);
  EXPECT_EQ(h.size(), 0u);  // regular fields only
  EXPECT_FALSE(h.Has(":method"));  // a pseudo-header is not a regular field
  h.Remove(PseudoHeader::kAuthority);
  EXPECT_FALSE(h.Has(PseudoHeader::kAuthority));
}

TEST(HeaderMapTest, PseudoHeaderNamesRoundTrip) {
  for (PseudoHeader p : {PseudoHeader::kMethod, PseudoHeader::kScheme, PseudoHeader::kAuthority, PseudoHeader::kPath,
                         PseudoHeader::kStatus}) {
    EXPECT_EQ(ParsePseudoHeader(PseudoHeaderName(p)), p);
  }
  EXPECT_EQ(ParsePseudoHeader(":protocol"), std::nullopt);
  EXPECT_EQ(ParsePseudoHeader("method"), std::nullopt);
}

TEST(HeaderMapTest, StatusIsThreeDigits) {
  HeaderMap h;
  EXPECT_EQ(h.Status(), std::nullopt);
  h.SetStatus(204);
  EXPECT_EQ(h.Get(PseudoHeader::kStatus), "204");
  EXPECT_EQ(h.Status(), 204);
  h.Set(PseudoHeader::kStatus, "20x");
  EXPECT_EQ(h.Status(), std::nullopt);
  h.Set(PseudoHeader::kStatus, "2000");
  EXPECT_EQ(h.Status(), std::nullopt);
}

TEST(HeaderMapTest, RepeatedNamesKeepEveryValueInOrder) {
  HeaderMap h;
  h.Add("Set-Cookie", "a=1");
  h.Add("x-other", "o");
  h.Add("set-cookie", "b=2");
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.Get("SET-COOKIE"), "a=1");
  EXPECT_EQ(h.GetAll("set-cookie"), (std::vector<std::string_view>{"a=1", "b=2"}));
  // Iteration is arrival order; names keep their case.
  std::vector<std::string> names;
  for (const auto& e : h) names.emplace_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Set-Cookie", "x-other", "set-cookie"}));
}

TEST(HeaderMapTest, SetReplacesEveryValueAtTheFirstPlace) {
  HeaderMap h;
  h.Add("a", "1");
  h.Add("B", "2");
  h.Add("c", "3");
  h.Add("b", "4");
  h.Set("b", "x");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.GetAll("b"), (std::vector<std::string_view>{"x"}));
  EXPECT_EQ(std::next(h.begin())->value, "x");
  h.Set("d", "new");
  EXPECT_EQ(h.Get("d"), "new");
  EXPECT_EQ(h.Remove("B"), 1u);
  EXPECT_EQ(h.Remove("missing"), 0u);
  EXPECT_FALSE(h.Has("b"));
}

TEST(HeaderMapTest, RemoveIfAndLowercaseNames) {
  HeaderMap h;
  h.Set(PseudoHeader::kPath, "/");
  h.Add("Connection", "close");
  h.Add("X-Keep", "1");
  h.Add("keep-alive", "5");
  EXPECT_EQ(h.RemoveIf([](const HeaderMap::Entry& e) {
    return HeaderNameEquals(e.name, "connection") || HeaderNameEquals(e.name, "keep-alive");
  }), 2u);
  h.LowercaseNames();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->name, "x-keep");
  EXPECT_EQ(h.Get(PseudoHeader::kPath), "/");  // pseudo-headers are not fields
}

TEST(HeaderMapTest, ByteSizeCountsAsHttp2Does) {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, "GET");  // 7 + 3 + 32
  h.Add("te", "trailers");              // 2 + 8 + 32
  EXPECT_EQ(h.ByteSize(), 42u + 42u);
}

TEST(HeaderMapTest, StringsComeFromTheGivenArena) {
  std::pmr::monotonic_buffer_resource arena;
  std::pmr::set_default_resource(std::pmr::null_memory_resource());
  {
    // With the null resource as default, any heap-side allocation would throw.
    HeaderMap h{HeaderMap::allocator_type(&arena)};
    h.Set(PseudoHeader::kPath, std::string(100, 'p'));
    h.Add(std::string(64, 'n'), std::string(200, 'v'));
    HeaderMap moved = std::move(h);
    EXPECT_EQ(moved.Get(std::string(64, 'N')), std::string(200, 'v'));
  }
  std::pmr::set_default_resource(std::pmr::new_delete_resource());
}

TEST(HeaderMapTest, ClearEmptiesEverything) {
  HeaderMap h;
  h.Set(PseudoHeader::kStatus, "200");
  h.Add("a", "b");
  EXPECT_FALSE(h.empty());
  h.Clear();
  EXPECT_TRUE(h.empty());
  EXPECT_FALSE(h.Has(PseudoHeader::kStatus));
}

}  // namespace
}  // namespace tether::codec

namespace tether::codec {
namespace {

TEST(HeaderNameEqualsTest, IgnoresTheCaseOfLettersOnly) {
  EXPECT_TRUE(HeaderNameEquals("Content-Type", "content-type"));
  EXPECT_TRUE(HeaderNameEquals("X-REQUEST-ID", "x-request-id"));
  EXPECT_TRUE(HeaderNameEquals("", ""));
  EXPECT_FALSE(HeaderNameEquals("content-type", "content-typ"));
  EXPECT_FALSE(HeaderNameEquals("content-type", "content_type"));
  // Pairs that differ by 0x20 but are not letters: '@' and '`', '[' and '{', '^' and '~'.
  EXPECT_FALSE(HeaderNameEquals("a@b", "a`b"));
  EXPECT_FALSE(HeaderNameEquals("[x]", "{x}"));
  EXPECT_FALSE(HeaderNameEquals("^", "~"));
  // Bytes above 0x7f are compared as they are.
  EXPECT_FALSE(HeaderNameEquals("\xc0", "\xe0"));
}

}  // namespace
}  // namespace tether::codec
