#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "src/http/request_state.h"
#include "src/http/socket_deadline.h"
#include "src/http/upstream_exchange.h"
#include "src/http/worker_state.h"

namespace tether::http {


// One downstream HTTP/1.1 connection: reads request heads strictly, routes
// each request on the ActiveConfig current at its start, and forwards it with
// bodies streamed both ways through fixed buffers. Lives on one worker.
class DownstreamConnection : public std::enable_shared_from_this<DownstreamConnection> {
 public:
  DownstreamConnection(boost::asio::ip::tcp::socket socket, std::string listener_name, WorkerState& worker);
  ~DownstreamConnection();
  DownstreamConnection(const DownstreamConnection&) = delete;
  DownstreamConnection& operator=(const DownstreamConnection&) = delete;

  // The connection's whole life; spawned detached by the listener.
  boost::asio::awaitable<void> Run();

  // Server drain: close now if idle between requests, else after this response.
  void Drain();

 private:
  enum class HeadResult { kOk, kClosed, kIdleTimeout, kHeaderTimeout, kTooLarge };

  // downstream_connection.cc: the request loop and local replies.
  boost::asio::awaitable<HeadResult> ReadHead(RequestState& rq, size_t& head_size);
  boost::asio::awaitable<bool> ServeOne(RequestState& rq);  // false: close the connection
  boost::asio::awaitable<void> Dispatch(RequestState& rq);
  boost::asio::awaitable<void> SendLocalReply(RequestState& rq, unsigned status, std::string_view body,
                                              std::string_view flag, const std::string& location = {});
  boost::asio::awaitable<void> RejectHead(RequestState& rq, unsigned status, std::string_view reason,
                                          std::string_view flag);
  boost::asio::awaitable<void> LingeringClose();
  void Finish(RequestState& rq);
  void WriteAccessLogs(const RequestState& rq);

  // upstream_exchange.cc: forwarding to a cluster.
  boost::asio::awaitable<void> Forward(RequestState& rq);
  void PrepareUpstreamRequest(RequestState& rq);
  boost::asio::awaitable<bool> Attempt(RequestState& rq, UpstreamExchange& ex);  // true: retry
  boost::asio::awaitable<ExchangeStep> SendRequest(RequestState& rq, UpstreamExchange& ex);
  boost::asio::awaitable<ExchangeStep> ReadResponseHead(RequestState& rq, UpstreamExchange& ex);
  boost::asio::awaitable<void> FailBeforeResponse(RequestState& rq, UpstreamExchange& ex, ExchangeStep step);
  boost::asio::awaitable<void> RelayResponse(RequestState& rq, UpstreamExchange& ex);
  void PrepareDownstreamResponse(RequestState& rq);
  // Route, virtual host and route-table response headers, then filters.
  void ApplyResponseMutations(RequestState& rq, boost::beast::http::fields& headers);

  boost::asio::ip::tcp::socket socket_;
  std::string listener_name_;
  WorkerState& worker_;
  std::shared_ptr<ListenerStats> cx_stats_;  // the stats this connection counted itself in
  std::string peer_ip_;
  std::string local_address_;
  std::string peer_address_;
  boost::beast::flat_buffer buffer_;
  SocketDeadline deadline_;           // this connection's socket
  SocketDeadline upstream_deadline_;  // the route timeout, on the upstream socket of the moment
  bool idle_ = false;  // waiting for the first byte of a request
  bool close_after_response_ = false;
  std::array<char, 32 * 1024> body_buffer_;
  std::string head_buffer_;  // text of the head being relayed
};

}  // namespace tether::http
