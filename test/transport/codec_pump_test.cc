// The pump between a real loopback socket and the HTTP/2 codecs (and a fake codec for ReadDisabled).
#include "src/transport/codec_pump.h"

#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/codec/http2_client_connection.h"
#include "src/codec/http2_server_connection.h"
#include "src/transport/io_batch.h"
#include "src/transport/read_scratch.h"
#include "src/transport/tcp_transport.h"
#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;
using End = CodecPump::End;

// One side of a connection: transport, codec and pump, with Run() spawned on the io_context.
struct Side {
  std::unique_ptr<TcpTransport> transport;
  std::unique_ptr<CodecPump> pump;
  std::optional<End> end;

  void Start(boost::asio::io_context& io, TcpSocket socket, codec::Connection& codec, ReadScratch& scratch) {
    transport = std::make_unique<TcpTransport>(std::move(socket));
    pump = MakeCodecPump(*transport, codec, scratch.span());
    boost::asio::co_spawn(io, pump->Run(), [this](std::exception_ptr e, End result) {
      EXPECT_FALSE(e);
      end = result;
    });
  }
};

// Answers every request with its body echoed, data and trailers, once the request has ended.
struct EchoServer : codec::ServerCallbacks {
  codec::Connection* codec = nullptr;
  CodecPump* pump = nullptr;
  std::map<codec::StreamId, std::unique_ptr<RecordingDecoder>> streams;

  codec::StreamDecoder& OnNewStream(codec::StreamId id) override {
    auto& d = streams[id];
    d = std::make_unique<RecordingDecoder>();
    d->connection = codec;
    d->id = id;
    RecordingDecoder* decoder = d.get();
    d->on_end = [this, id, decoder] {
      codec::HeaderMap response;
      response.SetStatus(200);
      ASSERT_TRUE(codec->EncodeHeaders(id, response, false).ok());
      ASSERT_TRUE(codec->EncodeData(id, Bytes("echo:" + decoder->data), false).ok());
      codec::HeaderMap trailers;
      trailers.Set("grpc-status", "0");
      ASSERT_TRUE(codec->EncodeTrailers(id, trailers).ok());
      pump->OutputReady();
    };
    return *d;
  }
};

struct NoGoAway : codec::ClientCallbacks {
  std::optional<codec::StreamId> goaway;
  void OnGoAway(codec::StreamId last, uint32_t) override { goaway = last; }
};

// Every test runs twice: each call made directly, and through the worker's IoBatch (io_uring).
class CodecPumpTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!GetParam()) return;
    auto& batch = boost::asio::make_service<IoBatch>(io_, io_.get_executor(), true);
    if (!batch.enabled()) GTEST_SKIP() << "io_uring is not available here";
  }
  // A batched run that moved bytes made its calls through the ring.
  void ExpectCallsWereBatched() {
    if (GetParam()) {
      EXPECT_GT(boost::asio::use_service<IoBatch>(io_).calls(), 0u);
    }
  }

  // HTTP/2 client and server codecs, each under a pump, over one loopback connection.
  void StartHttp2() {
    auto pair = LoopbackPair(io_);
    auto s = codec::Http2ServerConnection::Create(echo_, {});
    ASSERT_TRUE(s.ok()) << s.status();
    server_codec_ = std::move(*s);
    auto c = codec::Http2ClientConnection::Create(client_callbacks_, {});
    ASSERT_TRUE(c.ok()) << c.status();
    client_codec_ = std::move(*c);
    echo_.codec = server_codec_.get();
    server_.Start(io_, std::move(pair.server), *server_codec_, server_scratch_);
    echo_.pump = server_.pump.get();
    client_.Start(io_, std::move(pair.client), *client_codec_, client_scratch_);
  }

  codec::StreamId Send(RecordingDecoder& response, const std::string& body) {
    auto id = client_codec_->NewStream(Request(), false, response);
    EXPECT_TRUE(id.ok()) << id.status();
    response.connection = client_codec_.get();
    response.id = *id;
    EXPECT_TRUE(client_codec_->EncodeData(*id, Bytes(body), true).ok());
    client_.pump->OutputReady();
    return *id;
  }

  boost::asio::io_context io_;
  ReadScratch client_scratch_;
  ReadScratch server_scratch_;
  EchoServer echo_;
  NoGoAway client_callbacks_;
  std::unique_ptr<codec::Http2ServerConnection> server_codec_;
  std::unique_ptr<codec::Http2ClientConnection> client_codec_;
  Side server_;
  Side client_;
};

