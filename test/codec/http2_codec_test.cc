// A client codec and a server codec fed each other's bytes in-process.
#include <gtest/gtest.h>

#include "src/codec/http2_client_connection.h"
#include "src/codec/http2_server_connection.h"
#include "test/codec/http2_test_util.h"

namespace tether::codec {
namespace {

using namespace tether::codec::testing;

class Http2CodecTest : public ::testing::Test {
 protected:
  void Start(const Http2Options& server_options = {}, const Http2Options& client_options = {}) {
    auto s = Http2ServerConnection::Create(server_side_, server_options);
    auto c = Http2ClientConnection::Create(client_side_, client_options);
    ASSERT_TRUE(s.ok() && c.ok());
    server_ = std::move(*s);
    client_ = std::move(*c);
    Pump(*client_, *server_);  // preface and SETTINGS both ways
  }

  StreamId Open(RecordingDecoder& decoder, bool end_stream = false, HeaderMap headers = Request()) {
    auto id = client_->NewStream(headers, end_stream, decoder);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }

  RecordingDecoder& ServerStream(StreamId id) {
    EXPECT_TRUE(server_side_.streams.count(id)) << "no server stream " << id;
    return *server_side_.streams[id];
  }

  ServerSide server_side_;
  ClientSide client_side_;
  std::unique_ptr<Http2ServerConnection> server_;
  std::unique_ptr<Http2ClientConnection> client_;
};

TEST_F(Http2CodecTest, RequestAndResponseWithBodiesAndTrailersRoundTrip) {
  Start();
  RecordingDecoder response;
  HeaderMap headers = Request();
  headers.Add("Content-Type", "application/grpc");  // uppercase: lowercased on the wire
  headers.Add("te", "trailers");                      // the one allowed value
  headers.Add("x-multi", "1");
  headers.Add("x-multi", "2");
  StreamId id = Open(response, false, headers);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("hello "), false).ok());
  ASSERT_TRUE(client_->EncodeData(id, Bytes("world"), false).ok());
  HeaderMap request_trailers;
  request_trailers.Add("x-checksum", "abc");
  ASSERT_TRUE(client_->EncodeTrailers(id, request_trailers).ok());
  Pump(*client_, *server_);

