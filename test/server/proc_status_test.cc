#include "src/server/proc_status.h"

#include <gtest/gtest.h>

namespace tether::server {
namespace {

TEST(ProcStatusTest, RssAnonIsReadInBytes) {
  constexpr char kStatus[] =
      "Name:\ttether\nVmRSS:\t   20480 kB\nRssAnon:\t    9876 kB\nRssFile:\t   10604 kB\nThreads:\t3\n";
  auto bytes = ParseRssAnonBytes(kStatus);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, 9876u * 1024);
}

TEST(ProcStatusTest, MissingOrMalformedLinesAreErrors) {
  EXPECT_EQ(ParseRssAnonBytes("Name:\tx\nVmRSS:\t 1 kB\n").status().message(), "no RssAnon line");
  EXPECT_FALSE(ParseRssAnonBytes("RssAnon:\t12 MB\n").ok());
  EXPECT_FALSE(ParseRssAnonBytes("RssAnon:\t kB\n").ok());
  EXPECT_FALSE(ParseRssAnonBytes("RssAnon:\t-5 kB\n").ok());
  EXPECT_FALSE(ParseRssAnonBytes("RssAnon:\t99999999999999999999 kB\n").ok());
}

TEST(ProcStatusTest, ThisProcessHasOne) {
  auto bytes = ReadRssAnonBytes();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_GT(*bytes, 0u);
}

}  // namespace
}  // namespace tether::server
