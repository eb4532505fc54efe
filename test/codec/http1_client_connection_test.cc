#include "src/codec/http1_client_connection.h"

#include <gtest/gtest.h>

#include <string>

#include "test/codec/http1_test_util.h"

namespace tether::codec {
namespace {

using testing::Bytes;
using testing::Feed;
using testing::FeedBytewise;
using testing::Fields;
using testing::RecordingDecoder;
using testing::TakeOutput;

HeaderMap Get(std::string_view path = "/p", std::string_view method = "GET") {
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, method);
  h.Set(PseudoHeader::kScheme, "http");
  h.Set(PseudoHeader::kAuthority, "backend:8080");
  h.Set(PseudoHeader::kPath, path);
  return h;
}

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: 1\r\n\r\nhello";

TEST(Http1ClientConnectionTest, WritesTheRequestHeadExactly) {
  Http1ClientConnection c;
  HeaderMap h = Get("/a?b=1");
  h.Add("X-Foo", "one");
  h.Add("x-foo", "two");
  h.Add("Host", "ignored-when-authority-is-set");
  h.Add("Transfer-Encoding", "gzip");  // the codec frames the body itself
  RecordingDecoder d;
  absl::StatusOr<StreamId> id = c.NewStream(h, true, d);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, 1);
  EXPECT_EQ(TakeOutput(c), "GET /a?b=1 HTTP/1.1\r\nHost: backend:8080\r\nX-Foo: one\r\nx-foo: two\r\n\r\n");
  EXPECT_EQ(c.PeerMaxConcurrentStreams(), 1u);
  EXPECT_EQ(c.ActiveStreams(), 1u);
  EXPECT_FALSE(c.CanOpenStream());
  RecordingDecoder d2;
  EXPECT_FALSE(c.NewStream(Get(), true, d2).ok());
}

TEST(Http1ClientConnectionTest, HostFieldPassesWithoutAuthority) {
  Http1ClientConnection c;
  HeaderMap h;
  h.Set(PseudoHeader::kMethod, "GET");
  h.Set(PseudoHeader::kPath, "/");
  h.Add("host", "a.example");
  RecordingDecoder d;
  ASSERT_TRUE(c.NewStream(h, true, d).ok());
  EXPECT_EQ(TakeOutput(c), "GET / HTTP/1.1\r\nhost: a.example\r\n\r\n");
}

TEST(Http1ClientConnectionTest, RefusesRequestsWithoutMethodOrPath) {
  Http1ClientConnection c;
  RecordingDecoder d;
  HeaderMap h = Get();
  h.Remove(PseudoHeader::kPath);
  EXPECT_FALSE(c.NewStream(h, true, d).ok());
  h = Get();
  h.Remove(PseudoHeader::kMethod);
  EXPECT_FALSE(c.NewStream(h, true, d).ok());
  h = Get();
  h.Add("content-length", "x");
  EXPECT_FALSE(c.NewStream(h, false, d).ok());
  EXPECT_EQ(TakeOutput(c), "");  // nothing half written
  EXPECT_TRUE(c.CanOpenStream());
}

TEST(Http1ClientConnectionTest, ContentLengthBodyGoesRawAndIsHeldToItsLength) {
  Http1ClientConnection c;
  HeaderMap h = Get("/up", "POST");
  h.Add("Content-Length", "5, 5");
  RecordingDecoder d;
  StreamId id = *c.NewStream(h, false, d);
  EXPECT_FALSE(c.EncodeData(id, Bytes("toolong"), false).ok());
  ASSERT_TRUE(c.EncodeData(id, Bytes("hel"), false).ok());
  EXPECT_FALSE(c.EncodeData(id, Bytes("l"), true).ok());  // short of its length
  ASSERT_TRUE(c.EncodeData(id, Bytes("lo"), true).ok());
  EXPECT_EQ(TakeOutput(c), "POST /up HTTP/1.1\r\nHost: backend:8080\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_FALSE(c.EncodeData(id, Bytes("x"), true).ok());
}

TEST(Http1ClientConnectionTest, BodyWithoutLengthGoesChunkedWithTrailers) {
  Http1ClientConnection c;
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get("/up", "POST"), false, d);
  ASSERT_TRUE(c.EncodeData(id, Bytes("hello"), false).ok());
  ASSERT_TRUE(c.EncodeData(id, Bytes(""), false).ok());  // no empty chunk: that would end the body
  ASSERT_TRUE(c.EncodeData(id, Bytes(std::string(26, 'x')), false).ok());
  HeaderMap trailers;
  trailers.Add("grpc-status", "0");
  ASSERT_TRUE(c.EncodeTrailers(id, trailers).ok());
  EXPECT_EQ(TakeOutput(c),
            "POST /up HTTP/1.1\r\nHost: backend:8080\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n1a\r\n" + std::string(26, 'x') + "\r\n0\r\ngrpc-status: 0\r\n\r\n");
}

