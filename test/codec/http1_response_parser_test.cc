#include "src/codec/http1_response_parser.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "src/codec/http1_parser.h"

namespace tether::codec {
namespace {

struct Parsed {
  Http1ParseError error = Http1ParseError::kNone;
  bool done = false;
  bool keep_alive = false;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string body;
};

std::vector<std::pair<std::string, std::string>> Fields(const HeaderMap& map) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const HeaderMap::Entry& e : map) out.emplace_back(std::string(e.name), std::string(e.value));
  return out;
}

// Feeds `wire` as a connection does, at most `piece` new bytes at a time; unused bytes are
// presented again with the next piece. `close`: the peer closes after the last byte.
template <class Parser>
Parsed Feed(Parser& parser, std::string_view wire, std::size_t piece, bool close) {
  Parsed out;
  std::string held;
  std::size_t fed = 0;
  while (parser.error() == Http1ParseError::kNone && !parser.is_done()) {
    if (fed < wire.size()) {
      const std::size_t n = std::min(piece, wire.size() - fed);
      held.append(wire.substr(fed, n));
      fed += n;
    }
    std::size_t used = 0;
    do {
      used = parser.Step(std::string_view(held));
      out.body.append(parser.TakeBody());
      held.erase(0, used);
    } while (used > 0 && !held.empty() && !parser.is_done());
    if (fed == wire.size() && used == 0) break;
  }
  if constexpr (std::is_same_v<Parser, Http1ResponseParser>) {
    if (close && !parser.is_done()) parser.FinishAtClose();
  } else {
    if (close && !parser.is_done() && parser.is_header_done()) {
      boost::beast::error_code ec;
      parser.put_eof(ec);
    }
  }
  out.error = parser.error();
  out.done = parser.is_done();
  if (parser.is_header_done() && out.error == Http1ParseError::kNone) {
    out.status = parser.status();
    out.keep_alive = parser.keep_alive();
    out.headers = Fields(parser.headers());
    out.trailers = Fields(parser.trailers());
  }
  return out;
}

Http1ParserLimits SmallLimits() { return {256, 8, 32}; }

Parsed Parse(std::string_view wire, std::size_t piece = 1 << 20, bool close = false, bool head = false,
             Http1ParserLimits limits = {}) {
  Http1ResponseParser parser(limits);
  if (head) parser.SkipBody();
  return Feed(parser, wire, piece, close);
}

TEST(Http1ResponseParserTest, HeadAndContentLengthBodyAtEverySplit) {
  const std::string wire = "HTTP/1.1 200 OK\r\nServer: up\r\nContent-Length: 5\r\nX-Empty:\r\n\r\nhello";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    const Parsed p = Parse(wire, piece);
    ASSERT_TRUE(p.done) << "piece " << piece;
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.body, "hello");
    EXPECT_TRUE(p.keep_alive);
    const std::vector<std::pair<std::string, std::string>> want = {
        {"Server", "up"}, {"Content-Length", "5"}, {"X-Empty", ""}};
    EXPECT_EQ(p.headers, want);
  }
}

TEST(Http1ResponseParserTest, ChunkedWithExtensionsAndTrailersAtEverySplit) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value; q=\"a \\\"b\\\"\"\r\nhello\r\n6\r\n world\r\n0\r\ngrpc-status: 0\r\nx-t:  v \r\n\r\n";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    const Parsed p = Parse(wire, piece);
    ASSERT_TRUE(p.done) << "piece " << piece;
    EXPECT_EQ(p.body, "hello world");
    const std::vector<std::pair<std::string, std::string>> want = {{"grpc-status", "0"}, {"x-t", "v"}};
    EXPECT_EQ(p.trailers, want);
  }
}