  RecordingDecoder& request = ServerStream(id);
  ASSERT_TRUE(request.headers);
  EXPECT_EQ(request.headers->Get(PseudoHeader::kMethod), "POST");
  EXPECT_EQ(request.headers->Get(PseudoHeader::kScheme), "http");
  EXPECT_EQ(request.headers->Get(PseudoHeader::kAuthority), "backend:8080");
  EXPECT_EQ(request.headers->Get(PseudoHeader::kPath), "/svc/Method");
  EXPECT_EQ(request.headers->Get("content-type"), "application/grpc");
  EXPECT_EQ(request.headers->begin()->name, "content-type");  // as HTTP/2 carries it
  EXPECT_EQ(request.headers->GetAll("x-multi"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_EQ(request.headers->Get("te"), "trailers");
  EXPECT_EQ(request.data, "hello world");
  ASSERT_TRUE(request.trailers);
  EXPECT_EQ(request.trailers->Get("x-checksum"), "abc");
  EXPECT_TRUE(request.ended);

  HeaderMap response_headers = Response(200);
  response_headers.Add("content-type", "application/grpc");
  ASSERT_TRUE(server_->EncodeHeaders(id, response_headers, false).ok());
  ASSERT_TRUE(server_->EncodeData(id, Bytes("reply"), false).ok());
  HeaderMap grpc_trailers;
  grpc_trailers.Add("grpc-status", "0");
  grpc_trailers.Add("grpc-message", "OK");
  ASSERT_TRUE(server_->EncodeTrailers(id, grpc_trailers).ok());
  Pump(*client_, *server_);

  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 200);
  EXPECT_EQ(response.data, "reply");
  ASSERT_TRUE(response.trailers);
  EXPECT_EQ(response.trailers->Get("grpc-status"), "0");
  EXPECT_EQ(response.trailers->Get("grpc-message"), "OK");
  EXPECT_TRUE(response.ended);
  EXPECT_FALSE(response.reset);
  EXPECT_FALSE(request.reset);
  EXPECT_EQ(server_->ActiveStreams(), 0u);
  EXPECT_EQ(client_->ActiveStreams(), 0u);
}

TEST_F(Http2CodecTest, TrailersOnlyResponse) {
  Start();
  RecordingDecoder response;
  StreamId id = Open(response, true);
  Pump(*client_, *server_);
  HeaderMap only = Response(200);
  only.Add("grpc-status", "12");
  ASSERT_TRUE(server_->EncodeHeaders(id, only, true).ok());
  Pump(*client_, *server_);
  ASSERT_TRUE(response.headers);
  EXPECT_TRUE(response.ended);
  EXPECT_EQ(response.headers->Get("grpc-status"), "12");
  EXPECT_FALSE(response.trailers);
}

// A local reply (404, 413, ...) can go out while the request body still arrives (RFC 9113 §8.1):
// an orderly end for both sides, not a reset, and not a premature reset for the flood guard.
TEST_F(Http2CodecTest, ResponseBeforeTheRequestEndsIsAnOrderlyEnd) {
  Start();
  RecordingDecoder response;
  StreamId id = Open(response);
  ASSERT_TRUE(client_->EncodeData(id, Bytes("part"), false).ok());
  Pump(*client_, *server_);
  ASSERT_TRUE(server_->EncodeHeaders(id, Response(404), true).ok());
  Pump(*client_, *server_);
  ASSERT_TRUE(response.headers);
  EXPECT_EQ(response.headers->Status(), 404);
  EXPECT_TRUE(response.ended);
  EXPECT_FALSE(response.reset);
  EXPECT_FALSE(ServerStream(id).reset);
  // The client's late body goes nowhere and breaks nothing.
  (void)client_->EncodeData(id, Bytes("more"), true);
  Pump(*client_, *server_);
  EXPECT_EQ(server_->ActiveStreams(), 0u);
  EXPECT_EQ(client_->ActiveStreams(), 0u);
  EXPECT_EQ(server_->premature_resets(), 0u);
}

TEST_F(Http2CodecTest, ConcurrentStreamsKeepTheirOwnBodies) {
  Start();
  std::vector<RecordingDecoder> responses(10);
  std::vector<StreamId> ids;
  for (auto& r : responses) ids.push_back(Open(r));
  // Interleaved: every stream gets a piece in each round.
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::string piece = std::to_string(i) + ":" + std::to_string(round) + ";";
      ASSERT_TRUE(client_->EncodeData(ids[i], Bytes(piece), round == 2).ok());
    }
  }
  Pump(*client_, *server_);
  ASSERT_EQ(server_side_.streams.size(), 10u);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    RecordingDecoder& r = ServerStream(ids[i]);
    std::string n = std::to_string(i);
    EXPECT_EQ(r.data, n + ":0;" + n + ":1;" + n + ":2;");
    EXPECT_TRUE(r.ended);
    ASSERT_TRUE(server_->EncodeHeaders(ids[i], Response(200 + static_cast<int>(i)), true).ok());
  }
  Pump(*client_, *server_);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    ASSERT_TRUE(responses[i].headers);
    EXPECT_EQ(responses[i].headers->Status(), 200 + static_cast<int>(i));
  }
}

TEST_F(Http2CodecTest, UnacknowledgedDataStopsAtTheStreamWindow) {
  Http2Options server_options;
  server_options.initial_stream_window_size = 65535;
  Start(server_options);
  RecordingDecoder response;
  StreamId id = Open(response);
  const std::string body(200000, 'x');
  ASSERT_TRUE(client_->EncodeData(id, Bytes(body), true).ok());
  Pump(*client_, *server_);

  RecordingDecoder& request = ServerStream(id);
  // The consumer took nothing: exactly one window's worth arrived, the rest waits at the client.
  EXPECT_EQ(request.data.size(), 65535u);
  EXPECT_EQ(client_->BufferedBytes(id), body.size() - 65535u);
  Pump(*client_, *server_);
  EXPECT_EQ(request.data.size(), 65535u);

  // Acknowledging lets more come, still never beyond what was acknowledged plus one window.
  std::size_t acked = 0;
  for (int i = 0; i < 100 && !request.ended; ++i) {
    std::size_t take = request.data.size() - acked;
    server_->ConsumeData(id, take);
    acked += take;
    Pump(*client_, *server_);
    EXPECT_LE(request.data.size(), acked + 65535u);
  }
  EXPECT_TRUE(request.ended);
  EXPECT_EQ(request.data, body);
  EXPECT_EQ(client_->BufferedBytes(id), 0u);
  EXPECT_GE(response.drained, 1);  // the client heard its send buffer empty
}

