#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "src/config/snapshot.h"

namespace tether::tracing {

// A loopback Zipkin collector on `io`: answers each POST with `status`,
// closes a connection (without saying so) after `per_connection` answers,
// and counts the POSTs it got (readable from any thread).
class FakeCollector {
 public:
  FakeCollector(boost::asio::io_context& io, unsigned status = 202, int per_connection = 1 << 30)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        status_(status),
        per_connection_(per_connection) {
    boost::asio::co_spawn(io, Accept(), boost::asio::detached);
  }
  config::Host host(uint32_t weight = 1) const { return {"127.0.0.1", acceptor_.local_endpoint().port(), weight}; }
  int posts() const { return posts_->load(); }

 private:
  using tcp = boost::asio::ip::tcp;
  static constexpr auto kToken = boost::asio::as_tuple(boost::asio::use_awaitable);

  boost::asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kToken);
      if (ec) co_return;
      boost::asio::co_spawn(acceptor_.get_executor(), Serve(std::move(socket), status_, per_connection_, posts_),
                            boost::asio::detached);
    }
  }
  // Static, with the counter shared: a connection may outlive the collector object.
  static boost::asio::awaitable<void> Serve(tcp::socket socket, unsigned status, int per_connection,
                                            std::shared_ptr<std::atomic<int>> posts) {
    namespace bhttp = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (int i = 0; i < per_connection; ++i) {
      bhttp::request<bhttp::string_body> req;
      auto [rec, rn] = co_await bhttp::async_read(socket, buffer, req, kToken);
      if (rec) co_return;
      posts->fetch_add(1);
      const std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
      auto [wec, wn] = co_await boost::asio::async_write(socket, boost::asio::buffer(reply), kToken);
      if (wec) co_return;
    }
  }

  tcp::acceptor acceptor_;
  unsigned status_;
  int per_connection_;
  std::shared_ptr<std::atomic<int>> posts_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace tether::tracing