TEST_P(CodecPumpTest, RequestAndResponseFlowBothWays) {
  StartHttp2();
  RecordingDecoder small;
  Send(small, "ping");
  // Bodies beyond the 64 KiB stream window move only as each side credits what it took.
  RecordingDecoder large;
  const std::string body(300 * 1024, 'x');
  Send(large, body);
  ASSERT_TRUE(RunUntil(io_, [&] { return small.ended && large.ended; }));
  ASSERT_TRUE(small.headers.has_value());
  EXPECT_EQ(small.headers->Status(), 200);
  EXPECT_EQ(small.data, "echo:ping");
  ASSERT_TRUE(small.trailers.has_value());
  EXPECT_EQ(small.trailers->Get("grpc-status"), "0");
  EXPECT_EQ(large.data, "echo:" + body);
  EXPECT_FALSE(server_.end.has_value());
  EXPECT_FALSE(client_.end.has_value());
  EXPECT_GE(client_.pump->last_activity(), server_.pump->last_activity() - std::chrono::hours(1));
  ExpectCallsWereBatched();

  client_.pump->Close();
  ASSERT_TRUE(RunUntil(io_, [&] { return client_.end && server_.end; }));
  EXPECT_EQ(*client_.end, End::kClosedLocally);
  EXPECT_EQ(*server_.end, End::kPeerClosed);
  EXPECT_FALSE(client_.transport->IsOpen());
  EXPECT_FALSE(server_.transport->IsOpen());
}

TEST_P(CodecPumpTest, CloseResetsOpenStreamsOnBothEnds) {
  StartHttp2();
  echo_.streams.clear();
  RecordingDecoder response;
  auto id = client_codec_->NewStream(Request(), false, response);  // the request never ends
  ASSERT_TRUE(id.ok());
  client_.pump->OutputReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return echo_.streams.size() == 1; }));

  client_.pump->Close();
  ASSERT_TRUE(RunUntil(io_, [&] { return client_.end && server_.end; }));
  EXPECT_EQ(*client_.end, End::kClosedLocally);
  EXPECT_EQ(response.reset, codec::StreamResetReason::kConnectionTermination);
  EXPECT_EQ(*server_.end, End::kPeerClosed);
  EXPECT_EQ(echo_.streams.begin()->second->reset, codec::StreamResetReason::kConnectionTermination);
}

TEST_P(CodecPumpTest, CloseBeforeRunEndsAtOnce) {
  auto pair = LoopbackPair(io_);
  auto s = codec::Http2ServerConnection::Create(echo_, {});
  ASSERT_TRUE(s.ok());
  TcpTransport transport(std::move(pair.server));
  auto pump = MakeCodecPump(transport, **s, server_scratch_.span());
  pump->Close();
  std::optional<End> end;
  boost::asio::co_spawn(io_, pump->Run(), [&](std::exception_ptr, End e) { end = e; });
  ASSERT_TRUE(RunUntil(io_, [&] { return end.has_value(); }));
  EXPECT_EQ(*end, End::kClosedLocally);
  EXPECT_FALSE(transport.IsOpen());
}

TEST_P(CodecPumpTest, GoAwayWithNoStreamsFinishesBothEnds) {
  StartHttp2();
  RecordingDecoder response;
  Send(response, "one");
  ASSERT_TRUE(RunUntil(io_, [&] { return response.ended; }));
  server_codec_->GoAway();  // drain
  server_.pump->OutputReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return client_.end && server_.end; }));
  EXPECT_EQ(*server_.end, End::kFinished);
  EXPECT_TRUE(client_callbacks_.goaway.has_value());
  EXPECT_FALSE(client_codec_->CanOpenStream());
}