TEST(Http1ResponseParserTest, ABodyWithoutLengthRunsToTheClose) {
  const Parsed cut = Parse("HTTP/1.1 200 OK\r\n\r\nsome bytes", 4, /*close=*/false);
  EXPECT_FALSE(cut.done);
  const Parsed closed = Parse("HTTP/1.1 200 OK\r\n\r\nsome bytes", 4, /*close=*/true);
  EXPECT_TRUE(closed.done);
  EXPECT_EQ(closed.body, "some bytes");
  EXPECT_FALSE(closed.keep_alive);
  // A coding other than chunked: to the close as well.
  const Parsed gzip = Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, br\r\n\r\nzz", 64, true);
  EXPECT_EQ(gzip.body, "zz");
  EXPECT_FALSE(gzip.keep_alive);
  // A chunked body cut by the close is not complete.
  Http1ResponseParser chunked({});
  chunked.Step("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_FALSE(chunked.FinishAtClose());
}

TEST(Http1ResponseParserTest, NoBodyForHeadNoContentNotModifiedAndInterim) {
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 64, false, /*head=*/true).done);
  for (const char* status : {"100 Continue", "103 Early Hints", "204 No Content", "304 Not Modified"}) {
    const Parsed p = Parse(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 10\r\n\r\n");
    EXPECT_TRUE(p.done) << status;
    EXPECT_TRUE(p.body.empty());
  }
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").done);
}

TEST(Http1ResponseParserTest, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(Parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n").error, Http1ParseError::kMalformed);
}

TEST(Http1ResponseParserTest, MalformedHeadsAreRefused) {
  for (const char* wire : {
           "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",              // bare LF
           "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",              // obs-fold
           "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",                        // whitespace before the colon
           "HTTP/1.1 200 OK\r\nX(y): a\r\n\r\n",                      // not a token
           "HTTP/1.1 200 OK\r\n: a\r\n\r\n",                          // empty name
           "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",                      // no colon
           "HTTP/1.1 200 OK\r\nX: a\x01z\r\n\r\n",                    // a control character
           "HTTP/1.1 200 OK\r\nX: a\rz\r\n\r\n",                      // a lone CR
           "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",         // a list that differs
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n",           // an empty element
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked@x\r\n\r\n",  // not a list of codings
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",  // chunked not last
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
           // Parameters on any coding (Beast reads these to the close; found by the fuzzer).
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: c ; gzip, chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: c ; y = z, chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip;level=1\r\n\r\n",
           "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 600 X\r\n\r\n",
           "HTTP/1.1 099 X\r\n\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/1.1 200\r\n\r\n", "\r\n\r\n",
       }) {
    EXPECT_EQ(Parse(wire).error, Http1ParseError::kMalformed) << wire;
  }
  EXPECT_TRUE(Parse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").done) << "an empty reason";
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc").done) << "a list of equal values";
}

TEST(Http1ResponseParserTest, LongValuesAreCheckedToTheLastByteAndNamesFoldCase) {
  // Values are checked eight bytes at a time: a bad byte anywhere in a long value, at any offset.
  for (std::size_t at = 0; at < 24; ++at) {
    for (char bad : {'\x00', '\x01', '\x1f', '\x7f', '\r', '\n'}) {
      std::string value(24, 'v');
      value[at] = bad;
      const std::string wire = "HTTP/1.1 200 OK\r\nX: " + value + "z\r\nContent-Length: 0\r\n\r\n";
      EXPECT_EQ(Parse(wire).error, Http1ParseError::kMalformed) << "byte " << int(bad) << " at " << at;
    }
    std::string fine(24, 'v');
    fine[at] = at % 2 == 0 ? '\t' : '\xe9';  // HTAB and obs-text are allowed
    const Parsed p = Parse("HTTP/1.1 200 OK\r\nX: a" + fine + "\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(p.done) << at;
    EXPECT_EQ(p.headers[0].second, "a" + fine);
  }
  const Parsed upper = Parse("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\nCoNnEcTiOn: KEEP-ALIVE, CLOSE\r\n\r\nok");
  EXPECT_TRUE(upper.done);
  EXPECT_EQ(upper.body, "ok");
  EXPECT_FALSE(upper.keep_alive);
  // Token characters that fold onto others under a careless case fold are not the same name.
  EXPECT_TRUE(Parse("HTTP/1.1 200 OK\r\nContent^Length: 2\r\n\r\nok", 64, true).body == "ok");
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\n\r\n0\r\n\r\n").done, true);
}

TEST(Http1ResponseParserTest, MalformedChunksAreRefused) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* body : {"x\r\n", "5\nhello\r\n", "5\r\nhelloXX", "5 ;\r\nhello\r\n0\r\n\r\n", "5;\r\nhello\r\n",
                           "5;a=\"open\r\nhello\r\n", "5\t\r\nhello\r\n", "5;a \r\nhello\r\n", "11111111111111111\r\n", "0\r\nbad trailer\r\n\r\n",
                           "0\r\nContent-Length: 5\r\n\r\n", "0\r\nConnection: close\r\n\r\n"}) {
    EXPECT_EQ(Parse(head + body).error, Http1ParseError::kMalformed) << body;
  }
  EXPECT_TRUE(Parse(head + "5 ; a = b\r\nhello\r\n0\r\n\r\n").done) << "BWS around extensions";
}

TEST(Http1ResponseParserTest, EveryPartNeededWholeIsBounded) {
  const Http1ParserLimits limits = SmallLimits();  // 256-byte head, 8 fields, 32-byte chunk line
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\nX: " + std::string(300, 'a'), 7, false, false, limits).error,
            Http1ParseError::kHeadersTooLarge);
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 9; ++i) many += "F" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Parse(many + "\r\n", 5, false, false, limits).error, Http1ParseError::kTooManyHeaders);
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(Parse(chunked + "5;" + std::string(40, 'e'), 3, false, false, limits).error,
            Http1ParseError::kChunkLineTooLong);
  EXPECT_EQ(Parse(chunked + "0\r\nT: " + std::string(300, 't'), 9, false, false, limits).error,
            Http1ParseError::kTrailersTooLarge);
  std::string trailers = chunked + "0\r\n";
  for (int i = 0; i < 9; ++i) trailers += "T" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Parse(trailers + "\r\n", 5, false, false, limits).error, Http1ParseError::kTooManyTrailers);
}

