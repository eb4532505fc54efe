#include "src/network/port_check.h"

#include <boost/asio/io_context.hpp>

namespace tether::network {

absl::Status CheckCanListen(const std::string& listener, const std::string& address, uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io);
  return OpenAndBind(probe, listener, address, port, /*reuse_port=*/false);
}

}  // namespace tether::network
