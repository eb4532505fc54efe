#include "src/codec/http1_server_connection.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "test/codec/http1_test_util.h"

namespace tether::codec {
namespace {

using testing::Bytes;
using testing::Feed;
using testing::FeedBytewise;
using testing::Fields;
using testing::RecordingDecoder;
using testing::TakeOutput;

// Records streams, request beginnings and refusals; `on_headers` may answer from inside OnHeaders.
struct Server : ServerCallbacks {
  struct Decoder : RecordingDecoder {
    std::function<void()> on_headers;
    void OnHeaders(HeaderMap&& h, bool end_stream) override {
      RecordingDecoder::OnHeaders(std::move(h), end_stream);
      if (on_headers) on_headers();
    }
  };
  std::vector<std::unique_ptr<Decoder>> streams;
  std::vector<StreamId> ids;
  std::vector<RequestError> errors;
  std::vector<std::string> error_reasons;
  int begun = 0;
  std::function<void(StreamId)> on_headers;

  StreamDecoder& OnNewStream(StreamId id) override {
    ids.push_back(id);
    streams.push_back(std::make_unique<Decoder>());
    if (on_headers) streams.back()->on_headers = [this, id] { on_headers(id); };
    return *streams.back();
  }
  void OnRequestBegin() override { ++begun; }
  void OnRequestError(const RequestError& e, HeaderMap& response_headers) override {
    errors.push_back(e);
    error_reasons.emplace_back(e.reason);
    for (const HeaderMap::Entry& h : error_headers) response_headers.Add(h.name, h.value);
  }
  HeaderMap error_headers;  // what OnRequestError adds to the error response
  Decoder& last() { return *streams.back(); }
};

HeaderMap Status(int status) {
  HeaderMap h;
  h.SetStatus(status);
  return h;
}

std::string ErrorResponse(std::string_view status_line, std::string_view body) {
  return std::string(status_line) + "\r\nServer: tether\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
}

TEST(Http1ServerConnectionTest, RequestHeadBecomesPseudoHeadersAndFields) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "\r\nGET /p?q=1 HTTP/1.1\r\nHost: a.example\r\nX-Case: One\r\nx-case: two\r\n\r\n").ok());
  EXPECT_EQ(s.begun, 1);
  ASSERT_EQ(s.ids, std::vector<StreamId>{1});
  const HeaderMap& h = *s.last().headers;
  EXPECT_EQ(h.Get(PseudoHeader::kMethod), "GET");
  EXPECT_EQ(h.Get(PseudoHeader::kScheme), "http");
  EXPECT_EQ(h.Get(PseudoHeader::kAuthority), "a.example");
  EXPECT_EQ(h.Get(PseudoHeader::kPath), "/p?q=1");
  EXPECT_EQ(Fields(h), "X-Case: One\nx-case: two\n");  // Host became :authority; case kept
  EXPECT_TRUE(s.last().ended);
  EXPECT_EQ(c.ActiveStreams(), 1u);
}

