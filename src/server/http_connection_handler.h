#pragma once

#include "src/common/io.h"

#include "src/http/connection_manager.h"
#include "src/http/downstream_handler.h"
#include "src/network/connection_handler.h"

namespace tether::server {

// The listeners' handler: every accepted connection is served by the http room
// (http::ServeDownstream: admission, then the codec by codec_type). Lives here, not in network,
// so that network builds no http:: connection type itself. Owned by the server, before its workers.
class HttpConnectionHandlerFactory final : public network::ConnectionHandlerFactory {
 public:
  // `streams` makes each HTTP/2 stream's object (the request path's ActiveRequest).
  explicit HttpConnectionHandlerFactory(http::ConnectionManager::StreamFactory streams)
      : streams_(std::move(streams)) {}

  void OnAccepted(TcpSocket socket, const network::AcceptedFrom& from, http::WorkerState& worker) const override {
    http::ServeDownstream(std::move(socket), from.listener_name, from.listener_id, worker, streams_);
  }

 private:
  http::ConnectionManager::StreamFactory streams_;
};

}  // namespace tether::server