TEST(Http1ClientConnectionTest, ChunkedBodyEndsWithTheLastChunk) {
  Http1ClientConnection c;
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get("/up", "PUT"), false, d);
  ASSERT_TRUE(c.EncodeData(id, Bytes("ab"), true).ok());
  EXPECT_EQ(TakeOutput(c),
            "PUT /up HTTP/1.1\r\nHost: backend:8080\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n");
}

TEST(Http1ClientConnectionTest, ParsesAResponseAndIsReusable) {
  Http1ClientConnection c;
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get(), true, d);
  TakeOutput(c);
  ASSERT_TRUE(Feed(c, kOk).ok());
  ASSERT_TRUE(d.headers.has_value());
  EXPECT_EQ(d.headers->Status(), 200);
  EXPECT_EQ(Fields(*d.headers), "Content-Length: 5\nX-Up: 1\n");  // names as received
  EXPECT_EQ(d.data, "hello");
  EXPECT_TRUE(d.ended);
  EXPECT_FALSE(d.reset.has_value());
  EXPECT_EQ(c.ActiveStreams(), 0u);
  EXPECT_TRUE(c.CanOpenStream());
  EXPECT_FALSE(c.Finished());
  c.ConsumeData(id, 5);

  RecordingDecoder d2;
  EXPECT_EQ(*c.NewStream(Get("/2"), true, d2), 3);
  EXPECT_EQ(TakeOutput(c), "GET /2 HTTP/1.1\r\nHost: backend:8080\r\n\r\n");
  ASSERT_TRUE(FeedBytewise(c, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").ok());
  EXPECT_EQ(d2.headers->Status(), 404);
  EXPECT_TRUE(d2.ended);
  EXPECT_TRUE(c.CanOpenStream());
}

// The pump trusts a short read as a drain only while the server owes nothing begun: a response in
// progress may end with a FIN the next read alone would show (a close-delimited body).
TEST(Http1ClientConnectionTest, PeerIsQuietOnlyBetweenResponses) {
  Http1ClientConnection c;
  EXPECT_TRUE(c.PeerQuietUntilWritten());  // idle
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  EXPECT_TRUE(c.PeerQuietUntilWritten());  // asked, nothing answered yet
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel").ok());
  EXPECT_FALSE(c.PeerQuietUntilWritten());
  ASSERT_TRUE(Feed(c, "lo").ok());
  ASSERT_TRUE(d.ended);
  EXPECT_TRUE(c.PeerQuietUntilWritten());  // answered whole

  RecordingDecoder close_delimited;
  c.NewStream(Get("/2"), true, close_delimited).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\n\r\nsome").ok());
  EXPECT_FALSE(c.PeerQuietUntilWritten());  // only the FIN ends it

  Http1ClientConnection failed;
  RecordingDecoder d3;
  failed.NewStream(Get(), true, d3).IgnoreError();
  EXPECT_FALSE(Feed(failed, "garbage\r\n\r\n").ok());
  EXPECT_FALSE(failed.PeerQuietUntilWritten());
}

TEST(Http1ClientConnectionTest, ChunkedResponseByteByByteWithTrailers) {
  Http1ClientConnection c;
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(FeedBytewise(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nGrpc-Status: 0\r\nx-b: 2\r\n\r\n")
                  .ok());
  EXPECT_EQ(d.data, "hello world");
  ASSERT_TRUE(d.trailers.has_value());
  EXPECT_EQ(Fields(*d.trailers), "Grpc-Status: 0\nx-b: 2\n");
  EXPECT_TRUE(d.ended);
  EXPECT_EQ(d.events_after_end, 0);
  EXPECT_TRUE(c.CanOpenStream());
}

TEST(Http1ClientConnectionTest, InterimResponsesAreSkipped) {
  Http1ClientConnection c;
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n").ok());
  EXPECT_FALSE(d.headers.has_value());
  ASSERT_TRUE(Feed(c, kOk).ok());
  EXPECT_EQ(d.headers->Status(), 200);
  EXPECT_FALSE(d.headers->Has("link"));
  EXPECT_EQ(d.data, "hello");
}

TEST(Http1ClientConnectionTest, EndlessInterimResponsesAreAProtocolError) {
  Http1Options o;
  o.max_interim_responses = 3;
  Http1ClientConnection c(o);
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n").ok());
  EXPECT_FALSE(Feed(c, "HTTP/1.1 100 Continue\r\n\r\n").ok());
  EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);
  EXPECT_FALSE(c.CanOpenStream());
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ClientConnectionTest, NoBodyForHead204And304) {
  Http1ClientConnection c;
  RecordingDecoder head;
  c.NewStream(Get("/", "HEAD"), true, head).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n").ok());
  EXPECT_TRUE(head.ended);
  EXPECT_EQ(head.headers->Get("content-length"), "5000");
  EXPECT_TRUE(c.CanOpenStream());
  for (std::string_view response : {"HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"}) {
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    ASSERT_TRUE(Feed(c, response).ok()) << response;
    EXPECT_TRUE(d.ended) << response;
    EXPECT_TRUE(d.data.empty());
    EXPECT_TRUE(c.CanOpenStream()) << response;
  }
}

TEST(Http1ClientConnectionTest, CloseDelimitedBodyEndsWithTheTransport) {
  Http1ClientConnection c;
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\n\r\nsome").ok());
  ASSERT_TRUE(Feed(c, " bytes").ok());
  EXPECT_FALSE(d.ended);
  EXPECT_FALSE(c.CanOpenStream());
  c.OnTransportClosed();
  EXPECT_EQ(d.data, "some bytes");
  EXPECT_TRUE(d.ended);
  EXPECT_FALSE(d.reset.has_value());
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ClientConnectionTest, TransportClosedMidResponseResetsTheStream) {
  Http1ClientConnection c;
  RecordingDecoder d;
  c.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").ok());
  c.OnTransportClosed();
  EXPECT_EQ(d.reset, StreamResetReason::kConnectionTermination);
  EXPECT_FALSE(c.CanOpenStream());
}

TEST(Http1ClientConnectionTest, ConnectionCloseAndHttp10EndTheConnection) {
  for (std::string_view response : {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                                    "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
    Http1ClientConnection c;
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    TakeOutput(c);
    ASSERT_TRUE(Feed(c, response).ok());
    EXPECT_TRUE(d.ended);
    EXPECT_FALSE(c.CanOpenStream()) << response;
    EXPECT_TRUE(c.Finished()) << response;
  }
  Http1ClientConnection keep;
  RecordingDecoder d;
  keep.NewStream(Get(), true, d).IgnoreError();
  ASSERT_TRUE(Feed(keep, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").ok());
  EXPECT_TRUE(keep.CanOpenStream());
}

TEST(Http1ClientConnectionTest, RequestConnectionCloseEndsTheConnection) {
  Http1ClientConnection c;
  HeaderMap h = Get();
  h.Add("connection", "close");
  RecordingDecoder d;
  c.NewStream(h, true, d).IgnoreError();
  ASSERT_TRUE(Feed(c, kOk).ok());
  EXPECT_FALSE(c.CanOpenStream());
}

TEST(Http1ClientConnectionTest, EarlyResponseMakesTheConnectionNonReusable) {
  Http1ClientConnection c;
  HeaderMap h = Get("/up", "POST");
  h.Add("content-length", "10");
  RecordingDecoder d;
  StreamId id = *c.NewStream(h, false, d);
  ASSERT_TRUE(Feed(c, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n").ok());
  EXPECT_TRUE(d.ended);
  EXPECT_EQ(c.ActiveStreams(), 1u);  // the request side is still open
  ASSERT_TRUE(c.EncodeData(id, Bytes("0123456789"), true).ok());
  EXPECT_EQ(c.ActiveStreams(), 0u);
  EXPECT_FALSE(c.CanOpenStream());
  TakeOutput(c);
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ClientConnectionTest, MalformedResponsesResetTheStream) {
  for (std::string_view response : {"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
                                    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                                    "garbage\r\n\r\n"}) {
    Http1ClientConnection c;
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    EXPECT_FALSE(Feed(c, response).ok()) << response;
    EXPECT_EQ(d.reset, StreamResetReason::kProtocolError) << response;
    EXPECT_FALSE(c.CanOpenStream());
    EXPECT_TRUE(c.Finished());
    EXPECT_FALSE(c.Dispatch({}).ok());  // the connection is over
  }
}

TEST(Http1ClientConnectionTest, HeadSizeAndFieldCountAreBounded) {
  Http1Options o;
  o.max_header_bytes = 64;
  o.max_headers_count = 3;
  const std::string three = "HTTP/1.1 200 OK\r\na: 1\r\nb: 2\r\nContent-Length: 0\r\n\r\n";
  {
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    ASSERT_TRUE(Feed(c, three).ok());
    EXPECT_TRUE(d.ended);
  }
  {
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    EXPECT_FALSE(Feed(c, "HTTP/1.1 200 OK\r\na: 1\r\nb: 2\r\nc: 3\r\nContent-Length: 0\r\n\r\n").ok());
    EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);
  }
  {
    // An endless field line, fed piecewise: refused once the limit is passed, not when it ends.
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    absl::Status st = Feed(c, "HTTP/1.1 200 OK\r\nX-Long: ");
    for (int i = 0; i < 10 && st.ok(); ++i) st = Feed(c, std::string(16, 'a'));
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);
  }
}

TEST(Http1ClientConnectionTest, ChunkLinesAndTrailersAreBounded) {
  Http1Options o;
  o.max_chunk_line_bytes = 32;
  o.max_headers_count = 2;
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    // An endless extension: refused while it is still coming (the guard's stall check).
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    absl::Status st = Feed(c, head + "5;");
    for (int i = 0; i < 10 && st.ok(); ++i) st = Feed(c, std::string(8, 'a'));
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);
  }
  {
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    EXPECT_FALSE(Feed(c, head + "0\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n").ok());
    EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);
  }
  {
    Http1ClientConnection c(o);
    RecordingDecoder d;
    c.NewStream(Get(), true, d).IgnoreError();
    ASSERT_TRUE(Feed(c, head + "0\r\na: 1\r\nb: 2\r\n\r\n").ok());
    EXPECT_EQ(d.trailers->size(), 2u);
  }
}

TEST(Http1ClientConnectionTest, BytesNobodyAskedForEndTheConnection) {
  Http1ClientConnection c;
  EXPECT_FALSE(Feed(c, "HTTP/1.1 408 Request Timeout\r\n\r\n").ok());
  EXPECT_FALSE(c.CanOpenStream());
  EXPECT_TRUE(c.Finished());

  Http1ClientConnection second;
  RecordingDecoder d;
  second.NewStream(Get(), true, d).IgnoreError();
  EXPECT_FALSE(Feed(second, std::string(kOk) + "HTTP/1.1 200 OK\r\n").ok());
  EXPECT_EQ(d.data, "hello");
  EXPECT_TRUE(d.ended);
  EXPECT_FALSE(second.CanOpenStream());
}

TEST(Http1ClientConnectionTest, InputIsHeldUntilTheDecoderConsumes) {
  Http1Options o;
  o.max_unconsumed_bytes = 8;
  Http1ClientConnection c(o);
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get(), true, d);
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n01234567\r\n4\r\nabcd\r\n0\r\n\r\n").ok());
  EXPECT_EQ(d.data, "01234567");
  EXPECT_TRUE(c.ReadDisabled());
  ASSERT_TRUE(c.Dispatch({}).ok());
  EXPECT_EQ(d.data, "01234567");  // still held
  c.ConsumeData(id, 8);
  EXPECT_FALSE(c.ReadDisabled());
  ASSERT_TRUE(c.Dispatch({}).ok());
  EXPECT_EQ(d.data, "01234567abcd");
  EXPECT_TRUE(d.ended);
  c.ConsumeData(id, 4);
  EXPECT_TRUE(c.CanOpenStream());
}

