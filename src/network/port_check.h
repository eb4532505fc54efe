#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tether::network {

// Opens `acceptor` for address:port and binds it (SO_REUSEADDR, and
// SO_REUSEPORT when asked: each worker's own socket). The error names the
// listener and the address. Shared by ListenerSocket and CheckCanListen, so a
// refused probe reads like a refused bind.
template <typename Acceptor>
absl::Status OpenAndBind(Acceptor& acceptor, const std::string& listener, const std::string& address, uint16_t port,
                         bool reuse_port) {
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("listener ", listener, ": bad address ", address));
  const boost::asio::ip::tcp::endpoint endpoint(ip, port);
  const std::string where = absl::StrCat("listener ", listener, ": ", address, ":", port, ": ");
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return absl::UnavailableError(where + ec.message());
  // Sockets in TIME_WAIT from an earlier listener do not count.
  acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  const int one = 1;
  if (reuse_port && ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return absl::UnavailableError(where + "SO_REUSEPORT refused");
  }
  acceptor.bind(endpoint, ec);
  if (ec) return absl::UnavailableError(where + "bind: " + ec.message());
  return absl::OkStatus();
}

// Whether a listener could bind address:port now: binds a throwaway socket
// without SO_REUSEPORT (so a port held by anyone, another proxy with
// SO_REUSEPORT included, counts as taken) and closes it. A warming listener
// binds only when its warming ends; this lets its update be refused when it
// arrives instead.
absl::Status CheckCanListen(const std::string& listener, const std::string& address, uint16_t port);

}  // namespace tether::network
