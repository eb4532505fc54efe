#include "src/transport/tcp_transport.h"

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "test/transport/pump_test_util.h"

namespace tether::transport {
namespace {

using namespace tether::transport::testing;

TEST(TcpTransportTest, AddressesAreTheSocketsEnds) {
  boost::asio::io_context io;
  auto pair = LoopbackPair(io);
  const auto client_port = pair.client.local_endpoint().port();
  const auto server_port = pair.server.local_endpoint().port();
  TcpTransport transport(std::move(pair.server));
  EXPECT_EQ(transport.peer_address(), "127.0.0.1:" + std::to_string(client_port));
  EXPECT_EQ(transport.local_address(), "127.0.0.1:" + std::to_string(server_port));
}

TEST(TcpTransportTest, AvailableReadsAndWritesNeverWait) {
  boost::asio::io_context io;
  auto pair = LoopbackPair(io);
  TcpTransport transport(std::move(pair.server));
  uint8_t buf[16];
  Transport::IoResult r = transport.ReadAvailable(buf);
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(r.ec, boost::asio::error::would_block);

  boost::asio::write(pair.client, boost::asio::buffer(std::string("hello")));
  bool readable = false;
  boost::asio::co_spawn(io, [&]() -> Awaitable<void> { readable = !co_await transport.WaitReadable(); },
                        boost::asio::detached);
  ASSERT_TRUE(RunUntil(io, [&] { return readable; }));
  r = transport.ReadAvailable(buf);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), r.bytes), "hello");

  r = transport.WriteAvailable(Bytes("back"));
  EXPECT_EQ(r.bytes, 4u);
  char got[4];
  boost::asio::read(pair.client, boost::asio::buffer(got));
  EXPECT_EQ(std::string(got, 4), "back");

  pair.client.close();
  bool ended = false;
  boost::asio::co_spawn(io, [&]() -> Awaitable<void> {
    co_await transport.WaitReadable();
    ended = transport.ReadAvailable(buf).ec == boost::asio::error::eof;
  }, boost::asio::detached);
  ASSERT_TRUE(RunUntil(io, [&] { return ended; }));
}

}  // namespace
}  // namespace tether::transport
