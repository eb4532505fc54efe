// An idle pump: what it keeps (one readiness wait, no coroutine frame, no parked writer) and that
// its writer, ended while idle, starts again for output produced later.
#include "src/transport/codec_pump.h"

#include <malloc.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "src/common/recycling_pool.h"
#include "src/transport/read_scratch.h"
#include "src/transport/tcp_transport.h"
#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;
using End = CodecPump::End;

// Echoes what it reads; the test may also queue output of its own (as a stream's response would).
struct OutboxCodec : ByteCodec {
  OutboxCodec() { echo = true; }
};

struct Connection {
  TcpSocket peer;
  OutboxCodec codec;
  std::unique_ptr<TcpTransport> transport;
  std::unique_ptr<CodecPump> pump;
  std::optional<End> end;

  Connection(boost::asio::io_context& io, ReadScratch& scratch) : peer(io.get_executor()) {
    SocketPair pair = LoopbackPair(io);
    peer = std::move(pair.client);
    transport = std::make_unique<TcpTransport>(std::move(pair.server));
    pump = MakeCodecPump(*transport, codec, scratch.span());
  }
  void Start() {
    pump->Start([this](End e) { end = e; });
  }
};

std::string ReadExactly(TcpSocket& socket, std::size_t n) {
  std::string s(n, '\0');
  boost::asio::read(socket, boost::asio::buffer(s));
  return s;
}

// Runs every handler that is ready until none is: the pumps are idle then.
void RunReady(boost::asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) io.restart();
}

class CodecPumpIdleTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  ReadScratch scratch_;
};

TEST_F(CodecPumpIdleTest, OutputProducedAfterAnIdlePeriodIsWritten) {
  Connection c(io_, scratch_);
  c.Start();
  boost::asio::write(c.peer, boost::asio::buffer(std::string("ping")));
  ASSERT_TRUE(RunUntil(io_, [&] { return c.codec.out.empty() && c.peer.available() == 4; }));
  EXPECT_EQ(ReadExactly(c.peer, 4), "ping");
  RunReady(io_);  // idle: the writer has nothing to write and ended

  // Output encoded outside Dispatch (a response arriving from the upstream side), twice: the
  // writer starts again each time.
  for (const std::string late : {"late response", "and another"}) {
    c.codec.out += late;
    c.pump->OutputReady();
    ASSERT_TRUE(RunUntil(io_, [&] { return c.peer.available() == late.size(); }));
    EXPECT_EQ(ReadExactly(c.peer, late.size()), late);
    EXPECT_TRUE(c.codec.out.empty());
    RunReady(io_);
  }
  // Reading went on all along.
  boost::asio::write(c.peer, boost::asio::buffer(std::string("again")));
  ASSERT_TRUE(RunUntil(io_, [&] { return c.peer.available() == 5; }));
  EXPECT_EQ(ReadExactly(c.peer, 5), "again");

  c.pump->Close();
  ASSERT_TRUE(RunUntil(io_, [&] { return c.end.has_value(); }));
  EXPECT_EQ(*c.end, End::kClosedLocally);
  EXPECT_FALSE(c.transport->IsOpen());
}

TEST_F(CodecPumpIdleTest, OutputReadyBeforeStartIsWrittenOnceStarted) {
  Connection c(io_, scratch_);
  c.codec.out = "preface";  // HTTP/2 queues its SETTINGS before the pump starts
  c.pump->OutputReady();
  RunReady(io_);
  EXPECT_EQ(c.peer.available(), 0u);
  c.Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return c.peer.available() == 7; }));
  EXPECT_EQ(ReadExactly(c.peer, 7), "preface");
  c.peer.close();
  ASSERT_TRUE(RunUntil(io_, [&] { return c.end.has_value(); }));
  EXPECT_EQ(*c.end, End::kPeerClosed);
}

// What a started pump adds to the heap once its connection is idle: one pending readiness wait
// and its handler (166 bytes here). The coroutines it replaced (Run, reader and writer frames, the
// writer parked on a timer, a frame per wait) were 2,346 bytes per connection measured this way.
TEST_F(CodecPumpIdleTest, IdleConnectionHoldsAlmostNothingBeyondItsObjects) {
  constexpr int kConnections = 64;
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < kConnections; ++i) connections.push_back(std::make_unique<Connection>(io_, scratch_));
  // Warm-up: one connection through a full exchange first, so Asio's per-thread caches are filled.
  connections[0]->Start();
  boost::asio::write(connections[0]->peer, boost::asio::buffer(std::string("x")));
  ASSERT_TRUE(RunUntil(io_, [&] { return connections[0]->peer.available() == 1; }));
  ReadExactly(connections[0]->peer, 1);
  RunReady(io_);

  // Blocks on the recycling pool's free lists are malloc'ed but held by no connection.
  const auto before = static_cast<long>(mallinfo2().uordblks - RecyclingPool::ThreadCachedBytes());
  for (int i = 1; i < kConnections; ++i) {
    connections[i]->Start();
    boost::asio::write(connections[i]->peer, boost::asio::buffer(std::string("x")));
  }
  ASSERT_TRUE(RunUntil(io_, [&] {
    for (int i = 1; i < kConnections; ++i) {
      if (connections[i]->peer.available() != 1) return false;
    }
    return true;
  }));
  RunReady(io_);
  const auto after = static_cast<long>(mallinfo2().uordblks - RecyclingPool::ThreadCachedBytes());
  EXPECT_LE((after - before) / (kConnections - 1), 256) << "heap bytes per idle connection";

  for (int i = 1; i < kConnections; ++i) EXPECT_EQ(ReadExactly(connections[i]->peer, 1), "x");
  for (auto& c : connections) c->pump->Close();
  ASSERT_TRUE(RunUntil(io_, [&] {
    for (const auto& c : connections) {
      if (!c->end) return false;
    }
    return true;
  }));
}

// A connection whose end handler owns it (as ConnectionManager and CodecClient are owned), still
// open when its io_context is destroyed: the context's end frees it (nothing else would break the
// cycle: its pending handlers own nothing).
TEST(CodecPumpShutdownTest, DestroyingTheIoContextFreesAnOpenConnection) {
  struct Owned {
    OutboxCodec codec;
    std::unique_ptr<TcpTransport> transport;
    std::unique_ptr<CodecPump> pump;
  };
  std::weak_ptr<Owned> watch;
  {
    boost::asio::io_context io;
    ReadScratch scratch;
    SocketPair pair = LoopbackPair(io);
    auto owned = std::make_shared<Owned>();
    owned->transport = std::make_unique<TcpTransport>(std::move(pair.server));
    owned->pump = MakeCodecPump(*owned->transport, owned->codec, scratch.span());
    owned->pump->Start([owned](End) {});
    watch = owned;
    owned.reset();
    RunReady(io);  // idle: only the readiness wait is pending
    EXPECT_FALSE(watch.expired());
    pair.client.close();
  }
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace tether::transport