TEST(Http1ServerConnectionTest, AbsoluteFormTargetGivesAuthorityAndOriginFormPath) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET http://b.example:8080/x?y HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_EQ(s.last().headers->Get(PseudoHeader::kAuthority), "b.example:8080");
  EXPECT_EQ(s.last().headers->Get(PseudoHeader::kPath), "/x?y");
  EXPECT_FALSE(s.last().headers->Has("host"));

  Server s2;
  Http1ServerConnection c2(s2);
  ASSERT_TRUE(Feed(c2, "GET http://b.example?z HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_EQ(s2.last().headers->Get(PseudoHeader::kPath), "/?z");
}

TEST(Http1ServerConnectionTest, ResponseWithLengthAndKeepAlive) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  HeaderMap r = Status(200);
  r.Add("content-length", "5");
  r.Add("X-Up", "1");
  r.Add("transfer-encoding", "chunked");  // framing is the codec's
  ASSERT_TRUE(c.EncodeHeaders(1, r, false).ok());
  ASSERT_TRUE(c.EncodeData(1, Bytes("hello"), true).ok());
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nX-Up: 1\r\n\r\nhello");
  EXPECT_EQ(c.ActiveStreams(), 0u);
  EXPECT_FALSE(c.Finished());
  ASSERT_TRUE(Feed(c, "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_EQ(s.ids, (std::vector<StreamId>{1, 3}));
  EXPECT_EQ(s.begun, 2);
}

TEST(Http1ServerConnectionTest, ResponseWithoutLengthIsChunkedWithTrailers) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").ok());
  ASSERT_TRUE(c.EncodeHeaders(1, Status(200), false).ok());
  ASSERT_TRUE(c.EncodeData(1, Bytes("abc"), false).ok());
  HeaderMap t;
  t.Add("grpc-status", "0");
  ASSERT_TRUE(c.EncodeTrailers(1, t).ok());
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\ngrpc-status: 0\r\n\r\n");
  EXPECT_FALSE(c.Finished());
}

TEST(Http1ServerConnectionTest, TrailersGoOnlyWithAChunkedResponse) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  HeaderMap r = Status(200);
  r.Add("content-length", "2");
  ASSERT_TRUE(c.EncodeHeaders(1, r, false).ok());
  ASSERT_TRUE(c.EncodeData(1, Bytes("ok"), false).ok());
  HeaderMap t;
  t.Add("grpc-status", "0");
  ASSERT_TRUE(c.EncodeTrailers(1, t).ok());
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  EXPECT_EQ(c.ActiveStreams(), 0u);
}

TEST(Http1ServerConnectionTest, FramingForResponsesEndingWithTheirHead) {
  struct Case {
    std::string request;
    int status;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
      {"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", 200, "HTTP/1.1 200 OK\r\n\r\n"},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 204, "HTTP/1.1 204 No Content\r\n\r\n"},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 304, "HTTP/1.1 304 Not Modified\r\n\r\n"},
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 299, "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n"},
  };
  for (const Case& k : cases) {
    Server s;
    Http1ServerConnection c(s);
    ASSERT_TRUE(Feed(c, k.request).ok());
    ASSERT_TRUE(c.EncodeHeaders(1, Status(k.status), true).ok());
    EXPECT_EQ(TakeOutput(c), k.expected) << k.request << k.status;
  }
}

TEST(Http1ServerConnectionTest, HeadResponseKeepsItsLengthAndDropsBody) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "HEAD /bytes HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  HeaderMap r = Status(200);
  r.Add("content-length", "5000");
  ASSERT_TRUE(c.EncodeHeaders(1, r, false).ok());
  ASSERT_TRUE(c.EncodeData(1, Bytes("ignored"), true).ok());
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n");
  EXPECT_EQ(c.ActiveStreams(), 0u);
}

