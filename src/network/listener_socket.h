#pragma once

#include "src/common/io.h"

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"
#include "src/config/snapshot.h"
#include "src/network/connection_handler.h"
#include "src/http/worker_state.h"

namespace tether::network {

// One worker's accepting socket for one listener, bound with SO_REUSEPORT so
// every worker can have its own. Each accepted connection goes to the
// handler factory, which serves it on the same worker.
class ListenerSocket : public std::enable_shared_from_this<ListenerSocket> {
 public:
  ListenerSocket(boost::asio::io_context& io, http::WorkerState& state, const ConnectionHandlerFactory& handlers);

  // Opens, binds and listens; the error names the listener and the address.
  absl::Status Bind(const config::Listener& listener);
  void StartAccepting();
  void Close();
  uint64_t id() const { return id_; }
  // The bound port (the listener's, or the kernel's pick for port 0); 0 when not bound.
  uint16_t port() const;

 private:
  // Holds `self`: a closed, removed listener's loop may resume after the worker let go of it.
  Awaitable<void> AcceptLoop(std::shared_ptr<ListenerSocket> self);

  TcpAcceptor acceptor_;
  http::WorkerState& state_;
  const ConnectionHandlerFactory& handlers_;
  std::string name_;
  const uint64_t id_;
};

}  // namespace tether::network