TEST_F(Http2CodecTest, ConnectionWindowIsCreditedWhenAStreamGoesWithUnreadData) {
  Http2Options server_options;
  server_options.initial_stream_window_size = 65535;
  server_options.initial_connection_window_size = 65535;
  Start(server_options);
  RecordingDecoder first;
  StreamId id = Open(first);
  ASSERT_TRUE(client_->EncodeData(id, Bytes(std::string(65535, 'a')), false).ok());
  Pump(*client_, *server_);
  EXPECT_EQ(ServerStream(id).data.size(), 65535u);  // the connection window is used up
  // The server gives up on the stream without reading: its bytes go back to the connection window.
  server_->ResetStream(id, StreamResetReason::kLocalReset);
  Pump(*client_, *server_);
  EXPECT_EQ(first.reset, StreamResetReason::kRemoteReset);
  RecordingDecoder second;
  StreamId id2 = Open(second);
  ASSERT_TRUE(client_->EncodeData(id2, Bytes(std::string(1000, 'b')), true).ok());
  Pump(*client_, *server_);
  EXPECT_EQ(ServerStream(id2).data.size(), 1000u);
}

TEST_F(Http2CodecTest, ClientStaysWithinThePeersMaxConcurrentStreams) {
  Http2Options server_options;
  server_options.max_concurrent_streams = 2;
  Start(server_options);
  EXPECT_EQ(client_->PeerMaxConcurrentStreams(), 2u);
  RecordingDecoder a, b, c;
  Open(a);
  Open(b);
  EXPECT_FALSE(client_->CanOpenStream());
  EXPECT_FALSE(client_->NewStream(Request(), true, c).ok());
}

TEST_F(Http2CodecTest, ClientResetReachesTheServerAsCancel) {
  Start();
  RecordingDecoder response;
  StreamId id = Open(response);
  Pump(*client_, *server_);
  client_->ResetStream(id, StreamResetReason::kLocalReset);
  Pump(*client_, *server_);
  EXPECT_EQ(ServerStream(id).reset, StreamResetReason::kRemoteReset);
  EXPECT_FALSE(response.reset);  // the caller asked; it hears nothing back
  EXPECT_EQ(server_->ActiveStreams(), 0u);
}

TEST_F(Http2CodecTest, OversizedRequestHeadersResetTheStreamOnly) {
  Start();
  RecordingDecoder big, small;
  HeaderMap headers = Request();
  for (int i = 0; i < 29; ++i) headers.Add("x-big-" + std::to_string(i), std::string(2100, 'v'));
  ASSERT_GT(headers.ByteSize(), 60u * 1024);
  Open(big, true, headers);
  StreamId ok = Open(small, true);
  Pump(*client_, *server_);
  EXPECT_EQ(big.reset, StreamResetReason::kRemoteReset);
  EXPECT_EQ(server_side_.streams.size(), 1u);  // the oversized one never reached the server's callbacks
  ASSERT_TRUE(server_->EncodeHeaders(ok, Response(), true).ok());
  Pump(*client_, *server_);
  ASSERT_TRUE(small.headers);
  EXPECT_FALSE(client_side_.goaway);
}

TEST_F(Http2CodecTest, EncoderRefusesConnectionSpecificFields) {
  Start();
  RecordingDecoder d;
  HeaderMap headers = Request();
  headers.Add("Connection", "keep-alive");
  auto id = client_->NewStream(headers, true, d);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("Connection"), std::string::npos);
  HeaderMap te = Request();
  te.Add("te", "gzip");
  EXPECT_FALSE(client_->NewStream(te, true, d).ok());
  EXPECT_FALSE(client_->NewStream(HeaderMap(), true, d).ok());  // no :method
}