// Where the strict parser accepts, Beast's parser (the one it replaced) reads the same message.
TEST(Http1ResponseParserTest, AgreesWithBeastOnWhatItAccepts) {
  const std::vector<std::string> wires = {
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sun, 06 Dec 2026 20:00:00 GMT\r\nContent-Type: text/plain\r\n"
      "Content-Length: 24\r\nConnection: keep-alive\r\n\r\nhello from the upstream\n",
      "HTTP/1.1 404 Not Found\r\nContent-Length: 2, 2\r\n\r\nno",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX:\t tab \t\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\nto the close",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
      "HTTP/1.1 503 \r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
  };
  for (const std::string& wire : wires) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, wire.size()}) {
      Http1ResponseParser ours({});
      Http1Parser<false> beast({});
      const Parsed a = Feed(ours, wire, piece, true);
      const Parsed b = Feed(beast, wire, piece, true);
      EXPECT_EQ(a.error, Http1ParseError::kNone) << wire;
      EXPECT_EQ(a.error, b.error) << wire;
      EXPECT_EQ(a.done, b.done) << wire;
      EXPECT_EQ(a.status, b.status) << wire;
      EXPECT_EQ(a.keep_alive, b.keep_alive) << wire;
      EXPECT_EQ(a.headers, b.headers) << wire;
      EXPECT_EQ(a.trailers, b.trailers) << wire;
      EXPECT_EQ(a.body, b.body) << wire;
    }
  }
}

}  // namespace
}  // namespace tether::codec
