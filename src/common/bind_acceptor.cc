#include "src/common/bind_acceptor.h"

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/str_cat.h"
#include "src/common/host_port.h"

namespace tether {

namespace {

absl::Status Fail(TcpAcceptor& acceptor, const std::string& where, const char* step, const std::string& why) {
  boost::system::error_code ignored;
  acceptor.close(ignored);
  return absl::UnavailableError(absl::StrCat(where, step, why));
}

}  // namespace

absl::Status BindAcceptor(TcpAcceptor& acceptor, const std::string& owner, const std::string& address, uint16_t port,
                          BindOptions options) {
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(owner, ": bad address ", address));
  const boost::asio::ip::tcp::endpoint endpoint(ip, port);
  const std::string where = absl::StrCat(owner, ": ", HostPort(address, port), ": ");
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return Fail(acceptor, where, "open: ", ec.message());
  acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (ec) return Fail(acceptor, where, "SO_REUSEADDR: ", ec.message());
  const int one = 1;
  if (options.reuse_port &&
      ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return Fail(acceptor, where, "SO_REUSEPORT refused", "");
  }
  acceptor.bind(endpoint, ec);
  if (ec) return Fail(acceptor, where, "bind: ", ec.message());
  if (options.listen) {
    acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return Fail(acceptor, where, "listen: ", ec.message());
  }
  return absl::OkStatus();
}

}  // namespace tether
