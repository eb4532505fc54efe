#pragma once

#include <array>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "src/http/request_state.h"
#include "src/http/socket_deadline.h"
#include "src/http/worker_state.h"

namespace tether::http {

// One downstream HTTP/1.1 connection: reads request heads strictly, routes
// each request on the ActiveConfig current at its start, and forwards it with
// bodies streamed both ways through fixed buffers. Lives on one worker.
class DownstreamConnection : public std::enable_shared_from_this<DownstreamConnection> {
 public:
  DownstreamConnection(boost::asio::ip::tcp::socket socket, std::string listener_name, WorkerState& worker);
  ~DownstreamConnection();

  // The connection's whole life; spawned detached by the listener.
  boost::asio::awaitable<void> Run();

  // Server drain: close now if idle between requests, else after this response.
  void Drain();

 private:
  enum class HeadResult { kOk, kClosed, kTimeout, kTooLarge };

  boost::asio::awaitable<HeadResult> ReadHead(const config::Listener& listener, size_t& head_size);
  boost::asio::awaitable<bool> ServeOne(RequestState& rq);  // false: close the connection
  boost::asio::awaitable<void> Dispatch(RequestState& rq);
  boost::asio::awaitable<void> Forward(RequestState& rq);
  boost::asio::awaitable<void> SendLocalReply(RequestState& rq, unsigned status, std::string_view body,
                                              std::string_view flag, const std::string& location = {});
  boost::asio::awaitable<void> RejectHead(RequestState& rq, unsigned status, std::string_view reason,
                                          std::string_view flag);
  void PrepareUpstreamRequest(RequestState& rq);
  void Finish(RequestState& rq);

  // Upstream exchange pieces (upstream_exchange.cc).
  struct Exchange;
  boost::asio::awaitable<bool> SendRequest(RequestState& rq, Exchange& ex);
  boost::asio::awaitable<bool> ReadResponseHead(RequestState& rq, Exchange& ex);
  boost::asio::awaitable<void> RelayResponse(RequestState& rq, Exchange& ex);

  boost::asio::ip::tcp::socket socket_;
  std::string listener_name_;
  WorkerState& worker_;
  std::shared_ptr<ListenerStats> cx_stats_;  // the stats this connection counted itself in
  std::string peer_ip_;
  std::string local_address_;
  std::string peer_address_;
  boost::beast::flat_buffer buffer_;
  SocketDeadline deadline_;
  bool idle_ = false;  // waiting for the first byte of a request
  bool close_after_response_ = false;
  std::array<char, 32 * 1024> body_buffer_;
};

}  // namespace tether::http
