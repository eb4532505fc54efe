#include "src/network/port_check.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace tether::network {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

uint16_t FreePort() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

TEST(PortCheckTest, FreePortPasses) {
  EXPECT_TRUE(CheckCanListen("l", "127.0.0.1", FreePort()).ok());
}

// The address is written as HostPort writes it: an IPv6 one in brackets
// ("::1:80" would be ambiguous).
TEST(PortCheckTest, ListeningPortFailsNamingListenerAndAddress) {
  for (const auto& [ip, text] : {std::pair<std::string, std::string>{"127.0.0.1", "127.0.0.1"}, {"::1", "[::1]"}}) {
    asio::io_context io;
    tcp::acceptor holder(io, tcp::endpoint(asio::ip::make_address(ip), 0));
    const uint16_t port = holder.local_endpoint().port();
    const absl::Status s = CheckCanListen("outbound", ip, port);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("listener outbound: " + text + ":" + std::to_string(port) + ": bind: "), std::string::npos)
        << s;
  }
}

// Another proxy's SO_REUSEPORT socket would let our own SO_REUSEPORT bind share
// the port silently; the check must still see it as taken.
TEST(PortCheckTest, ReusePortHolderCountsAsTaken) {
  asio::io_context io;
  tcp::acceptor holder(io);
  holder.open(tcp::v4());
  const int one = 1;
  ASSERT_EQ(::setsockopt(holder.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)), 0);
  holder.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  holder.listen();
  EXPECT_FALSE(CheckCanListen("l", "127.0.0.1", holder.local_endpoint().port()).ok());
}

TEST(PortCheckTest, BadAddressIsInvalidArgument) {
  EXPECT_EQ(CheckCanListen("l", "not-an-ip", 80).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tether::network
