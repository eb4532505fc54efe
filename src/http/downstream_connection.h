#pragma once

#include "src/common/io.h"

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "src/http/connection_admission.h"
#include "src/http/connection_limit.h"
#include "src/http/drainable_connection.h"
#include "src/http/request_state.h"
#include "src/common/lingering_close.h"
#include "src/common/socket_deadline.h"
#include "src/http/stream_timeouts.h"
#include "src/http/upstream_exchange.h"
#include "src/http/worker_state.h"

namespace tether::http {


// One downstream HTTP/1.1 connection: reads request heads strictly, routes
// each request on the ActiveConfig current at its start, and forwards it with
// bodies streamed both ways through fixed buffers. Lives on one worker.
class DownstreamConnection : public std::enable_shared_from_this<DownstreamConnection>, public DrainableConnection {
 public:
  // `listener_id`: the accepting socket's, unique on this worker (a listener
  // removed and added again under its name gets a new one). `admission`: taken at accept; null,
  // Run() admits the connection itself.
  DownstreamConnection(TcpSocket socket, std::string listener_name, uint64_t listener_id, WorkerState& worker,
                       std::unique_ptr<ConnectionAdmission> admission = nullptr);
  ~DownstreamConnection() override;
  DownstreamConnection(const DownstreamConnection&) = delete;
  DownstreamConnection& operator=(const DownstreamConnection&) = delete;

  // The connection's whole life; spawned detached by the listener.
  Awaitable<void> Run();

  // Server or listener drain (Envoy's HTTP/1 drain sequence): the next
  // response carries `Connection: close` and ends the connection. Idle
  // between requests, it stays open for kDrainIdleGrace, so that a request
  // already on its way is answered rather than lost, and closes if none comes.
  void Drain() override;
  static constexpr std::chrono::milliseconds kDrainIdleGrace{1000};
  // A drain's deadline passed: end the connection now, mid-request or not.
  void Abort() override;
  const std::string& listener_name() const { return listener_name_; }
  uint64_t listener_id() const override { return listener_id_; }

 private:
  enum class HeadResult { kOk, kClosed, kIdleTimeout, kHeaderTimeout, kTooLarge, kStreamTimeout };

  // downstream_connection.cc: the request loop and local replies.
  Awaitable<HeadResult> ReadHead(RequestState& rq, size_t& head_size);
  Awaitable<bool> ServeOne(RequestState& rq);  // false: close the connection
  Awaitable<void> Dispatch(RequestState& rq);
  Awaitable<void> SendLocalReply(RequestState& rq, unsigned status, std::string_view body,
                                 std::optional<ResponseFlag> flag, const std::string& location = {});
  Awaitable<void> RejectHead(RequestState& rq, unsigned status, std::string_view reason, ResponseFlag flag);
  void Finish(RequestState& rq);
  // connection_admission.cc: overload, max_connections and the buffers' sizes.
  bool Admit(const ListenerRuntime& runtime);
  void SizeReadBuffer(const config::Listener& listener);
  bool Draining() const { return draining_ || worker_.draining; }
  void WriteAccessLogs(const RequestState& rq);

  // stream_timeouts.cc's deadlines for the request of the moment
  // (downstream_stream_timeouts.cc): started with its first byte, stopped by Finish.
  void StartStream(const config::Listener& listener);
  void CancelStreamIo();  // a stream deadline passed: end what is pending, both sides
  bool CountStreamTimeout(RequestState& rq);  // stats and flag; true: the idle one
  Awaitable<void> ReplyStreamTimeout(RequestState& rq);  // 408, nothing was sent yet

  // upstream_exchange.cc: forwarding to a cluster.
  Awaitable<void> Forward(RequestState& rq);
  void PrepareUpstreamRequest(RequestState& rq);
  enum class AttemptResult { kDone, kRetryOnNewConnection };
  // One try on one connection; `first`: it may take a pooled connection and
  // ask for a retry (a second try never does, so it always ends the request).
  Awaitable<AttemptResult> Attempt(RequestState& rq, UpstreamExchange& ex, bool first);
  Awaitable<ExchangeStep> SendRequest(RequestState& rq, UpstreamExchange& ex);
  Awaitable<ExchangeStep> ReadResponseHead(RequestState& rq, UpstreamExchange& ex);
  Awaitable<void> FailBeforeResponse(RequestState& rq, UpstreamExchange& ex, ExchangeStep step);
  Awaitable<void> RelayResponse(RequestState& rq, UpstreamExchange& ex);
  void PrepareDownstreamResponse(RequestState& rq);
  // Route, virtual host and route-table response headers, then filters.
  void ApplyResponseMutations(RequestState& rq, HeaderMap& headers);

  TcpSocket socket_;
  std::string listener_name_;
  uint64_t listener_id_;
  WorkerState& worker_;
  std::unique_ptr<ConnectionAdmission> admission_;  // its place in the counts
  std::shared_ptr<ListenerStats> cx_stats_;  // the stats this connection counted itself in
  std::string peer_ip_;
  std::string local_address_;
  std::string peer_address_;
  boost::beast::flat_buffer buffer_;
  SocketDeadline deadline_;           // this connection's socket
  SocketDeadline upstream_deadline_;  // the route timeout, on the upstream socket of the moment
  StreamTimeouts stream_;             // stream_idle_timeout and request_timeout of the request of the moment
  bool idle_ = false;  // waiting for the first byte of a request
  bool close_after_response_ = false;  // the response said (or will say) Connection: close, or there was none
  bool draining_ = false;  // Drain() was called
  uint32_t requests_ = 0;           // requests begun on this connection
  std::vector<char> body_buffer_;   // the relay buffer, sized by Admit()
  std::string head_buffer_;  // text of the head being relayed
};

}  // namespace tether::http