TEST(Http1ServerConnectionTest, Http10ClientsGetCloseDelimitedOrKeepAlive) {
  {
    Server s;
    Http1ServerConnection c(s);
    ASSERT_TRUE(Feed(c, "GET / HTTP/1.0\r\n\r\n").ok());
    EXPECT_FALSE(s.last().headers->Has(PseudoHeader::kAuthority));
    ASSERT_TRUE(c.EncodeHeaders(1, Status(200), false).ok());
    ASSERT_TRUE(c.EncodeData(1, Bytes("body"), true).ok());
    EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody");
    EXPECT_TRUE(c.Finished());
  }
  {
    Server s;
    Http1ServerConnection c(s);
    ASSERT_TRUE(Feed(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
    HeaderMap r = Status(200);
    r.Add("Content-Length", "2");
    ASSERT_TRUE(c.EncodeHeaders(1, r, false).ok());
    ASSERT_TRUE(c.EncodeData(1, Bytes("ok"), true).ok());
    EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
    EXPECT_FALSE(c.Finished());
  }
}

TEST(Http1ServerConnectionTest, ConnectionCloseFromTheRequestTheCallerOrADrain) {
  for (int which = 0; which < 3; ++which) {
    Server s;
    Http1ServerConnection c(s);
    const std::string extra = which == 0 ? "Connection: close\r\n" : "";
    ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n" + extra + "\r\n").ok());
    HeaderMap r = Status(200);
    if (which == 1) r.Add("connection", "close");
    if (which == 2) c.GoAway();
    ASSERT_TRUE(c.EncodeHeaders(1, r, true).ok());
    EXPECT_EQ(TakeOutput(c), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") << which;
    EXPECT_TRUE(c.Finished()) << which;
    ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    EXPECT_EQ(s.ids.size(), 1u) << which;  // nothing more is read
  }
}

TEST(Http1ServerConnectionTest, PipelinedRequestWaitsForTheResponse) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_EQ(s.ids, std::vector<StreamId>{1});
  EXPECT_TRUE(c.ReadDisabled());
  ASSERT_TRUE(c.EncodeHeaders(1, Status(200), true).ok());
  EXPECT_FALSE(c.ReadDisabled());
  EXPECT_EQ(s.ids, std::vector<StreamId>{1});  // never from inside an encode call
  ASSERT_TRUE(c.Dispatch({}).ok());
  EXPECT_EQ(s.ids, (std::vector<StreamId>{1, 3}));
  EXPECT_EQ(s.last().headers->Get(PseudoHeader::kPath), "/2");
}

TEST(Http1ServerConnectionTest, OneContentLengthGoesOn) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello").ok());
  EXPECT_EQ(s.last().headers->GetAll("content-length"), std::vector<std::string_view>{"5"});
  EXPECT_EQ(s.last().data, "hello");
  EXPECT_TRUE(s.last().ended);
}

TEST(Http1ServerConnectionTest, ChunkedRequestBodyByteByByteWithTrailers) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(FeedBytewise(c, "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nT1: a\r\nt2: b\r\n\r\n")
                  .ok());
  ASSERT_EQ(s.ids.size(), 1u);
  EXPECT_FALSE(s.last().headers->Has("content-length"));
  EXPECT_EQ(s.last().data, "hello!");
  ASSERT_TRUE(s.last().trailers.has_value());
  EXPECT_EQ(Fields(*s.last().trailers), "T1: a\nt2: b\n");
  EXPECT_EQ(s.last().events_after_end, 0);
}

struct BadHead {
  std::string request;
  std::string status_line;
  std::string reason;
  RequestError::Kind kind;
};

TEST(Http1ServerConnectionTest, BadHeadsAreRefusedWithTodaysBytes) {
  Http1Options o;
  o.max_header_bytes = 128;
  o.max_headers_count = 3;
  const std::vector<BadHead> cases = {
      {"GET / HTTP/1.1\r\nX: y\r\n\r\n", "HTTP/1.1 400 Bad Request", "missing Host header", RequestError::Kind::kMalformed},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 400 Bad Request",
       "both Content-Length and Transfer-Encoding", RequestError::Kind::kMalformed},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", "HTTP/1.1 400 Bad Request", "bare CR", RequestError::Kind::kMalformed},
      {"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", "HTTP/1.1 431 Request Header Fields Too Large",
       "too many headers", RequestError::Kind::kTooManyHeaders},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(120, 'a') + "\r\n\r\n",
       "HTTP/1.1 431 Request Header Fields Too Large", "request headers too large", RequestError::Kind::kHeadersTooLarge},
  };
  for (const BadHead& k : cases) {
    Server s;
    Http1ServerConnection c(s, o);
    ASSERT_TRUE(Feed(c, k.request).ok());
    EXPECT_TRUE(s.ids.empty()) << k.request;  // never a stream
    ASSERT_EQ(s.errors.size(), 1u) << k.request;
    EXPECT_EQ(s.errors[0].kind, k.kind) << k.request;
    EXPECT_EQ(s.error_reasons[0], k.reason);
    EXPECT_EQ(TakeOutput(c), ErrorResponse(k.status_line, k.reason + "\n")) << k.request;
    EXPECT_TRUE(c.Finished());
  }
}

