// When the pump trusts a read as a drain (a wait without re-arming the reactor), and that a peer's
// end is still seen when it does (decisions 0048, 0054).
#include "src/transport/codec_pump.h"

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/transport/read_scratch.h"
#include "src/transport/tcp_transport.h"
#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;
using End = CodecPump::End;

// A TcpTransport that counts the reader's waits by kind.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(TcpSocket socket) : inner_(std::move(socket)) {}
  int plain_read_waits = 0;
  int drained_read_waits = 0;

  IoExecutor executor() const override { return inner_.executor(); }
  Awaitable<boost::system::error_code> WaitReadable() override { return inner_.WaitReadable(); }
  void AsyncWaitReadable(WaitHandler handler) override {
    ++plain_read_waits;
    inner_.AsyncWaitReadable(std::move(handler));
  }
  void AsyncWaitWritable(WaitHandler handler) override { inner_.AsyncWaitWritable(std::move(handler)); }
  void AsyncWaitReadableDrained(WaitHandler handler) override {
    ++drained_read_waits;
    inner_.AsyncWaitReadableDrained(std::move(handler));
  }
  void AsyncWaitWritableDrained(WaitHandler handler) override {
    inner_.AsyncWaitWritableDrained(std::move(handler));
  }
  Awaitable<IoResult> ReadSome(absl::Span<uint8_t> into) override { return inner_.ReadSome(into); }
  IoResult ReadAvailable(absl::Span<uint8_t> into) override { return inner_.ReadAvailable(into); }
  Awaitable<IoResult> Write(absl::Span<const uint8_t> bytes) override { return inner_.Write(bytes); }
  IoResult WriteAvailable(absl::Span<const uint8_t> bytes) override { return inner_.WriteAvailable(bytes); }
  Awaitable<boost::system::error_code> WaitWritable() override { return inner_.WaitWritable(); }
  void Cancel() override { inner_.Cancel(); }
  void ShutdownWrite() override { inner_.ShutdownWrite(); }
  void Close() override { inner_.Close(); }
  bool IsOpen() const override { return inner_.IsOpen(); }
  const std::string& peer_address() const override { return inner_.peer_address(); }
  const std::string& local_address() const override { return inner_.local_address(); }

 private:
  TcpTransport inner_;
};

class CodecPumpDrainTest : public ::testing::Test {
 protected:
  void Start(TcpSocket socket) {
    pump_.reset();  // the previous one ended
    transport_ = std::make_unique<CountingTransport>(std::move(socket));
    pump_ = MakeCodecPump(*transport_, codec_, scratch_.span());
    boost::asio::co_spawn(io_, pump_->Run(), [this](std::exception_ptr e, End result) {
      EXPECT_FALSE(e);
      end_ = result;
    });
  }
  int Waits() const { return transport_->plain_read_waits + transport_->drained_read_waits; }
  // A new connection whose pump has read nothing and waits; the peer's socket.
  TcpSocket Connect(bool quiet) {
    auto pair = LoopbackPair(io_);
    codec_.received.clear();
    codec_.quiet = quiet;
    end_.reset();
    Start(std::move(pair.server));
    EXPECT_TRUE(RunUntil(io_, [&] { return Waits() == 1; }, std::chrono::seconds(3)));
    return std::move(pair.client);
  }

  boost::asio::io_context io_;
  ReadScratch scratch_;
  ByteCodec codec_;
  std::unique_ptr<CountingTransport> transport_;
  std::unique_ptr<CodecPump> pump_;
  std::optional<End> end_;
};

// A read that came back short re-arms the wait, unless the codec's peer only answers.
TEST_F(CodecPumpDrainTest, AShortReadIsTrustedOnlyWhenThePeerIsQuiet) {
  for (const bool quiet : {true, false}) {
    SCOPED_TRACE(quiet ? "quiet peer" : "talkative peer");
    TcpSocket peer = Connect(quiet);
    // The first read found nothing (would_block): a drain either way.
    EXPECT_EQ(transport_->drained_read_waits, 1);

    boost::asio::write(peer, boost::asio::buffer(std::string("an answer")));
    ASSERT_TRUE(RunUntil(io_, [&] { return Waits() == 2; }, std::chrono::seconds(3)));
    EXPECT_EQ(codec_.received, "an answer");
    EXPECT_EQ(transport_->drained_read_waits, quiet ? 2 : 1);
    EXPECT_EQ(transport_->plain_read_waits, quiet ? 0 : 1);

    pump_->Close();
    ASSERT_TRUE(RunUntil(io_, [&] { return end_.has_value(); }, std::chrono::seconds(3)));
  }
}

// The price of trusting a short read: a FIN that came behind the last bytes may go unseen while the
// connection idles. The next write draws the closed peer's reset, and that is seen: the connection
// ends instead of hanging (the pool then retries the request elsewhere: a stale connection).
TEST_F(CodecPumpDrainTest, AQuietPeerThatClosedIsSeenAtTheNextWrite) {
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    TcpSocket peer = Connect(/*quiet=*/true);
    boost::asio::write(peer, boost::asio::buffer(std::string("last answer")));
    peer.close();
    ASSERT_TRUE(RunUntil(io_, [&] { return codec_.received == "last answer"; }, std::chrono::seconds(3)));

    codec_.out = "next request";
    pump_->OutputReady();
    ASSERT_TRUE(RunUntil(io_, [&] { return end_.has_value(); }, std::chrono::seconds(3)))
        << "the closed peer went unnoticed after a write";
    EXPECT_EQ(*end_, End::kPeerClosed);
  }
}

}  // namespace
}  // namespace tether::transport