TEST(Http1ClientConnectionTest, ResetEndsTheConnection) {
  Http1ClientConnection c;
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get("/up", "POST"), false, d);
  c.ResetStream(id, StreamResetReason::kLocalReset);
  EXPECT_EQ(c.ActiveStreams(), 0u);
  EXPECT_FALSE(c.CanOpenStream());
  EXPECT_TRUE(c.Finished());
  EXPECT_FALSE(d.reset.has_value());  // the caller's own reset is not reported back
  EXPECT_FALSE(c.EncodeData(id, Bytes("x"), true).ok());
}

TEST(Http1ClientConnectionTest, SendBufferDrainedOnceTheOutputIsWritten) {
  Http1ClientConnection c;
  RecordingDecoder d;
  StreamId id = *c.NewStream(Get("/up", "POST"), false, d);
  ASSERT_TRUE(c.EncodeData(id, Bytes("abc"), false).ok());
  EXPECT_GT(c.BufferedBytes(id), 0u);
  absl::Span<const uint8_t> out = c.PendingOutput();
  c.ConsumeOutput(out.size());
  EXPECT_EQ(c.BufferedBytes(id), 0u);
  EXPECT_EQ(d.drained, 0);  // raised from PendingOutput, never inside ConsumeOutput
  EXPECT_TRUE(c.PendingOutput().empty());
  EXPECT_EQ(d.drained, 1);
}

