#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "src/common/io.h"

namespace tether {

struct BindOptions {
  // SO_REUSEPORT: every worker binds its own socket for one listener.
  bool reuse_port = false;
  // false: bind only, do not listen (a probe that the port is free).
  bool listen = true;
};

// Opens `acceptor` for address:port, binds it (SO_REUSEADDR: sockets in
// TIME_WAIT from an earlier run do not count; it never lets two live
// listeners share a port) and listens. The one bind/listen of the tree: the
// data plane's listeners, their port check, the admin endpoint and the
// control plane's HTTP endpoint. Errors start with `owner` and the address:
// "listener outbound: 127.0.0.1:15001: bind: Address already in use";
// a bad address is InvalidArgument, the rest Unavailable. On error the
// acceptor is closed.
absl::Status BindAcceptor(TcpAcceptor& acceptor, const std::string& owner, const std::string& address, uint16_t port,
                          BindOptions options = {});

}  // namespace tether
