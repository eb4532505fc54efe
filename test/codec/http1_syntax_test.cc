#include "src/codec/http1_syntax.h"

#include <string>

#include <gtest/gtest.h>

namespace tether::codec::http1_syntax {
namespace {

TEST(Http1SyntaxTest, FieldValuesAreCheckedAtEveryOffset) {
  for (std::size_t size = 0; size < 40; ++size) {
    std::string value(size, 'v');
    EXPECT_TRUE(IsFieldValue(value));
    for (std::size_t at = 0; at < size; ++at) {
      for (char bad : {'\x00', '\x1f', '\x7f', '\r', '\n'}) {
        std::string with = value;
        with[at] = bad;
        EXPECT_FALSE(IsFieldValue(with)) << "byte " << int(bad) << " at " << at << " of " << size;
      }
      std::string fine = value;
      fine[at] = at % 2 == 0 ? '\t' : '\x80';
      EXPECT_TRUE(IsFieldValue(fine)) << at;
    }
  }
}

TEST(Http1SyntaxTest, TokensFoldOnlyLetters) {
  EXPECT_TRUE(IsToken("Content-Length"));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken("a b"));
  EXPECT_EQ(TokenPrefixLength("gzip;q=1"), 4u);
  EXPECT_TRUE(TokenEqualsLower("TRANSFER-ENCODING", "transfer-encoding"));
  EXPECT_TRUE(TokenEqualsLower("Keep-Alive", "keep-alive"));
  EXPECT_FALSE(TokenEqualsLower("Content^Length", "content-length"));  // '^' | 0x20 is '~', not '-'
  EXPECT_FALSE(TokenEqualsLower("connectioN2", "connection1"));
}

TEST(Http1SyntaxTest, ListsAndNumbers) {
  std::string_view list = " gzip ,, chunked\t";
  EXPECT_EQ(NextElement(list), "gzip");
  EXPECT_EQ(NextElement(list), "");
  EXPECT_EQ(NextElement(list), "chunked");
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(HexValue('F'), 15);
  EXPECT_EQ(HexValue('g'), -1);
}

TEST(Http1SyntaxTest, ChunkExtensions) {
  for (const char* ok : {"", ";a", ";a=b", " ; a = b", ";a=\"q \\\" s\";b", ";a;b=c"}) EXPECT_TRUE(IsChunkExtensions(ok)) << ok;
  for (const char* bad : {" ", ";", ";a ", "a", ";a=", ";a=\"open", ";a=b c", ";a=\"\x01\""}) {
    EXPECT_FALSE(IsChunkExtensions(bad)) << bad;
  }
}

TEST(Http1SyntaxTest, ABlockIsFoundAcrossPiecesAndBareLineFeedsAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
  std::size_t scanned = 0;
  std::size_t end = 0;
  for (std::size_t have = 1; have < 25; ++have) {
    EXPECT_EQ(ScanBlock(std::string_view(head).substr(0, have), 1024, scanned, end), BlockScan::kNeedMore) << have;
  }
  EXPECT_EQ(ScanBlock(head, 1024, scanned, end), BlockScan::kFound);
  EXPECT_EQ(end, 25u);
  scanned = 0;
  EXPECT_EQ(ScanBlock("HTTP/1.1 200 OK\nA: b\r\n\r\n", 1024, scanned, end), BlockScan::kMalformed);
  scanned = 0;
  EXPECT_EQ(ScanBlock(std::string(64, 'x'), 64, scanned, end), BlockScan::kTooLarge);
  EXPECT_TRUE(IsFramingField("Proxy-Connection"));
  EXPECT_FALSE(IsFramingField("Connections"));
}

}  // namespace
}  // namespace tether::codec::http1_syntax
