#include "src/codec/chunked_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace tether::codec {
namespace {

ChunkedLimits Limits() {
  ChunkedLimits l;
  l.max_line_bytes = 64;
  l.max_trailer_bytes = 100;
  l.max_trailer_fields = 3;
  return l;
}

ChunkedRefusal Check(const std::string& pending) { return CheckChunkedPending(pending, Limits()); }

TEST(ChunkedGuardTest, ShortLinesPass) {
  EXPECT_EQ(Check("5;ext=1\r\nhello"), ChunkedRefusal::kNone);
  EXPECT_EQ(Check("\r\n5"), ChunkedRefusal::kNone);
  EXPECT_EQ(Check("0\r\nA: b\r\nC: d\r\n\r\n"), ChunkedRefusal::kNone);
  EXPECT_EQ(Check("0\r\nA: b\r\n"), ChunkedRefusal::kNone);  // trailers so far
}

// "5;" then endless extension bytes and no CRLF: the line never ends.
TEST(ChunkedGuardTest, EndlessChunkLine) {
  EXPECT_EQ(Check("5;" + std::string(62, 'x')), ChunkedRefusal::kNone);  // 64 bytes: at the limit
  EXPECT_EQ(Check("5;" + std::string(63, 'x')), ChunkedRefusal::kLineTooLong);
  EXPECT_EQ(Check("\r\n" + std::string(65, 'f')), ChunkedRefusal::kLineTooLong);  // endless size digits
  EXPECT_EQ(Check("5;" + std::string(100, 'x') + "\r\nhello"), ChunkedRefusal::kLineTooLong);  // ended, too long
}

TEST(ChunkedGuardTest, EndlessTrailerLine) {
  EXPECT_EQ(Check("0\r\nX: " + std::string(98, 'a')), ChunkedRefusal::kTrailersTooLarge);
  EXPECT_EQ(Check("000\r\nX: " + std::string(80, 'a')), ChunkedRefusal::kNone);
}

TEST(ChunkedGuardTest, ManySmallTrailerLines) {
  EXPECT_EQ(Check("0\r\na: 1\r\nb: 2\r\nc: 3\r\n"), ChunkedRefusal::kNone);
  EXPECT_EQ(Check("0\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n"), ChunkedRefusal::kTooManyTrailers);
  EXPECT_EQ(Check("0\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n"), ChunkedRefusal::kTooManyTrailers);
}

// Only a last chunk has trailers: data after another chunk's line is body.
TEST(ChunkedGuardTest, BodyAfterALineIsNotTrailers) {
  EXPECT_EQ(Check("10\r\n" + std::string(16, 'a')), ChunkedRefusal::kNone);
  EXPECT_EQ(Check("1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n"), ChunkedRefusal::kNone);
}

}  // namespace
}  // namespace tether::codec