TEST(Http1ServerConnectionTest, EndlessHeadIsRefusedAtTheLimit) {
  Http1Options o;
  o.max_header_bytes = 256;
  Server s;
  Http1ServerConnection c(s, o);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nX: ").ok());
  for (int i = 0; i < 20 && s.errors.empty(); ++i) ASSERT_TRUE(Feed(c, std::string(32, 'a')).ok());
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].http_status, 431u);
  EXPECT_EQ(TakeOutput(c), ErrorResponse("HTTP/1.1 431 Request Header Fields Too Large", "request headers too large\n"));
}

TEST(Http1ServerConnectionTest, BadChunkedBodiesResetTheStreamAndAnswer400) {
  struct Case {
    std::string body;
    std::string reason;
    RequestError::Kind kind;
  };
  Http1Options o;
  o.max_chunk_line_bytes = 32;
  o.max_headers_count = 3;
  const std::vector<Case> cases = {
      {"5;" + std::string(64, 'a'), "chunk-size line too long", RequestError::Kind::kChunkLineTooLong},
      {"zz\r\nhello\r\n", "malformed request body", RequestError::Kind::kMalformed},
      {"0\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n", "too many request trailers", RequestError::Kind::kTooManyHeaders},
  };
  for (const Case& k : cases) {
    Server s;
    Http1ServerConnection c(s, o);
    ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + k.body).ok());
    ASSERT_EQ(s.ids.size(), 1u);
    EXPECT_EQ(s.last().reset, StreamResetReason::kProtocolError) << k.body;
    ASSERT_EQ(s.errors.size(), 1u);
    EXPECT_EQ(s.errors[0].kind, k.kind) << k.body;
    EXPECT_EQ(TakeOutput(c), ErrorResponse("HTTP/1.1 400 Bad Request", k.reason + "\n"));
    EXPECT_TRUE(c.Finished());
  }
}

TEST(Http1ServerConnectionTest, ExpectContinueIsAnsweredWhenTheBodyIsWanted) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n").ok());
  EXPECT_FALSE(s.last().headers->Has("expect"));
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(Feed(c, "hello").ok());
  EXPECT_EQ(s.last().data, "hello");
  // A caller relaying an upstream's own 100 does not send a second one.
  ASSERT_TRUE(c.EncodeHeaders(1, Status(100), false).ok());
  EXPECT_EQ(TakeOutput(c), "");
}

TEST(Http1ServerConnectionTest, ExpectContinueNotSentWhenAnsweredAtOnce) {
  Server s;
  Http1ServerConnection c(s);
  s.on_headers = [&](StreamId id) {
    HeaderMap r = Status(404);
    ASSERT_TRUE(c.EncodeHeaders(id, r, true).ok());
  };
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n").ok());
  // The unread body would be taken for a request: the connection closes.
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ServerConnectionTest, RejectPendingRequestAnswersAndFinishes) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n").ok());
  EXPECT_EQ(s.begun, 1);
  c.RejectPendingRequest(408, "request headers timeout\n", {});
  EXPECT_EQ(TakeOutput(c), ErrorResponse("HTTP/1.1 408 Request Timeout", "request headers timeout\n"));
  EXPECT_TRUE(c.Finished());
  EXPECT_TRUE(s.ids.empty());
}