// A codec error ends the connection, but the GOAWAY saying why reaches the peer first.
TEST_P(CodecPumpTest, CodecErrorFlushesGoAwayBeforeClosing) {
  auto pair = LoopbackPair(io_);
  auto s = codec::Http2ServerConnection::Create(echo_, {});
  ASSERT_TRUE(s.ok());
  server_codec_ = std::move(*s);
  server_.Start(io_, std::move(pair.server), *server_codec_, server_scratch_);

  std::string entries;  // more SETTINGS entries than max_settings_entries (32)
  for (int i = 0; i < 40; ++i) entries += std::string("\0\x04\0\0\xff\xff", 6);
  const std::string attack = ClientPreface() + Frame(kSettings, 0, 0, entries);
  boost::asio::write(pair.client, boost::asio::buffer(attack));

  std::string received;
  bool peer_done = false;
  boost::asio::co_spawn(
      io_,
      [&]() -> Awaitable<void> {
        char buf[4096];
        for (;;) {
          auto [ec, n] = co_await pair.client.async_read_some(boost::asio::buffer(buf), kNoThrow);
          received.append(buf, n);
          if (ec) break;  // eof: the server shut its side after its last frame
        }
        pair.client.close();
        peer_done = true;
      },
      boost::asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return server_.end && peer_done; }));
  EXPECT_EQ(*server_.end, End::kCodecError);
  EXPECT_EQ(server_.pump->codec_error().code(), absl::StatusCode::kResourceExhausted)
      << server_.pump->codec_error();
  bool goaway = false;
  for (const ParsedFrame& f : ParseFrames(received)) {
    if (f.type == kGoAway) {
      goaway = true;
      ASSERT_GE(f.payload.size(), 8u);  // last stream, code, debug data
      EXPECT_EQ(static_cast<uint8_t>(f.payload[7]), 0x0b);  // ENHANCE_YOUR_CALM
    }
  }
  EXPECT_TRUE(goaway) << "frames received: " << ParseFrames(received).size();
}

// A codec that answers every byte with a byte (its output queue unbounded: the pump must bound it).
struct EchoCodec : StreamlessCodec {
  std::string output;
  std::size_t max_output = 0;

  absl::Status Dispatch(absl::Span<const uint8_t> bytes) override {
    output.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    max_output = std::max(max_output, output.size());
    return absl::OkStatus();
  }
  absl::Span<const uint8_t> PendingOutput() override { return Bytes(output); }
  void ConsumeOutput(std::size_t bytes) override { output.erase(0, bytes); }
};

// A peer that sends and never reads: once the pump cannot write, it stops reading, so the peer's
// sends stall in TCP instead of piling up answers in the codec. When the peer reads again,
// everything is answered, in order.
TEST_P(CodecPumpTest, PeerThatStopsReadingIsNotRead) {
  auto pair = LoopbackPair(io_);
  EchoCodec codec;
  server_.Start(io_, std::move(pair.server), codec, server_scratch_);

  pair.client.non_blocking(true);
  std::string sent;
  int stalled_rounds = 0;
  // Sends until the kernel takes nothing even after the server had every chance to read.
  while (stalled_rounds < 3 && sent.size() < (64u << 20)) {
    std::string chunk(16384, static_cast<char>('a' + sent.size() / 16384 % 26));
    boost::system::error_code ec;
    const std::size_t n = pair.client.write_some(boost::asio::buffer(chunk), ec);
    if (ec && ec != boost::asio::error::would_block) FAIL() << ec.message();
    sent.append(chunk, 0, n);
    stalled_rounds = n == 0 ? stalled_rounds + 1 : 0;
    io_.restart();
    io_.poll();
  }
  ASSERT_EQ(stalled_rounds, 3) << "the server never stopped reading";
  // What the codec holds is about one read beyond what the transport would not take.
  EXPECT_LE(codec.max_output, 4 * ReadScratch::kDefaultBytes);

  std::string received;
  ASSERT_TRUE(RunUntil(io_, [&] {
    char buf[65536];
    boost::system::error_code ec;
    const std::size_t n = pair.client.read_some(boost::asio::buffer(buf), ec);
    received.append(buf, n);
    return received.size() >= sent.size();
  })) << received.size() << " of " << sent.size();
  EXPECT_TRUE(received == sent);
  EXPECT_FALSE(server_.end.has_value());
  ExpectCallsWereBatched();
}

