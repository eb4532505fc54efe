#include "src/network/port_check.h"

#include <boost/asio/io_context.hpp>

#include "absl/strings/str_cat.h"
#include "src/common/bind_acceptor.h"
#include "src/common/io.h"

namespace tether::network {

absl::Status CheckCanListen(const std::string& listener, const std::string& address, uint16_t port) {
  boost::asio::io_context io;
  TcpAcceptor probe(io);
  return BindAcceptor(probe, absl::StrCat("listener ", listener), address, port, {.reuse_port = false, .listen = false});
}

}  // namespace tether::network