// The listener's route table adds its response_headers_to_add to the codec's own refusals too.
TEST(Http1ServerConnectionTest, RefusalsCarryTheCallersExtraHeaders) {
  Server s;
  s.error_headers.Add("x-mesh", "tether");
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nX: y\r\n\r\n").ok());
  const std::string refused = TakeOutput(c);
  EXPECT_NE(refused.find("\r\nx-mesh: tether\r\n"), std::string::npos) << refused;
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 400 Bad Request\r\n")) << refused;

  Http1ServerConnection pending(s);
  ASSERT_TRUE(Feed(pending, "GET / HTTP/1.1\r\n").ok());
  HeaderMap extra;
  extra.Add("x-mesh", "tether");
  pending.RejectPendingRequest(408, "request headers timeout\n", extra);
  const std::string timed_out = TakeOutput(pending);
  EXPECT_NE(timed_out.find("\r\nx-mesh: tether\r\n"), std::string::npos) << timed_out;
}

TEST(Http1ServerConnectionTest, SaysWhetherTheRequestIsHttp10) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.0\r\n\r\n").ok());
  EXPECT_TRUE(c.http10());
  Http1ServerConnection d(s);
  ASSERT_TRUE(Feed(d, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  EXPECT_FALSE(d.http10());
}

TEST(Http1ServerConnectionTest, ResponseBeforeTheBodyEndsClosesTheConnection) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc").ok());
  HeaderMap r = Status(413);
  r.Add("content-length", "0");
  ASSERT_TRUE(c.EncodeHeaders(1, r, true).ok());
  EXPECT_EQ(TakeOutput(c), "HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ServerConnectionTest, BodyIsHeldUntilConsumed) {
  Http1Options o;
  o.max_unconsumed_bytes = 4;
  Server s;
  Http1ServerConnection c(s, o);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n").ok());
  EXPECT_EQ(s.last().data, "abcd");
  EXPECT_TRUE(c.ReadDisabled());
  c.ConsumeData(1, 4);
  EXPECT_FALSE(c.ReadDisabled());
  ASSERT_TRUE(c.Dispatch({}).ok());
  EXPECT_EQ(s.last().data, "abcdef");
  EXPECT_TRUE(s.last().ended);
}

TEST(Http1ServerConnectionTest, TransportClosedMidRequestResetsTheStream) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc").ok());
  c.OnTransportClosed();
  EXPECT_EQ(s.last().reset, StreamResetReason::kConnectionTermination);
  EXPECT_TRUE(c.Finished());
}

TEST(Http1ServerConnectionTest, ResetMidResponseEndsTheConnection) {
  Server s;
  Http1ServerConnection c(s);
  ASSERT_TRUE(Feed(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(c.EncodeHeaders(1, Status(200), false).ok());
  ASSERT_TRUE(c.EncodeData(1, Bytes("hello"), false).ok());
  c.ResetStream(1, StreamResetReason::kRemoteReset);
  EXPECT_EQ(c.ActiveStreams(), 0u);
  // Finished at once; what was encoded still goes out, a chunked body without its last chunk.
  EXPECT_TRUE(c.Finished());
  EXPECT_FALSE(c.EncodeData(1, Bytes("x"), true).ok());
  const std::string out = TakeOutput(c);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(out.ends_with("5\r\nhello\r\n")) << out;
}

// One read never hands a streaming body more than the receive bound allows.
TEST(Http1ServerConnectionTest, ReadLimitIsWhatTheReceiveBoundStillAllows) {
  Http1Options o;
  o.max_unconsumed_bytes = 8;
  Server s;
  Http1ServerConnection c(s, o);
  EXPECT_EQ(c.ReadLimit(), SIZE_MAX);  // a head is read whole
  ASSERT_TRUE(Feed(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\nabc").ok());
  EXPECT_EQ(c.ReadLimit(), 5u);
  ASSERT_TRUE(Feed(c, "defgh").ok());
  EXPECT_TRUE(c.ReadDisabled());
  c.ConsumeData(1, 8);
  EXPECT_EQ(c.ReadLimit(), 8u);
}

}  // namespace
}  // namespace tether::codec
