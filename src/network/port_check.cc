#include "src/network/port_check.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/strings/str_cat.h"

namespace tether::network {

namespace asio = boost::asio;
using asio::ip::tcp;

absl::Status CheckCanListen(const std::string& listener, const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("listener ", listener, ": bad address ", address));
  asio::io_context io;
  tcp::acceptor probe(io);
  const tcp::endpoint endpoint(ip, port);
  const std::string where = absl::StrCat("listener ", listener, ": ", address, ":", port, ": ");
  probe.open(endpoint.protocol(), ec);
  if (ec) return absl::UnavailableError(where + ec.message());
  // Sockets in TIME_WAIT from an earlier listener do not count.
  probe.set_option(tcp::acceptor::reuse_address(true), ec);
  probe.bind(endpoint, ec);
  if (ec) return absl::UnavailableError(where + "bind: " + ec.message());
  return absl::OkStatus();
}

}  // namespace tether::network