TEST_F(Http2CodecTest, ServerDrainLetsOpenStreamsFinishAndRefusesNewOnes) {
  Start();
  RecordingDecoder first;
  StreamId id = Open(first, true);
  Pump(*client_, *server_);
  server_->GoAway();
  Pump(*client_, *server_);
  ASSERT_TRUE(client_side_.goaway);
  EXPECT_EQ(client_side_.goaway->first, id);
  EXPECT_EQ(client_side_.goaway->second, 0u);  // NO_ERROR
  EXPECT_FALSE(client_->CanOpenStream());
  RecordingDecoder late;
  EXPECT_FALSE(client_->NewStream(Request(), true, late).ok());
  // The stream below the GOAWAY still completes.
  ASSERT_TRUE(server_->EncodeHeaders(id, Response(), true).ok());
  Pump(*client_, *server_);
  ASSERT_TRUE(first.headers);
  EXPECT_FALSE(first.reset);
  EXPECT_TRUE(server_->Finished());
}

TEST_F(Http2CodecTest, TransportCloseResetsOpenStreams) {
  Start();
  RecordingDecoder response;
  StreamId id = Open(response);
  Pump(*client_, *server_);
  client_->OnTransportClosed();
  server_->OnTransportClosed();
  EXPECT_EQ(response.reset, StreamResetReason::kConnectionTermination);
  EXPECT_EQ(ServerStream(id).reset, StreamResetReason::kConnectionTermination);
  EXPECT_TRUE(client_->Finished());
  EXPECT_FALSE(client_->Dispatch(Bytes("x")).ok());
}

TEST_F(Http2CodecTest, RapidResetGetsGoAwayEnhanceYourCalm) {
  Http2Options server_options;
  server_options.premature_reset_total_stream_count = 200;
  Start(server_options);
  std::vector<RecordingDecoder> decoders(1000);
  std::size_t opened = 0;
  absl::Status server_status;
  while (opened < decoders.size() && !client_side_.goaway) {
    // A batch of streams opened and reset, HEADERS and RST_STREAM in one write, as the attack does.
    std::vector<StreamId> batch;
    for (int i = 0; i < 50 && client_->CanOpenStream(); ++i) batch.push_back(Open(decoders[opened++]));
    std::string wire = TakeOutput(*client_);
    for (StreamId id : batch) client_->ResetStream(id, StreamResetReason::kLocalReset);
    wire += TakeOutput(*client_);
    // The server's Dispatch fails once it has given up on the connection; its GOAWAY still goes out.
    server_status = server_->Dispatch(Bytes(wire));
    absl::Status client_status = Transfer(*server_, *client_);
    ASSERT_TRUE(client_status.ok()) << client_status;
  }
  ASSERT_TRUE(client_side_.goaway) << "no GOAWAY after " << opened << " reset streams";
  EXPECT_EQ(client_side_.goaway->second, static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_LE(opened, 300u);  // soon after the volume threshold
  EXPECT_GE(server_->premature_resets(), 100u);
  EXPECT_EQ(server_status.code(), absl::StatusCode::kResourceExhausted) << server_status;
  EXPECT_FALSE(server_->Dispatch({}).ok());
}

TEST_F(Http2CodecTest, OccasionalResetsAreNotAnAttack) {
  Http2Options server_options;
  server_options.premature_reset_total_stream_count = 100;
  Start(server_options);
  for (int i = 0; i < 400; ++i) {
    RecordingDecoder d;
    StreamId id = Open(d, true);
    Pump(*client_, *server_);
    if (i % 4 == 0) {
      client_->ResetStream(id, StreamResetReason::kLocalReset);
    } else {
      ASSERT_TRUE(server_->EncodeHeaders(id, Response(), true).ok());
    }
    Pump(*client_, *server_);
    server_side_.streams.clear();
  }
  EXPECT_FALSE(client_side_.goaway);
  EXPECT_EQ(server_->premature_resets(), 100u);
}

}  // namespace
}  // namespace tether::codec
