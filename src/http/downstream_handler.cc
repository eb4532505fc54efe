#include "src/http/downstream_handler.h"

#include <memory>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <spdlog/spdlog.h>

#include "src/common/log_exception.h"
#include "src/http/protocol_sniffer.h"
#include "src/transport/tcp_transport.h"

namespace tether::http {

namespace asio = boost::asio;

namespace {

void CloseNow(TcpSocket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

void Serve(TcpSocket socket, codec::Protocol protocol, const std::string& listener_name, uint64_t listener_id,
           WorkerState& worker, std::unique_ptr<ConnectionAdmission> admission,
           const ConnectionManager::StreamFactory& streams) {
  admission->SetProtocol(protocol);
  ConnectionManager::Params params;
  params.transport = std::make_unique<transport::TcpTransport>(std::move(socket));
  params.listener_name = listener_name;
  params.listener_id = listener_id;
  params.admission = std::move(admission);
  params.streams = streams;
  auto connection = ConnectionManager::Create(protocol, std::move(params), worker);
  if (!connection.ok()) {
    // Options out of range pass config validation only by a bug: say so, close the connection.
    spdlog::error("listener {}: connection refused: {}", listener_name, connection.status().ToString());
    return;
  }
  (*connection)->Start();
}

}  // namespace

void ServeDownstream(TcpSocket socket, const std::string& listener_name, uint64_t listener_id, WorkerState& worker,
                     const ConnectionManager::StreamFactory& streams) {
  auto it = worker.active->listeners.find(listener_name);
  if (it == worker.active->listeners.end()) {
    CloseNow(socket);
    return;
  }
  const ListenerRuntime& runtime = *it->second;
  // At accept, whatever the protocol: an idle connection counts from its first moment.
  auto admission = std::make_unique<ConnectionAdmission>();
  if (!admission->Admit(runtime, worker.overload)) {
    CloseNow(socket);  // accepted and closed at once
    return;
  }
  switch (runtime.config->codec_type) {
    case config::CodecType::kHttp1:
      Serve(std::move(socket), codec::Protocol::kHttp1, listener_name, listener_id, worker, std::move(admission),
            streams);
      return;
    case config::CodecType::kHttp2:
      Serve(std::move(socket), codec::Protocol::kHttp2, listener_name, listener_id, worker, std::move(admission),
            streams);
      return;
    case config::CodecType::kAuto:
      break;
  }
  const IoExecutor executor = socket.get_executor();
  auto sniffer = std::make_shared<ProtocolSniffer>(
      std::move(socket), listener_name, listener_id, worker, std::move(admission),
      // The factory outlives every connection (the server's); the worker, the sniffer.
      [&worker, &streams, listener_name, listener_id](TcpSocket s, codec::Protocol protocol,
                                                       std::unique_ptr<ConnectionAdmission> admitted) {
        Serve(std::move(s), protocol, listener_name, listener_id, worker, std::move(admitted), streams);
      });
  asio::co_spawn(executor, sniffer->Run(), LogConnectionException);
}

}  // namespace tether::http