TEST(Http1ClientConnectionTest, GoAwayStopsNewStreams) {
  Http1ClientConnection c;
  c.GoAway();
  EXPECT_FALSE(c.CanOpenStream());
  EXPECT_TRUE(c.Finished());
}

// A response's head is raised with its first body byte: a body that breaks the framing before
// any of it arrived leaves no head behind, so the proxy can still answer 502.
TEST(Http1ClientConnectionTest, TheHeadWaitsForTheFirstBodyByte) {
  Http1ClientConnection c;
  RecordingDecoder d;
  ASSERT_TRUE(c.NewStream(Get(), true, d).ok());
  TakeOutput(c);
  ASSERT_TRUE(Feed(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;").ok());
  EXPECT_FALSE(d.headers.has_value());
  EXPECT_FALSE(Feed(c, std::string(8192, 'a')).ok());  // the chunk-size line's limit
  EXPECT_FALSE(d.headers.has_value());
  EXPECT_EQ(d.reset, StreamResetReason::kProtocolError);

  Http1ClientConnection ok;
  RecordingDecoder e;
  ASSERT_TRUE(ok.NewStream(Get(), true, e).ok());
  TakeOutput(ok);
  ASSERT_TRUE(Feed(ok, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").ok());
  EXPECT_FALSE(e.headers.has_value());
  ASSERT_TRUE(Feed(ok, "5\r\nhel").ok());
  ASSERT_TRUE(e.headers.has_value());
  EXPECT_EQ(e.headers->Status(), 200);
  EXPECT_EQ(e.data, "hel");
}

}  // namespace
}  // namespace tether::codec
