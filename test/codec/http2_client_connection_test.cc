// The client codec against hand-built server frames.
#include "src/codec/http2_client_connection.h"

#include <gtest/gtest.h>

#include "test/codec/http2_test_util.h"

namespace tether::codec {
namespace {

using namespace tether::codec::testing;

class Http2ClientConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Http2ClientConnection::Create(side_, Http2Options{});
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::move(*c);
    std::string preface = TakeOutput(*client_);
    ASSERT_EQ(preface.rfind("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0), 0u);
    ASSERT_TRUE(client_->Dispatch(Bytes(Frame(kSettings, 0, 0, "") + Frame(kSettings, kAck, 0, ""))).ok());
    TakeOutput(*client_);
  }

  StreamId Open(RecordingDecoder& decoder) {
    auto id = client_->NewStream(Request("GET", "/"), true, decoder);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }

  std::vector<ParsedFrame> Receive(const std::string& bytes, absl::Status* status = nullptr) {
    absl::Status st = client_->Dispatch(Bytes(bytes));
    if (status != nullptr) *status = st;
    return ParseFrames(TakeOutput(*client_));
  }

  static std::string GoAway(uint32_t last_stream, uint32_t code) {
    std::string payload;
    Put32(payload, last_stream);
    Put32(payload, code);
    return Frame(kGoAway, 0, 0, payload);
  }

  ClientSide side_;
  std::unique_ptr<Http2ClientConnection> client_;
};

TEST_F(Http2ClientConnectionTest, GoAwayStopsNewStreamsAndRefusesThoseBeyondIt) {
  RecordingDecoder first, second;
  StreamId a = Open(first);
  StreamId b = Open(second);
  TakeOutput(*client_);  // both requests are out
  absl::Status status;
  Receive(GoAway(static_cast<uint32_t>(a), 0), &status);
  EXPECT_TRUE(status.ok()) << status;
  ASSERT_TRUE(side_.goaway);
  EXPECT_EQ(side_.goaway->first, a);
  EXPECT_FALSE(client_->CanOpenStream());
  RecordingDecoder third;
  auto refused = client_->NewStream(Request(), true, third);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  // The stream above last_stream was never processed: safe to retry elsewhere.
  EXPECT_EQ(second.reset, StreamResetReason::kRemoteRefusedStream);
  EXPECT_FALSE(first.reset);
  // The one below it still gets its response.
  Receive(Frame(kHeaders, kEndHeaders | kEndStream, static_cast<uint32_t>(a), HpackLiteral(":status", "204")));
  ASSERT_TRUE(first.headers);
  EXPECT_EQ(first.headers->Status(), 204);
  EXPECT_TRUE(client_->Finished());
  (void)b;
}

TEST_F(Http2ClientConnectionTest, InvalidResponseHeaderResetsTheStream) {
  RecordingDecoder response;
  StreamId id = Open(response);
  TakeOutput(*client_);
  std::string block = HpackLiteral(":status", "200") + HpackLiteral("Bad-Upper", "x");
  absl::Status status;
  auto frames = Receive(Frame(kHeaders, kEndHeaders | kEndStream, static_cast<uint32_t>(id), block), &status);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(response.reset, StreamResetReason::kProtocolError);
  EXPECT_FALSE(response.headers);
  const ParsedFrame* rst = FindFrame(frames, kRstStream, static_cast<uint32_t>(id));
  ASSERT_NE(rst, nullptr);
  EXPECT_EQ(rst->ErrorCode(), static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_TRUE(client_->CanOpenStream());  // the connection is fine
}

TEST_F(Http2ClientConnectionTest, InterimResponsesAreSkipped) {
  RecordingDecoder response;
  StreamId id = Open(response);
  TakeOutput(*client_);
  auto sid = static_cast<uint32_t>(id);
  Receive(Frame(kHeaders, kEndHeaders, sid, HpackLiteral(":status", "100")) +
          Frame(kHeaders, kEndHeaders, sid, HpackLiteral(":status", "200") + HpackLiteral("x-final", "1")) +
          Frame(kData, kEndStream, sid, "body"));
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.headers->Get("x-final"), "1");
  EXPECT_EQ(response.data, "body");
  EXPECT_TRUE(response.ended);
  EXPECT_EQ(response.events_after_end, 0);
}

TEST_F(Http2ClientConnectionTest, ServerResetIsReported) {
  RecordingDecoder refused, cancelled;
  StreamId a = Open(refused);
  StreamId b = Open(cancelled);
  TakeOutput(*client_);
  std::string refused_code, cancel_code;
  Put32(refused_code, NGHTTP2_REFUSED_STREAM);
  Put32(cancel_code, NGHTTP2_CANCEL);
  Receive(Frame(kRstStream, 0, static_cast<uint32_t>(a), refused_code) +
          Frame(kRstStream, 0, static_cast<uint32_t>(b), cancel_code));
  EXPECT_EQ(refused.reset, StreamResetReason::kRemoteRefusedStream);
  EXPECT_EQ(cancelled.reset, StreamResetReason::kRemoteReset);
  EXPECT_EQ(client_->ActiveStreams(), 0u);
}

TEST_F(Http2ClientConnectionTest, ConnectionErrorFailsEveryStream) {
  RecordingDecoder response;
  Open(response);
  TakeOutput(*client_);
  absl::Status status;
  // DATA on stream 0 is a connection error (RFC 9113 §6.1).
  auto frames = Receive(Frame(kData, 0, 0, "x"), &status);
  EXPECT_FALSE(status.ok());
  const ParsedFrame* goaway = FindFrame(frames, kGoAway, 0);
  ASSERT_NE(goaway, nullptr);
  EXPECT_EQ(goaway->ErrorCode(), static_cast<uint32_t>(NGHTTP2_PROTOCOL_ERROR));
  EXPECT_EQ(response.reset, StreamResetReason::kConnectionTermination);
  EXPECT_FALSE(client_->CanOpenStream());
}

}  // namespace
}  // namespace tether::codec