// A codec that keeps what it is given.
// Bytes and the FIN arriving together, while the pump waits: the read that takes the bytes is
// short and says nothing of the FIN behind them, whose readiness edge was used by the wake. The
// pump must still see the end (a wait that trusted the short read as a drain never woke again).
TEST_P(CodecPumpTest, BytesWithTheFinBehindThemStillEndTheConnection) {
  for (int round = 0; round < 20; ++round) {
    auto pair = LoopbackPair(io_);
    ByteCodec codec;
    Side side;
    side.Start(io_, std::move(pair.server), codec, server_scratch_);
    io_.restart();
    io_.poll();  // the pump reads nothing and waits
    ASSERT_FALSE(side.end.has_value());
    boost::asio::write(pair.client, boost::asio::buffer(std::string("last words")));
    pair.client.shutdown(TcpSocket::shutdown_send);
    ASSERT_TRUE(RunUntil(io_, [&] { return side.end.has_value(); }, std::chrono::seconds(3)))
        << "round " << round << ": the FIN went unnoticed";
    EXPECT_EQ(*side.end, End::kPeerClosed);
    EXPECT_EQ(codec.received, "last words");
  }
}

// A codec that holds input it cannot pass on (HTTP/1 with a request body nobody takes yet).
struct HoldingCodec : StreamlessCodec {
  std::string received;
  int empty_dispatches = 0;
  bool disabled = false;

  absl::Status Dispatch(absl::Span<const uint8_t> bytes) override {
    if (bytes.empty()) ++empty_dispatches;
    if (received.empty() && !bytes.empty()) disabled = true;  // holds after the first bytes
    received.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return absl::OkStatus();
  }
  absl::Span<const uint8_t> PendingOutput() override { return {}; }
  void ConsumeOutput(std::size_t) override {}
  bool ReadDisabled() const override { return disabled; }
};

TEST_P(CodecPumpTest, ReadDisabledPausesReadingUntilOutputReady) {
  auto pair = LoopbackPair(io_);
  HoldingCodec codec;
  server_.Start(io_, std::move(pair.server), codec, server_scratch_);
  boost::asio::write(pair.client, boost::asio::buffer(std::string("abc")));
  ASSERT_TRUE(RunUntil(io_, [&] { return codec.received == "abc"; }));
  ASSERT_TRUE(codec.disabled);

  boost::asio::write(pair.client, boost::asio::buffer(std::string("def")));
  io_.restart();
  io_.poll();  // everything ready runs; the reader stays paused
  EXPECT_EQ(codec.received, "abc");
  EXPECT_EQ(server_.transport->socket().available(), 3u);

  codec.disabled = false;  // the owner consumed the held input
  server_.pump->OutputReady();
  ASSERT_TRUE(RunUntil(io_, [&] { return codec.received == "abcdef"; }));
  EXPECT_EQ(codec.empty_dispatches, 1);  // the held input was offered again first

  pair.client.close();
  ASSERT_TRUE(RunUntil(io_, [&] { return server_.end.has_value(); }));
  EXPECT_EQ(*server_.end, End::kPeerClosed);
}

INSTANTIATE_TEST_SUITE_P(Calls, CodecPumpTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Batched" : "Direct"; });

}  // namespace
}  // namespace tether::transport
