#include "src/transport/reactor_socket.h"

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;
using Direction = ReactorSocket::Direction;

// Reads until the socket says would_block: what the caller of AsyncWaitDrained has just done.
std::string Drain(ReactorSocket& socket) {
  std::string got;
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(boost::asio::buffer(buf), ec);
    got.append(buf, n);
    if (ec) {
      EXPECT_EQ(ec, boost::asio::error::would_block);
      return got;
    }
  }
}

struct Fixture {
  boost::asio::io_context io;
  SocketPair pair = LoopbackPair(io);
  ReactorSocket socket{std::move(pair.server)};
  Fixture() { socket.non_blocking(true); }
};

TEST(ReactorSocketTest, ReadWaitAfterADrainCompletesOnTheNextBytes) {
  Fixture f;
  // Many rounds: each consumes an edge, drains, waits without re-arming, and must still wake.
  for (int round = 0; round < 200; ++round) {
    EXPECT_EQ(Drain(f.socket), "");
    std::optional<boost::system::error_code> woke;
    f.socket.AsyncWaitDrained(Direction::kRead, [&](boost::system::error_code ec) { woke = ec; });
    f.io.restart();
    f.io.poll();
    ASSERT_FALSE(woke) << "round " << round << ": woke with nothing to read";
    const std::string message = "message " + std::to_string(round);
    boost::asio::write(f.pair.client, boost::asio::buffer(message));
    ASSERT_TRUE(RunUntil(f.io, [&] { return woke.has_value(); })) << "round " << round;
    EXPECT_FALSE(*woke);
    EXPECT_EQ(Drain(f.socket), message);
  }
}

TEST(ReactorSocketTest, WriteWaitAfterTheKernelTookNothingCompletesWhenSpaceFrees) {
  Fixture f;
  f.socket.set_option(boost::asio::socket_base::send_buffer_size(4096));
  const std::string chunk(16 * 1024, 'x');
  std::size_t sent = 0;
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = f.socket.write_some(boost::asio::buffer(chunk), ec);
    sent += n;
    if (ec) {
      ASSERT_EQ(ec, boost::asio::error::would_block);
      break;
    }
  }
  std::optional<boost::system::error_code> woke;
  f.socket.AsyncWaitDrained(Direction::kWrite, [&](boost::system::error_code ec) { woke = ec; });
  f.io.poll();
  ASSERT_FALSE(woke) << "writable while the kernel takes nothing";
  std::string sink(sent, '\0');
  boost::asio::read(f.pair.client, boost::asio::buffer(sink));
  ASSERT_TRUE(RunUntil(f.io, [&] { return woke.has_value(); }));
  EXPECT_FALSE(*woke);
}

TEST(ReactorSocketTest, PeerCloseWakesTheReaderToFindTheEnd) {
  Fixture f;
  std::optional<boost::system::error_code> woke;
  f.socket.AsyncWaitDrained(Direction::kRead, [&](boost::system::error_code ec) { woke = ec; });
  f.pair.client.close();
  ASSERT_TRUE(RunUntil(f.io, [&] { return woke.has_value(); }));
  char buf[8];
  boost::system::error_code ec;
  EXPECT_EQ(f.socket.read_some(boost::asio::buffer(buf), ec), 0u);
  EXPECT_EQ(ec, boost::asio::error::eof);
}

TEST(ReactorSocketTest, CancelAndCloseEndTheWaitAsAborted) {
  Fixture f;
  std::optional<boost::system::error_code> cancelled;
  f.socket.AsyncWaitDrained(Direction::kRead, [&](boost::system::error_code ec) { cancelled = ec; });
  f.socket.cancel();
  EXPECT_FALSE(cancelled) << "completed inside cancel()";
  ASSERT_TRUE(RunUntil(f.io, [&] { return cancelled.has_value(); }));
  EXPECT_EQ(*cancelled, boost::asio::error::operation_aborted);

  std::optional<boost::system::error_code> closed;
  f.socket.AsyncWaitDrained(Direction::kRead, [&](boost::system::error_code ec) { closed = ec; });
  f.socket.close();
  ASSERT_TRUE(RunUntil(f.io, [&] { return closed.has_value(); }));
  EXPECT_EQ(*closed, boost::asio::error::operation_aborted);
}

TEST(ReactorSocketTest, AClosedSocketAnswersThroughTheExecutorNotInsideTheCall) {
  Fixture f;
  f.socket.close();
  std::optional<boost::system::error_code> woke;
  f.socket.AsyncWaitDrained(Direction::kRead, [&](boost::system::error_code ec) { woke = ec; });
  EXPECT_FALSE(woke);
  ASSERT_TRUE(RunUntil(f.io, [&] { return woke.has_value(); }));
  EXPECT_EQ(*woke, boost::asio::error::bad_descriptor);
}

TEST(ReactorSocketTest, AWaitLeftWhenTheIoContextEndsIsFreedUncalled) {
  auto token = std::make_shared<int>(0);
  bool called = false;
  {
    boost::asio::io_context io;
    auto pair = LoopbackPair(io);
    {
      ReactorSocket socket(std::move(pair.server));
      socket.AsyncWaitDrained(Direction::kRead, [&called, token](boost::system::error_code) { called = true; });
      EXPECT_EQ(token.use_count(), 2);
    }
    // The socket's close queued the wait's completion; the io_context ends without running it.
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(token.use_count(), 1);
}

}  // namespace
}  // namespace tether::transport
