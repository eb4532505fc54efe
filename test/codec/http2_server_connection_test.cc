// The server codec against hand-built frames: what a well-behaved client never sends.
#include "src/codec/http2_server_connection.h"

#include <gtest/gtest.h>

#include "test/codec/http2_test_util.h"

namespace tether::codec {
namespace {

using namespace tether::codec::testing;

class Http2ServerConnectionTest : public ::testing::Test {
 protected:
  void Start(const Http2Options& options = {}) {
    server_ = StartRawServer(side_, options);
    ASSERT_NE(server_, nullptr);
  }

  // Sends bytes, returns the frames the server answers with.
  std::vector<ParsedFrame> Send(const std::string& bytes, absl::Status* status = nullptr) {
    return SendFrames(*server_, bytes, status);
  }

  std::string Headers(uint32_t stream, const std::vector<std::pair<std::string, std::string>>& fields,
                      bool end_stream = true) {
    return HeadersFrame(stream, fields, end_stream);
  }

  // Sends bytes that must end the connection with GOAWAY ENHANCE_YOUR_CALM; returns Dispatch's status.
  absl::Status ExpectCalmGoAway(const std::string& bytes) {
    absl::Status status;
    auto frames = Send(bytes, &status);
    EXPECT_FALSE(status.ok());
    const ParsedFrame* goaway = FindFrame(frames, kGoAway, 0);
    EXPECT_NE(goaway, nullptr);
    if (goaway != nullptr) {
      EXPECT_EQ(goaway->ErrorCode(), static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
    }
    return status;
  }

  ServerSide side_;
  std::unique_ptr<Http2ServerConnection> server_;
};

TEST_F(Http2ServerConnectionTest, AValidRequestReachesTheCallbacks) {
  Start();
  auto frames = Send(Headers(1, GetFields("/ok")));
  ASSERT_EQ(side_.streams.count(1), 1u);
  EXPECT_EQ(side_.streams[1]->headers->Get(PseudoHeader::kPath), "/ok");
  EXPECT_TRUE(side_.streams[1]->ended);
  EXPECT_EQ(FindFrame(frames, kRstStream, 1), nullptr);
}

struct BadField {
  std::string_view name;
  std::string_view value;
};

class InvalidRequestHeaderTest : public Http2ServerConnectionTest, public ::testing::WithParamInterface<BadField> {};

// RFC 9113 §8.2: a malformed request is a stream error (RST_STREAM PROTOCOL_ERROR), never reaches
// the callbacks, and the connection carries on.
TEST_P(InvalidRequestHeaderTest, ResetsTheStreamNotTheConnection) {
  Start();
  auto fields = GetFields();
  fields.emplace_back(std::string(GetParam().name), std::string(GetParam().value));
  absl::Status status;
  auto frames = Send(Headers(1, fields), &status);
  EXPECT_TRUE(status.ok()) << status;
  const ParsedFrame* rst = FindFrame(frames, kRstStream, 1);
  ASSERT_NE(rst, nullptr) << GetParam().name;
  EXPECT_EQ(rst->ErrorCode(), static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_EQ(FindFrame(frames, kGoAway, 0), nullptr);
  EXPECT_EQ(side_.streams.count(1), 0u);
  EXPECT_EQ(server_->ActiveStreams(), 0u);

  // The next request on the same connection works.
  frames = Send(Headers(3, GetFields("/next")), &status);
  EXPECT_TRUE(status.ok()) << status;
  ASSERT_EQ(side_.streams.count(3), 1u);
  EXPECT_EQ(side_.streams[3]->headers->Get(PseudoHeader::kPath), "/next");
}

INSTANTIATE_TEST_SUITE_P(Rfc9113, InvalidRequestHeaderTest,
                         ::testing::Values(BadField{"X-Upper", "v"}, BadField{"connection", "keep-alive"},
                                           BadField{"keep-alive", "5"}, BadField{"proxy-connection", "x"},
                                           BadField{"transfer-encoding", "chunked"}, BadField{"upgrade", "h2c"},
                                           BadField{"te", "gzip"}, BadField{"bad name", "v"},
                                           BadField{"x-nul", std::string_view("a\0b", 3)},
                                           BadField{"x-crlf", "a\r\nb"}, BadField{":unknown", "v"}));

TEST_F(Http2ServerConnectionTest, MissingPseudoHeaderIsMalformed) {
  Start();
  auto frames = Send(Headers(1, {{":method", "GET"}, {":scheme", "http"}}));
  const ParsedFrame* rst = FindFrame(frames, kRstStream, 1);
  ASSERT_NE(rst, nullptr);
  EXPECT_EQ(rst->ErrorCode(), static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_TRUE(side_.streams.empty());
}

TEST_F(Http2ServerConnectionTest, StreamsBeyondMaxConcurrentStreamsAreRefused) {
  Http2Options options;
  options.max_concurrent_streams = 2;
  Start(options);
  auto frames = Send(Headers(1, GetFields(), false) + Headers(3, GetFields(), false) + Headers(5, GetFields(), false));
  EXPECT_EQ(side_.streams.size(), 2u);
  EXPECT_EQ(server_->ActiveStreams(), 2u);  // the refused one left nothing behind
  const ParsedFrame* rst = FindFrame(frames, kRstStream, 5);
  ASSERT_NE(rst, nullptr);
  EXPECT_EQ(rst->ErrorCode(), static_cast<uint32_t>(NGHTTP2_REFUSED_STREAM));
  EXPECT_EQ(FindFrame(frames, kGoAway, 0), nullptr);
}

TEST_F(Http2ServerConnectionTest, PingFloodFromAPeerThatDoesNotReadIsBounded) {
  Http2Options options;
  Start(options);
  std::string pings;
  for (int i = 0; i < 20000; ++i) pings += Frame(kPing, 0, 0, "12345678");
  absl::Status status = server_->Dispatch(Bytes(pings));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  // Nothing more is produced for it, and the connection is over.
  EXPECT_LE(server_->PendingOutput().size(), options.max_output_bytes);
  EXPECT_TRUE(server_->Finished());
}

TEST_F(Http2ServerConnectionTest, PingsFromAPeerThatReadsAreAnswered) {
  Start();
  for (int round = 0; round < 20; ++round) {
    std::string pings;
    for (int i = 0; i < 100; ++i) pings += Frame(kPing, 0, 0, "abcdefgh");
    absl::Status status;
    auto frames = Send(pings, &status);
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(frames.size(), 100u);
  }
}

TEST_F(Http2ServerConnectionTest, EmptyDataFloodGetsGoAway) {
  Start();
  std::string bytes = Headers(1, GetFields(), false);
  for (int i = 0; i < 3; ++i) bytes += Frame(kData, 0, 1, "");
  absl::Status status = ExpectCalmGoAway(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_EQ(side_.streams[1]->reset, StreamResetReason::kConnectionTermination);
}

TEST_F(Http2ServerConnectionTest, ContinuationFloodGetsGoAway) {
  Start();
  std::string bytes = Frame(kHeaders, 0, 1, HpackBlock(GetFields()));
  for (int i = 0; i < 50; ++i) bytes += Frame(kContinuation, 0, 1, HpackLiteral("x-c" + std::to_string(i), "v"));
  absl::Status status = ExpectCalmGoAway(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_TRUE(side_.streams.empty());
}

TEST_F(Http2ServerConnectionTest, TooManySettingsEntriesGetGoAway) {
  Start();
  std::string entries;
  for (int i = 0; i < 40; ++i) {
    entries += '\0';
    entries += '\x04';  // SETTINGS_INITIAL_WINDOW_SIZE
    Put32(entries, 65535);
  }
  absl::Status status = ExpectCalmGoAway(Frame(kSettings, 0, 0, entries));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
}

// RFC 9113 §5.3.2: RFC 7540 priorities are deprecated; with SETTINGS_NO_RFC7540_PRIORITIES sent,
// PRIORITY frames are skipped unprocessed, whatever their number, and create no streams.
TEST_F(Http2ServerConnectionTest, PriorityFramesAreIgnored) {
  Start();
  std::string bytes;
  std::string priority;
  Put32(priority, 0);
  priority += '\x10';
  for (uint32_t i = 0; i < 20000; ++i) bytes += Frame(kPriority, 0, 1 + 2 * i, priority);
  absl::Status status;
  auto frames = Send(bytes + Headers(40001, GetFields("/after")), &status);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(side_.streams.size(), 1u);
  EXPECT_EQ(server_->ActiveStreams(), 1u);
}

TEST_F(Http2ServerConnectionTest, RapidResetFromRawFramesGetsEnhanceYourCalm) {
  Http2Options options;  // the default volume: 500 streams
  Start(options);
  std::string bytes;
  std::string cancel;
  Put32(cancel, NGHTTP2_CANCEL);
  for (uint32_t i = 0; i < 2000; ++i) {
    uint32_t id = 1 + 2 * i;
    bytes += Headers(id, GetFields(), false) + Frame(kRstStream, 0, id, cancel);
  }
  absl::Status status = ExpectCalmGoAway(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  // It stopped at the threshold: later streams were not handed to the callbacks.
  EXPECT_EQ(server_->premature_resets(), 500u);
  EXPECT_EQ(side_.streams.size(), 500u);
}

TEST_F(Http2ServerConnectionTest, NotAnHttp2PrefaceIsAnError) {
  auto s = Http2ServerConnection::Create(side_, {});
  ASSERT_TRUE(s.ok());
  absl::Status status = (*s)->Dispatch(Bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST_F(Http2ServerConnectionTest, ResponseEncodingChecksItsHeaders) {
  Start();
  Send(Headers(1, GetFields(), true));
  HeaderMap no_status;
  EXPECT_FALSE(server_->EncodeHeaders(1, no_status, true).ok());
  EXPECT_FALSE(server_->EncodeHeaders(99, Response(), true).ok());  // no such stream
  HeaderMap interim = Response(100);
  EXPECT_TRUE(server_->EncodeHeaders(1, interim, false).ok());
  EXPECT_TRUE(server_->EncodeHeaders(1, Response(200), true).ok());
  EXPECT_FALSE(server_->EncodeData(1, Bytes("late"), true).ok());  // already ended
  auto frames = ParseFrames(TakeOutput(*server_));
  int headers = 0;
  for (const auto& f : frames) headers += f.type == kHeaders && f.stream == 1;
  EXPECT_EQ(headers, 2);  // 100, then 200
}

}  // namespace
}  // namespace tether::codec
